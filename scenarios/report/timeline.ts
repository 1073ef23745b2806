// The timeline: a lane of steps, one lane per component, one per network link that had a fault,
// fault intervals as coloured bars. HTML boxes placed in percent (not SVG) so labels stay readable
// and bars stay aligned with the charts below at any width.
//
// Each fault has exactly one element carrying data-fault-id (tests count them); a process fault
// that names several components is echoed on the other lanes with data-fault-echo.

import { clock, duration, esc, num } from './escape.ts';
import { isLinkFault, KIND_LABELS, kindColour, packRows, type TimeScale } from './scale.ts';
import type { FaultKind, ReportFault, ReportStep, ScenarioReport } from './types.ts';

const ROW_PX = 24;
/** A bar narrower than this (percent of the axis) has no room for text: drawn as a slim marker. */
const NARROW_PCT = 2.5;

interface Lane {
  key: string;
  label: string;
  group: 'component' | 'link' | 'other';
  faults: ReportFault[];
  echoes: ReportFault[];
  /** Link faults touching this component, drawn as a thin strip under its lane. */
  touches: ReportFault[];
}

/** Lenient name matching so "safekeeper-1", "Safekeeper 1" and "sk1" are the same lane. */
function canon(name: string): string {
  return name
    .toLowerCase()
    .replace(/safekeeper[\s_-]*/g, 'sk')
    .replace(/pageserver[\s_-]*/g, 'ps')
    .replace(/storage[\s_-]*controller/g, 'storcon')
    .replace(/storage[\s_-]*broker/g, 'broker')
    .replace(/^endpoint[\s_-]+/, '')
    .replace(/[\s_]+/g, '-');
}

function linkLabel(targets: string[]): string {
  if (targets.length === 0) return 'network';
  if (targets.length === 1) return `${targets[0]} ↔ others`;
  if (targets.length === 2) return `${targets[0]} ↔ ${targets[1]}`;
  return targets.join(', ');
}

export function buildLanes(report: ScenarioReport): Lane[] {
  const lanes: Lane[] = [];
  const byCanon = new Map<string, Lane>();
  const lane = (label: string, group: Lane['group'], key = canon(label)): Lane => {
    let l = byCanon.get(key);
    if (!l) {
      l = { key, label, group, faults: [], echoes: [], touches: [] };
      byCanon.set(key, l);
      lanes.push(l);
    }
    return l;
  };
  for (const c of report.topology?.components ?? []) lane(String(c), 'component');
  for (const f of report.faults ?? []) {
    const targets = [...new Set((f.targets ?? []).map(String))];
    if (isLinkFault(f.kind)) {
      lane(linkLabel(targets), 'link', `link:${[...targets].map(canon).sort().join('|')}`).faults.push(f);
      for (const t of targets) byCanon.get(canon(t))?.touches.push(f);
      continue;
    }
    const targetLanes = [...new Set(targets.length ? targets.map((t) => byCanon.get(canon(t)) ?? lane(t, 'other')) : [lane('(no target)', 'other')])];
    targetLanes[0]!.faults.push(f);
    for (const l of targetLanes.slice(1)) l.echoes.push(f);
  }
  // Components first (in topology order), then links, then targets the topology did not name.
  const order = { component: 0, link: 1, other: 2 };
  return lanes.sort((a, b) => order[a.group] - order[b.group]);
}

export function faultTip(f: ReportFault): string {
  const start = num(f.startMs);
  const end = f.endMs === null ? 'still active at the end (healed by the runner)' : `${clock(num(f.endMs), 1)} (${duration(num(f.endMs) - start)})`;
  return [
    `${(KIND_LABELS as Record<string, string>)[f.kind] ?? f.kind} · ${f.id}`,
    f.description,
    `targets: ${(f.targets ?? []).join(', ') || '—'}`,
    `from ${clock(start, 1)} to ${end}`,
  ].join('\n');
}

function bar(f: ReportFault, scale: TimeScale, row: number, attr: string): string {
  const left = scale.pct(num(f.startMs));
  const right = f.endMs === null ? 100 : scale.pct(Math.max(num(f.endMs), num(f.startMs)));
  const width = right - left;
  const classes = ['bar', f.endMs === null ? 'ongoing' : '', width < NARROW_PCT ? 'narrow' : ''].filter(Boolean).join(' ');
  const style = `--c:${kindColour(f.kind)};left:${left.toFixed(3)}%;width:${width.toFixed(3)}%;top:${row * ROW_PX + 3}px`;
  const text = width < NARROW_PCT ? '' : esc(f.description || f.kind);
  return `<div class="${classes}" ${attr} data-kind="${esc(f.kind)}" style="${style}" data-tip="${esc(faultTip(f))}" aria-label="${esc(f.description)}">${text}</div>`;
}

