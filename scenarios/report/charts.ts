// The workload charts under the timeline, on the same time axis: commits/s, latency p50/p99 (log
// scale, so a 5 s stall and a 2 ms commit both read), failed and unknown operations/s stacked.
// Each is an SVG stretched to the plot width (viewBox 1000×100, preserveAspectRatio none, strokes
// that do not scale) with the fault intervals faintly shaded behind the data.

import { compact, esc, num } from './escape.ts';
import { kindColour, niceCeil, type Bucket, type TimeScale } from './scale.ts';
import type { ScenarioReport } from './types.ts';

const H = 100;
export const SERIES_COLOURS = { commits: '#2b7a78', p50: '#3b6fb6', p99: '#9a5bb8', fail: '#d1504b', unknown: '#e0a43a' };

interface YTick {
  value: number;
  label: string;
}

function shading(report: ScenarioReport, scale: TimeScale): string {
  return (report.faults ?? [])
    .map((f) => {
      const x0 = scale.x(num(f.startMs));
      const x1 = f.endMs === null ? scale.x(scale.spanMs) : scale.x(Math.max(num(f.endMs), num(f.startMs)));
      return `<rect class="shade" x="${x0.toFixed(2)}" y="0" width="${Math.max(1.5, x1 - x0).toFixed(2)}" height="${H}" fill="${kindColour(f.kind)}"/>`;
    })
    .join('');
}

function gridLines(ticks: YTick[], y: (v: number) => number): string {
  return ticks.map((t) => `<line class="hgrid" x1="0" x2="1000" y1="${y(t.value).toFixed(2)}" y2="${y(t.value).toFixed(2)}"/>`).join('');
}

/** A y-axis label column inside the gutter, positioned in percent of the plot height. */
function yLabels(ticks: YTick[], y: (v: number) => number): string {
  return `<div class="ylabels">${ticks.map((t) => `<span style="top:${((y(t.value) / H) * 100).toFixed(2)}%">${esc(t.label)}</span>`).join('')}</div>`;
}

/** Polyline segments through bucket midpoints, broken where data is missing (a gap or a null). */
function segments(buckets: Bucket[], scale: TimeScale, value: (b: Bucket) => number | null, y: (v: number) => number): [number, number][][] {
  const out: [number, number][][] = [];
  let current: [number, number][] = [];
  let prevEnd = -Infinity;
  for (const b of buckets) {
    const v = value(b);
    if (v === null || b.t > prevEnd + b.widthMs * 0.5) {
      if (current.length) out.push(current);
      current = [];
    }
    if (v !== null) current.push([scale.x(b.t + b.widthMs / 2), y(v)]);
    prevEnd = b.t + b.widthMs;
  }
  if (current.length) out.push(current);
  return out;
}

const pts = (seg: [number, number][]): string => seg.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join(' ');

/** A lone point would draw nothing: widen it to its bucket so one second of data still shows. */
function line(seg: [number, number][], cls: string, colour: string): string {
  const s = seg.length === 1 ? [[seg[0]![0] - 0.5, seg[0]![1]] as [number, number], [seg[0]![0] + 0.5, seg[0]![1]] as [number, number]] : seg;
  return `<polyline class="${cls}" points="${pts(s)}" fill="none" stroke="${colour}"/>`;
}

function chartRow(id: string, title: string, keys: string, ticks: YTick[], y: (v: number) => number, body: string, report: ScenarioReport, scale: TimeScale, empty: string | null): string {
  return `<div class="row chart" data-testid="chart-${id}">
  <div class="gutter"><div class="chart-title">${title}</div><div class="chart-keys">${keys}</div>${yLabels(ticks, y)}</div>
  <div class="track plot">
    <svg viewBox="0 0 1000 ${H}" preserveAspectRatio="none" role="img" aria-label="${esc(title)}">${shading(report, scale)}${gridLines(ticks, y)}${body}</svg>
    ${empty ? `<div class="empty-note plot-note">${esc(empty)}</div>` : ''}
  </div>
</div>`;
}

const key = (colour: string, label: string): string => `<span class="key"><i style="--c:${colour}"></i>${esc(label)}</span>`;

function linearTicks(max: number): YTick[] {
  return [0, max / 2, max].map((value) => ({ value, label: compact(value) }));
}

