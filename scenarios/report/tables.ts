// The sections under the charts: the checker's verdict (stats, violations with the operations
// involved), the invariants, the steps, and the replayable schedule.

import { clock, count, duration, esc, num, prettyJson } from './escape.ts';
import type { ReportCheck, ReportInvariant, ReportOperation, ReportStep, ReportViolation } from './types.ts';

const STAT_LABELS: [keyof ReportCheck['stats'], string][] = [
  ['writes', 'writes'],
  ['acknowledged', 'acknowledged'],
  ['failed', 'failed'],
  ['unknown', 'unknown'],
  ['reads', 'reads'],
  ['keys', 'keys'],
  ['lsnChecked', 'LSNs checked'],
  ['durabilitySnapshots', 'durability snapshots'],
  ['durabilityChecked', 'checked for durability'],
];

function opsTable(ops: ReportOperation[]): string {
  if (!ops.length) return '<p class="muted">no operations recorded for this violation</p>';
  const rows = [...ops]
    .sort((a, b) => num(a.timeMs) - num(b.timeMs))
    .map(
      (o) => `<tr class="op-${esc(o.type)}">
  <td class="num">${esc(clock(num(o.timeMs), 3))}</td><td class="num">${o.process === -1 ? '<span class="muted">final</span>' : esc(o.process)}</td>
  <td><span class="pill ${o.type === 'ok' ? 'good' : o.type === 'fail' ? 'bad' : o.type === 'unknown' ? 'warn' : ''}">${esc(o.type)}</span></td><td>${esc(o.op)}</td><td class="mono">${esc(o.key)}</td>
  <td class="mono">${o.value === null ? '<span class="muted">null</span>' : esc(o.value)}</td><td class="mono">${o.lsn ? esc(o.lsn) : '<span class="muted">—</span>'}</td>
  <td class="error">${o.error ? esc(o.error) : ''}</td>
</tr>`,
    )
    .join('\n');
  return `<table class="ops"><thead><tr><th>time</th><th>process</th><th>type</th><th>op</th><th>key</th><th>value</th><th>LSN</th><th>error</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function violationCard(v: ReportViolation, i: number): string {
  return `<article class="violation" data-violation="${i}">
  <header><span class="pill bad">${esc(v.kind)}</span> <span class="muted">key</span> <code>${esc(v.key)}</code></header>
  <p class="message">${esc(v.message)}</p>
  ${opsTable(v.ops ?? [])}
</article>`;
}

export function checkSection(check: ReportCheck | null): string {
  if (!check) {
    return `<section class="card" data-testid="check"><h2>Checker</h2><p class="verdict none">The checker did not run: no history was checked in this run.</p></section>`;
  }
  const stats = STAT_LABELS.map(([k, label]) => `<div class="stat${k === 'unknown' || k === 'failed' ? ' ' + k : ''}"><b>${count(num(check.stats?.[k]))}</b><span>${label}</span></div>`).join('');
  const violations = check.violations ?? [];
  const incomplete = check.incomplete ? `<p class="verdict bad">✗ Incomplete: ${esc(check.incomplete)}</p>` : '';
  const verdict = violations.length
    ? `${incomplete}<p class="verdict bad">✗ ${violations.length} violation${violations.length === 1 ? '' : 's'}: acknowledged data was lost or reads went wrong.</p>${violations.map(violationCard).join('\n')}`
    : check.ok
      ? '<p class="verdict good">✓ No violations: every acknowledged write was read back, at every LSN checked.</p>'
      : incomplete || '<p class="verdict bad">✗ The checker failed without listing violations.</p>';
  return `<section class="card" data-testid="check"><h2>Checker</h2><div class="stats">${stats}</div>${verdict}</section>`;
}

export function invariantsSection(invariants: ReportInvariant[]): string {
  const items = invariants.map(
    (inv) => `<li class="${inv.ok ? 'good' : 'bad'}"><span class="mark">${inv.ok ? '✓' : '✗'}</span><span class="inv-name">${esc(inv.name)}</span>${inv.message ? `<span class="inv-msg">${esc(inv.message)}</span>` : ''}</li>`,
  );
  const body = items.length ? `<ul class="invariants">${items.join('')}</ul>` : '<p class="muted">no invariants were checked</p>';
  return `<section class="card" data-testid="invariants"><h2>Invariants</h2>${body}</section>`;
}

/** Duration against the step's bound as a small gauge: how close a step came to timing out. */
function boundGauge(s: ReportStep): string {
  const took = Math.max(0, num(s.endMs) - num(s.startMs));
  const bound = num(s.boundMs);
  const frac = bound > 0 ? Math.min(1, took / bound) : 1;
  const level = frac >= 1 ? 'over' : frac > 0.75 ? 'near' : 'fine';
  return `<div class="gauge ${level}" title="${(frac * 100).toFixed(0)}% of the bound"><i style="width:${(frac * 100).toFixed(1)}%"></i></div><span class="num">${esc(duration(took))} <span class="muted">/ ${esc(duration(bound))}</span></span>`;
}

export function stepsSection(steps: ReportStep[]): string {
  if (!steps.length) return '<section class="card" data-testid="steps"><h2>Steps</h2><p class="muted">no steps recorded</p></section>';
  const rows = steps
    .map(
      (s, i) => `<tr class="${esc(s.outcome)}">
  <td class="num muted">${i + 1}</td><td>${esc(s.name)}</td><td class="num">${esc(clock(num(s.startMs), 1))}</td>
  <td class="bound">${boundGauge(s)}</td><td><span class="pill ${s.outcome === 'ok' ? 'good' : s.outcome === 'timeout' ? 'warn' : 'bad'}">${esc(s.outcome)}</span></td>
  <td class="error">${s.error ? esc(s.error) : ''}</td>
</tr>`,
    )
    .join('\n');
  return `<section class="card" data-testid="steps"><h2>Steps</h2>
<table class="steps"><thead><tr><th>#</th><th>step</th><th>start</th><th>duration / bound</th><th>outcome</th><th>error</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

export function scheduleSection(schedule: unknown): string {
  return `<section class="card" data-testid="schedule"><details><summary><h2>Fault schedule</h2><span class="muted">replayable JSON — click to expand</span></summary>
<pre class="json">${esc(prettyJson(schedule))}</pre></details></section>`;
}