function laneHtml(l: Lane, scale: TimeScale, gapMs: number): string {
  const all = [...l.faults, ...l.echoes];
  const end = (f: ReportFault): number => (f.endMs === null ? scale.spanMs : Math.max(num(f.endMs), num(f.startMs)));
  const { rows, count } = packRows(all, (f) => num(f.startMs), end, gapMs);
  const bars = [
    ...l.faults.map((f) => bar(f, scale, rows.get(f) ?? 0, `data-fault-id="${esc(f.id)}"`)),
    ...l.echoes.map((f) => bar(f, scale, rows.get(f) ?? 0, `data-fault-echo="${esc(f.id)}"`)),
  ];
  const touches = l.touches.map((f) => {
    const left = scale.pct(num(f.startMs));
    const right = f.endMs === null ? 100 : scale.pct(num(f.endMs));
    return `<div class="touch" style="--c:${kindColour(f.kind)};left:${left.toFixed(3)}%;width:${Math.max(0, right - left).toFixed(3)}%" data-tip="${esc(faultTip(f))}"></div>`;
  });
  const height = count * ROW_PX + 6;
  return `<div class="row lane ${l.group}" data-lane="${esc(l.label)}">
  <div class="gutter lane-label" title="${esc(l.label)}">${esc(l.label)}</div>
  <div class="track" style="height:${height}px">${bars.join('')}${touches.join('')}</div>
</div>`;
}

export function stepTip(s: ReportStep): string {
  const took = num(s.endMs) - num(s.startMs);
  const lines = [s.name, `${s.outcome} · from ${clock(num(s.startMs), 1)}, took ${duration(took)} of ${duration(num(s.boundMs))} allowed`];
  if (s.error) lines.push(s.error);
  return lines.join('\n');
}

function stepsLane(steps: ReportStep[], scale: TimeScale): string {
  // Steps usually follow one another: touching is fine, only real overlaps need another row.
  const { rows, count } = packRows(steps, (s) => num(s.startMs), (s) => num(s.endMs), 0);
  const segs = steps.map((s) => {
    const left = scale.pct(num(s.startMs));
    const width = Math.max(0, scale.pct(Math.max(num(s.endMs), num(s.startMs))) - left);
    const style = `left:${left.toFixed(3)}%;width:calc(${width.toFixed(3)}% - 2px);top:${(rows.get(s) ?? 0) * ROW_PX + 3}px`;
    return `<div class="step ${esc(s.outcome)}${width < NARROW_PCT ? ' narrow' : ''}" style="${style}" data-step="${esc(s.name)}" data-tip="${esc(stepTip(s))}">${width < NARROW_PCT ? '' : esc(s.name)}</div>`;
  });
  const body = steps.length ? segs.join('') : '<div class="empty-note">no steps recorded</div>';
  return `<div class="row lane steps-lane">
  <div class="gutter lane-label">steps</div>
  <div class="track" style="height:${count * ROW_PX + 6}px">${body}</div>
</div>`;
}

export function axisRow(scale: TimeScale, where: 'top' | 'bottom'): string {
  const ticks = scale.ticks.map((t) => `<span class="tick" style="left:${scale.pct(t.ms).toFixed(3)}%">${esc(t.label)}</span>`).join('');
  return `<div class="row axis ${where}"><div class="gutter"></div><div class="track">${ticks}</div></div>`;
}

export function legend(faults: ReportFault[]): string {
  const kinds = [...new Set(faults.map((f) => f.kind))];
  const items = kinds.map((k) => `<span class="key"><i style="--c:${kindColour(k)}"></i>${esc((KIND_LABELS as Record<string, string>)[k as FaultKind] ?? k)}</span>`);
  if (faults.some((f) => f.endMs === null)) items.push('<span class="key"><i class="ongoing" style="--c:#8a94a3"></i>still active at the end</span>');
  items.push('<span class="key"><i class="marker"></i>step boundary</span>');
  return `<div class="legend">${items.join('')}</div>`;
}

/** Vertical lines at step boundaries and ticks, drawn once over the timeline and the charts. */
export function overlay(report: ScenarioReport, scale: TimeScale): string {
  const seen: number[] = [];
  const lines: string[] = [];
  for (const s of report.steps ?? []) {
    for (const ms of [num(s.startMs), num(s.endMs)]) {
      const p = scale.pct(ms);
      if (seen.some((q) => Math.abs(q - p) < 0.15)) continue;
      seen.push(p);
      lines.push(`<div class="vline step-line" style="left:${p.toFixed(3)}%"></div>`);
    }
  }
  const grid = scale.ticks.map((t) => `<div class="vline grid-line" style="left:${scale.pct(t.ms).toFixed(3)}%"></div>`);
  return `<div class="overlay" aria-hidden="true">${grid.join('')}${lines.join('')}<div class="vline cursor" hidden></div></div>`;
}

export function renderTimeline(report: ScenarioReport, scale: TimeScale): string {
  const gapMs = scale.spanMs * 0.004;
  const lanes = buildLanes(report);
  const groups: string[] = [];
  let last: Lane['group'] | null = null;
  for (const l of lanes) {
    if (l.group !== last && l.group !== 'component') groups.push(`<div class="row group-label"><div class="gutter">${l.group === 'link' ? 'network links' : 'other targets'}</div><div></div></div>`);
    last = l.group;
    groups.push(laneHtml(l, scale, gapMs));
  }
  const note = (report.faults ?? []).length === 0 ? '<div class="row"><div class="gutter"></div><div class="empty-note">no faults were injected in this run</div></div>' : '';
  return `<div class="timeline" data-testid="timeline" data-fault-count="${(report.faults ?? []).length}">
${axisRow(scale, 'top')}
${stepsLane(report.steps ?? [], scale)}
${groups.join('\n')}
${note}
</div>`;
}
