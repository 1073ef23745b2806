// The shared time axis, fault colours and series downsampling. The timeline and the charts place
// everything in percent of one span, so they line up at any page width.

import { clock, num } from './escape.ts';
import type { FaultKind, ReportSeriesPoint, ScenarioReport } from './types.ts';

/** Calm, distinguishable colours, one per fault kind, used for bars, legend and chart shading alike. */
export const KIND_COLOURS: Record<FaultKind, string> = {
  partition: '#7e6bc9',
  cut: '#c2577f',
  latency: '#d89a2b',
  bandwidth: '#3d9c98',
  kill: '#d1504b',
  pause: '#4f86d6',
  restart: '#4f9f6c',
  failpoint: '#8b7355',
  migrate: '#3f7fbf',
  'disk-loss': '#a33b3b',
  detach: '#b08a2e',
};
export const KIND_LABELS: Record<FaultKind, string> = {
  partition: 'partition',
  cut: 'link cut',
  latency: 'latency',
  bandwidth: 'bandwidth limit',
  kill: 'kill -9',
  pause: 'pause (SIGSTOP)',
  restart: 'restart',
  failpoint: 'failpoint',
  migrate: 'tenant migration',
  'disk-loss': 'disk loss',
  detach: 'tenant detached',
};
const FALLBACK_COLOUR = '#8a94a3';

export function kindColour(kind: string): string {
  return (KIND_COLOURS as Record<string, string>)[kind] ?? FALLBACK_COLOUR;
}

/** Network faults act on links between components; the rest act on one process. */
export function isLinkFault(kind: string): boolean {
  return kind === 'partition' || kind === 'cut' || kind === 'latency' || kind === 'bandwidth';
}

export interface TimeScale {
  spanMs: number;
  /** Position of a time in percent of the plot width, clamped to the axis. */
  pct(ms: number): number;
  /** Position in SVG user units (charts use a 0..1000 wide viewBox). */
  x(ms: number): number;
  ticks: { ms: number; label: string }[];
}

export const SVG_WIDTH = 1000;
const TICK_STEPS_MS = [100, 200, 500, 1e3, 2e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1800e3, 3600e3, 7200e3, 10800e3, 21600e3];

/** The axis covers the run and anything drawn past its recorded duration (a late bucket, a step end). */
export function timeScale(report: ScenarioReport, bucketMs: number): TimeScale {
  let span = num(report.durationMs);
  for (const s of report.series ?? []) span = Math.max(span, num(s.t) + bucketMs);
  for (const f of report.faults ?? []) span = Math.max(span, num(f.startMs), num(f.endMs));
  for (const s of report.steps ?? []) span = Math.max(span, num(s.endMs));
  span = Math.max(span, 1000);
  const step = TICK_STEPS_MS.find((s) => span / s <= 10) ?? Math.ceil(span / 10 / 3600e3) * 3600e3;
  const decimals = step < 1000 ? 1 : 0;
  const ticks: { ms: number; label: string }[] = [];
  for (let ms = 0; ms <= span + 1e-6; ms += step) ticks.push({ ms, label: clock(ms, decimals) });
  const clampPct = (ms: number): number => Math.min(100, Math.max(0, (num(ms) / span) * 100));
  return { spanMs: span, pct: clampPct, x: (ms) => (clampPct(ms) / 100) * SVG_WIDTH, ticks };
}

/** The bucket width of the series: the most common gap between points, 1 s when it cannot tell. */
export function bucketWidth(series: ReportSeriesPoint[]): number {
  const gaps = new Map<number, number>();
  for (let i = 1; i < series.length; i++) {
    const gap = num(series[i]!.t) - num(series[i - 1]!.t);
    if (gap > 0) gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
  }
  let best = 1000;
  let bestCount = 0;
  for (const [gap, n] of gaps) if (n > bestCount) [best, bestCount] = [gap, n];
  return best;
}

export interface Bucket {
  t: number;
  widthMs: number;
  /** Per-second rates, so a downsampled bucket reads on the same scale as a 1 s one. */
  ok: number;
  fail: number;
  unknown: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/**
 * At most `maxPoints` buckets. Long runs are merged: rates are averaged over the merged time, p50 is
 * the mean of the p50s and p99 the worst p99 (a spike must not be averaged away).
 */
export function downsample(series: ReportSeriesPoint[], bucketMs: number, maxPoints: number): { buckets: Bucket[]; factor: number } {
  const sorted = [...series].sort((a, b) => num(a.t) - num(b.t));
  const span = sorted.length ? num(sorted[sorted.length - 1]!.t) + bucketMs : 0;
  const factor = Math.max(1, Math.ceil(span / bucketMs / maxPoints));
  const width = bucketMs * factor;
  const perSecond = 1000 / bucketMs;
  const groups = new Map<number, ReportSeriesPoint[]>();
  for (const p of sorted) {
    const key = Math.floor(num(p.t) / width);
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  const buckets: Bucket[] = [];
  for (const [key, points] of groups) {
    const sum = (f: (p: ReportSeriesPoint) => number): number => points.reduce((acc, p) => acc + num(f(p)), 0);
    const p50s = points.map((p) => p.p50Ms).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const p99s = points.map((p) => p.p99Ms).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    buckets.push({
      t: factor === 1 ? num(points[0]!.t) : key * width,
      widthMs: width,
      ok: (sum((p) => p.ok) / factor) * perSecond,
      fail: (sum((p) => p.fail) / factor) * perSecond,
      unknown: (sum((p) => p.unknown) / factor) * perSecond,
      p50Ms: p50s.length ? p50s.reduce((a, b) => a + b, 0) / p50s.length : null,
      p99Ms: p99s.length ? Math.max(...p99s) : null,
    });
  }
  return { buckets, factor };
}

/** A round axis maximum at or above `max`: 1, 2, 2.5, 5 × 10^k. */
export function niceCeil(max: number): number {
  if (!(max > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= max - 1e-9) return m * pow;
  return 10 * pow;
}

/**
 * Packs intervals into rows so overlapping ones do not hide each other; returns each interval's
 * row and the number of rows. A small gap keeps touching bars apart.
 */
export function packRows<T>(items: T[], start: (item: T) => number, end: (item: T) => number, gapMs: number): { rows: Map<T, number>; count: number } {
  const rowEnds: number[] = [];
  const rows = new Map<T, number>();
  for (const item of [...items].sort((a, b) => start(a) - start(b))) {
    let row = rowEnds.findIndex((e) => e + gapMs <= start(item));
    if (row === -1) row = rowEnds.push(0) - 1;
    rowEnds[row] = Math.max(end(item), start(item));
    rows.set(item, row);
  }
  return { rows, count: Math.max(1, rowEnds.length) };
}
