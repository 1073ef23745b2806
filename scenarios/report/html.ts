// The scenario report as one self-contained HTML page: a header with the verdict, the timeline of
// faults and steps, the workload charts on the same time axis, then the checker, invariants, steps
// and the replayable schedule. No external resources: it opens offline, from file://.

import { commitsChart, errorsChart, latencyChart } from './charts.ts';
import { count, duration, esc, jsonForScript, num, startTime } from './escape.ts';
import { page } from './layout.ts';
import { bucketWidth, downsample, KIND_LABELS, timeScale, type Bucket, type TimeScale } from './scale.ts';
import { checkSection, invariantsSection, scheduleSection, stepsSection } from './tables.ts';
import { axisRow, legend, overlay, renderTimeline } from './timeline.ts';
import type { ScenarioReport } from './types.ts';

/** Enough points for a smooth chart at any screen width; longer runs are merged into wider buckets. */
const MAX_POINTS = 720;

function header(r: ScenarioReport): string {
  const passed = r.outcome === 'passed';
  const topo = r.topology ?? { pageservers: 0, safekeepers: 0, endpoints: [], components: [] };
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const topology = [plural(num(topo.pageservers), 'pageserver'), plural(num(topo.safekeepers), 'safekeeper'), `endpoints ${(topo.endpoints ?? []).join(', ') || '—'}`, ...(topo.remoteStorage ? [`remote storage: ${topo.remoteStorage}`] : [])].join(' · ');
  const meta: [string, string][] = [
    ['seed', String(r.seed)],
    ['started', startTime(String(r.startedAt))],
    ['duration', duration(num(r.durationMs))],
    ['topology', topology],
  ];
  const failure = r.failure ? `<div class="failure" data-testid="failure"><strong>Why it failed</strong><pre>${esc(r.failure)}</pre></div>` : '';
  return `<header class="head">
  <div class="title-row"><h1>${esc(r.scenario?.name)}</h1><span class="badge ${passed ? 'passed' : 'failed'}" data-testid="outcome">${passed ? 'PASSED' : 'FAILED'}</span></div>
  ${r.scenario?.description ? `<p class="desc">${esc(r.scenario.description)}</p>` : ''}
  <dl class="meta">${meta.map(([k, v]) => `<div><dt>${k}</dt><dd${k === 'started' ? ` title="${esc(r.startedAt)}"` : ''}>${esc(v)}</dd></div>`).join('')}</dl>
  ${failure}
  ${glance(r)}
</header>`;
}

/** The five numbers a reader wants before anything else. */
function glance(r: ScenarioReport): string {
  const steps = r.steps ?? [];
  const invariants = r.invariants ?? [];
  const violations = r.check?.violations?.length ?? 0;
  const stepsOk = steps.filter((s) => s.outcome === 'ok').length;
  const invOk = invariants.filter((i) => i.ok).length;
  const cards: [string, string, string][] = [
    [r.check ? count(num(r.check.stats?.acknowledged)) : '—', 'acknowledged writes', ''],
    [String((r.faults ?? []).length), 'faults injected', ''],
    [r.check ? String(violations) : '—', 'violations', !r.check ? '' : violations ? 'bad' : 'good'],
    [`${stepsOk}/${steps.length}`, 'steps ok', stepsOk < steps.length ? 'bad' : 'good'],
    [`${invOk}/${invariants.length}`, 'invariants hold', invOk < invariants.length ? 'bad' : 'good'],
  ];
  return `<div class="glance">${cards.map(([v, label, cls]) => `<div class="${cls}"><b>${esc(v)}</b><span>${esc(label)}</span></div>`).join('')}</div>`;
}

function timelineSection(r: ScenarioReport, scale: TimeScale, buckets: Bucket[], factor: number, bucketMs: number): string {
  const resolution = factor > 1 ? `each chart point averages ${duration(bucketMs * factor)} (p99: worst)` : `one point per ${duration(bucketMs)}`;
  return `<section class="card">
  <div class="section-head"><h2>Timeline</h2><span class="muted">${esc(resolution)} · hover for details</span></div>
  ${legend(r.faults ?? [])}
  <div class="aligned">
    ${renderTimeline(r, scale)}
    <div class="charts" data-testid="charts">
      ${commitsChart(r, scale, buckets)}
      ${latencyChart(r, scale, buckets)}
      ${errorsChart(r, scale, buckets)}
    </div>
    ${axisRow(scale, 'bottom')}
    ${overlay(r, scale)}
  </div>
</section>`;
}

/** What the hover script needs, compact: arrays, rounded numbers. */
function hoverData(r: ScenarioReport, scale: TimeScale, buckets: Bucket[]): string {
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 100) / 100);
  return jsonForScript({
    span: scale.spanMs,
    buckets: buckets.map((b) => [b.t, b.widthMs, round(b.ok), round(b.fail), round(b.unknown), round(b.p50Ms), round(b.p99Ms)]),
    faults: (r.faults ?? []).map((f) => [num(f.startMs), f.endMs === null ? null : num(f.endMs), (KIND_LABELS as Record<string, string>)[f.kind] ?? f.kind, f.description]),
    steps: (r.steps ?? []).map((s) => [num(s.startMs), num(s.endMs), s.name]),
  });
}

export function renderReportHtml(report: ScenarioReport): string {
  const series = Array.isArray(report.series) ? report.series : [];
  const bucketMs = bucketWidth(series);
  const scale = timeScale(report, bucketMs);
  const { buckets, factor } = downsample(series, bucketMs, MAX_POINTS);
  const body = [
    header(report),
    timelineSection(report, scale, buckets, factor, bucketMs),
    checkSection(report.check ?? null),
    invariantsSection(report.invariants ?? []),
    stepsSection(report.steps ?? []),
    scheduleSection(report.schedule),
    `<footer>neon-local scenario report · ${esc(report.format)} · seed ${esc(report.seed)}</footer>`,
  ].join('\n');
  const title = `${report.outcome === 'passed' ? 'PASSED' : 'FAILED'} · ${report.scenario?.name ?? 'scenario'} — neon-local`;
  return page(title, body, hoverData(report, scale, buckets));
}