export function commitsChart(report: ScenarioReport, scale: TimeScale, buckets: Bucket[]): string {
  const max = niceCeil(Math.max(0, ...buckets.map((b) => b.ok)));
  const y = (v: number): number => H - (v / max) * (H - 4);
  const segs = segments(buckets, scale, (b) => b.ok, y);
  const body = segs
    .map((seg) => {
      const area = `${seg[0]![0].toFixed(2)},${H} ${pts(seg)} ${seg[seg.length - 1]![0].toFixed(2)},${H}`;
      return `<polygon class="area" points="${area}" fill="${SERIES_COLOURS.commits}"/>${line(seg, 'series', SERIES_COLOURS.commits)}`;
    })
    .join('');
  const empty = buckets.length ? null : 'no workload figures recorded';
  return chartRow('commits', 'commits / s', '', linearTicks(max), y, body, report, scale, empty);
}

/** Axis labels for decades: 0.1 ms, 1 ms, 10 ms, 100 ms, 1 s, 10 s. */
function decade(ms: number): string {
  return ms >= 1000 ? `${compact(Math.round(ms / 1000))} s` : `${Number(ms.toPrecision(1))} ms`;
}

export function latencyChart(report: ScenarioReport, scale: TimeScale, buckets: Bucket[]): string {
  const values = buckets.flatMap((b) => [b.p50Ms, b.p99Ms]).filter((v): v is number => v !== null && v > 0);
  // Log scale over whole decades: latency under faults spans orders of magnitude.
  const lo = values.length ? 10 ** Math.floor(Math.log10(Math.min(...values))) : 1;
  let hi = values.length ? 10 ** Math.ceil(Math.log10(Math.max(...values))) : 1000;
  if (hi <= lo) hi = lo * 10;
  const span = Math.log10(hi) - Math.log10(lo);
  const y = (v: number): number => H - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / span) * (H - 4);
  const ticks: YTick[] = [];
  const every = Math.max(1, Math.ceil(span / 4)); // at most ~5 labels however wide the range
  for (let e = Math.log10(lo); e <= Math.log10(hi) + 1e-9; e += every) ticks.push({ value: 10 ** e, label: decade(10 ** e) });
  const p50 = segments(buckets, scale, (b) => (b.p50Ms !== null && b.p50Ms > 0 ? b.p50Ms : null), y);
  const p99 = segments(buckets, scale, (b) => (b.p99Ms !== null && b.p99Ms > 0 ? b.p99Ms : null), y);
  const body = p99.map((s) => line(s, 'series p99', SERIES_COLOURS.p99)).join('') + p50.map((s) => line(s, 'series', SERIES_COLOURS.p50)).join('');
  const keys = key(SERIES_COLOURS.p50, 'p50') + key(SERIES_COLOURS.p99, 'p99');
  return chartRow('latency', 'latency (log)', keys, ticks, y, body, report, scale, values.length ? null : 'no latency figures recorded');
}

export function errorsChart(report: ScenarioReport, scale: TimeScale, buckets: Bucket[]): string {
  const max = niceCeil(Math.max(0, ...buckets.map((b) => b.fail + b.unknown)));
  const h = (v: number): number => (v / max) * (H - 4);
  const y = (v: number): number => H - h(v);
  const bars = buckets
    .filter((b) => b.fail > 0 || b.unknown > 0)
    .map((b) => {
      const x0 = scale.x(b.t);
      const w = Math.max(0.8, scale.x(b.t + b.widthMs) - x0 - (scale.x(b.t + b.widthMs) - x0 > 2 ? 0.4 : 0));
      const fail = b.fail > 0 ? `<rect x="${x0.toFixed(2)}" y="${(H - h(b.fail)).toFixed(2)}" width="${w.toFixed(2)}" height="${h(b.fail).toFixed(2)}" fill="${SERIES_COLOURS.fail}"/>` : '';
      const unk = b.unknown > 0 ? `<rect x="${x0.toFixed(2)}" y="${(H - h(b.fail + b.unknown)).toFixed(2)}" width="${w.toFixed(2)}" height="${h(b.unknown).toFixed(2)}" fill="${SERIES_COLOURS.unknown}"/>` : '';
      return fail + unk;
    })
    .join('');
  const keys = key(SERIES_COLOURS.fail, 'failed') + key(SERIES_COLOURS.unknown, 'unknown');
  const empty = !buckets.length ? 'no workload figures recorded' : bars ? null : 'no failed or unknown operations';
  return chartRow('errors', 'errors / s', keys, linearTicks(max), y, `<g class="bars">${bars}</g>`, report, scale, empty);
}
