// Plain-text renderings of history events and checker results, for the CLI and reports.

import type { CheckStats, Violation } from './checker.ts';
import { FINAL_PROCESS, type HistoryEvent } from './history.ts';

/** One event as a line: `  12.5 ms  p3  ok      write k7 = "3-12"  lsn 0/1A2B3C8`. */
export function describeEvent(e: HistoryEvent): string {
  const who = e.process === FINAL_PROCESS ? 'final' : `p${e.process}`;
  const value = e.type === 'invoke' && e.op === 'read' ? '' : ` = ${JSON.stringify(e.value)}`;
  const lsn = e.lsn ? `  lsn ${e.lsn}` : '';
  const error = e.error ? `  (${e.error})` : '';
  return `${e.time.toFixed(1).padStart(10)} ms  ${who.padEnd(5)} ${e.type.padEnd(7)} ${e.op.padEnd(5)} ${e.key}${value}${lsn}${error}`;
}

export function describeViolation(v: Violation): string {
  return [`${v.kind}: ${v.message}`, ...v.ops.map((e) => `  ${describeEvent(e)}`)].join('\n');
}

export function describeStats(s: CheckStats): string {
  return `${s.writes} writes (${s.acknowledged} acknowledged, ${s.failed} failed, ${s.unknown} unknown), ${s.reads} reads, ${s.keys} keys; LSN order checked for ${s.lsnChecked} writes${s.durabilitySnapshots ? `; ${s.durabilityChecked} acknowledged writes checked against ${s.durabilitySnapshots} durability snapshot${s.durabilitySnapshots === 1 ? '' : 's'}` : ''}`;
}
