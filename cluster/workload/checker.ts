// Checks a workload history: no acknowledged write may be lost, nothing may appear that was not
// written. Each key is a register; writes put unique values, so a value read names its write.
//
// An operation is its invoke plus its completion (ok, fail or unknown; an invoke with no
// completion, as after a crash, counts as unknown). "Acknowledged" is an ok write; a write w2
// "supersedes" an acknowledged w when w2 was invoked after w was acknowledged (real time, one clock).
//
//   phantom               a read or final value that no write to the key had invoked before the
//                         read completed.
//   failed write visible  a read or final value written by a write that failed definitely (fail).
//   stale read            a read returning an acknowledged write's value although another
//                         acknowledged write superseding it completed before the read was invoked;
//                         or no value although some write was acknowledged before it was invoked.
//                         Values of unknown writes may appear at any time after their invoke.
//   lost                  a final value that is neither an acknowledged write no other acknowledged
//                         write supersedes nor any unknown write; or no final value although a
//                         write was acknowledged. Names the acknowledged writes that should show.
//   LSN order             two acknowledged writes to a key whose commit LSNs contradict real time:
//                         w1 acknowledged before w2 was invoked requires lsn(w1) < lsn(w2).
//   not durable           an acknowledged write whose commit LSN a majority of safekeepers had not
//                         flushed at a later durability snapshot (`durability.ts`).
//
// Every key starts absent (the workload empties its table first). `lsn-check.ts` adds "LSN read".

import { checkDurability, type DurabilitySnapshot } from './durability.ts';
import type { HistoryEvent, OpKind } from './history.ts';
import { parseLsn, type Lsn } from '../wal/lsn.ts';

export type ViolationKind = 'phantom' | 'failed write visible' | 'stale read' | 'lost' | 'LSN order' | 'LSN read' | 'not durable';

export interface Violation {
  kind: ViolationKind;
  key: string;
  message: string;
  /** The events of the operations involved: invoke and completion of each, or the final event. */
  ops: HistoryEvent[];
}

export interface CheckStats {
  /** Write operations invoked. */
  writes: number;
  acknowledged: number;
  failed: number;
  /** Writes with an unknown outcome (including ones never completed). */
  unknown: number;
  /** Successful reads checked (final values not included). */
  reads: number;
  keys: number;
  /** Acknowledged writes whose commit LSN went through the LSN order check. */
  lsnChecked: number;
  /** Durability snapshots in the history, and acknowledged writes compared with at least one. */
  durabilitySnapshots: number;
  durabilityChecked: number;
}

export interface CheckResult {
  ok: boolean;
  stats: CheckStats;
  violations: Violation[];
}

/** One operation: its invoke and how it ended. `end` is Infinity for one that never completed. */
export interface Op {
  op: OpKind;
  key: string;
  value: string | null;
  status: 'ok' | 'fail' | 'unknown';
  start: number;
  end: number;
  lsn: Lsn | null;
  events: HistoryEvent[];
}

/** Pairs each invoke with the next completion of the same process. Final events are not ops. */
export function operations(events: HistoryEvent[]): Op[] {
  const ops: Op[] = [];
  const open = new Map<number, Op>();
  for (const e of events) {
    if (e.type === 'final') continue;
    if (e.type === 'invoke') {
      const op: Op = { op: e.op, key: e.key, value: e.value, status: 'unknown', start: e.time, end: Infinity, lsn: null, events: [e] };
      open.set(e.process, op);
      ops.push(op);
      continue;
    }
    const op = open.get(e.process);
    if (!op) continue; // a completion without invoke: the history reader refuses such files
    open.delete(e.process);
    op.status = e.type;
    op.end = e.time;
    op.events.push(e);
    if (e.op === 'read' || e.type === 'ok') op.value = e.value;
    if (e.type === 'ok' && e.lsn !== null) op.lsn = parseLsn(e.lsn);
  }
  return ops;
}

export function checkHistory(events: HistoryEvent[], durability: DurabilitySnapshot[] = []): CheckResult {
  const ops = operations(events);
  const byKey = new Map<string, { writes: Op[]; reads: Op[]; finals: HistoryEvent[] }>();
  const slot = (key: string) => {
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { writes: [], reads: [], finals: [] }));
    return s;
  };
  for (const op of ops) (op.op === 'write' ? slot(op.key).writes : slot(op.key).reads).push(op);
  for (const e of events) if (e.type === 'final') slot(e.key).finals.push(e);

  const violations: Violation[] = [];
  let lsnChecked = 0;
  for (const key of [...byKey.keys()].sort()) {
    const { writes, reads, finals } = byKey.get(key)!;
    const register = new Register(key, writes);
    for (const r of reads) if (r.status === 'ok') violations.push(...register.checkRead(r));
    for (const f of finals) violations.push(...register.checkFinal(f));
    const order = checkLsnOrder(key, register.acked);
    lsnChecked += order.checked;
    violations.push(...order.violations);
  }
  const writes = ops.filter((o) => o.op === 'write');
  const durable = checkDurability(writes.filter((w) => w.status === 'ok'), durability);
  violations.push(...durable.violations);
  return {
    ok: violations.length === 0,
    stats: {
      writes: writes.length,
      acknowledged: writes.filter((w) => w.status === 'ok').length,
      failed: writes.filter((w) => w.status === 'fail').length,
      unknown: writes.filter((w) => w.status === 'unknown').length,
      reads: ops.filter((o) => o.op === 'read' && o.status === 'ok').length,
      keys: byKey.size,
      lsnChecked,
      durabilitySnapshots: durability.length,
      durabilityChecked: durable.checked,
    },
    violations,
  };
}

const at = (ms: number) => `${ms.toFixed(1)} ms`;
const describe = (w: Op) => `write ${JSON.stringify(w.value)} (${w.status === 'ok' ? `acknowledged at ${at(w.end)}${w.lsn === null ? '' : `, LSN ${w.events.at(-1)!.lsn}`}` : `${w.status}, invoked at ${at(w.start)}`})`;

/** One key's writes, indexed for the questions the rules ask. */
class Register {
  readonly byValue = new Map<string, Op>();
  /** Acknowledged writes by completion time. */
  readonly acked: Op[];
  /** prefixLatest[i]: of acked[0..i], the one invoked last. */
  private readonly prefixLatest: Op[] = [];

  constructor(readonly key: string, writes: Op[]) {
    for (const w of writes) if (w.value !== null && !this.byValue.has(w.value)) this.byValue.set(w.value, w);
    this.acked = writes.filter((w) => w.status === 'ok').sort((a, b) => a.end - b.end);
    for (const w of this.acked) {
      const prev = this.prefixLatest.at(-1);
      this.prefixLatest.push(prev && prev.start >= w.start ? prev : w);
    }
  }

  /** How many acknowledged writes completed strictly before `time`. */
  private ackedBefore(time: number): number {
    let lo = 0;
    let hi = this.acked.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.acked[mid]!.end < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Acknowledged writes no other acknowledged write supersedes: what the final state must show. */
  visible(): Op[] {
    const latest = this.prefixLatest.at(-1);
    return latest ? this.acked.filter((w) => w.end >= latest.start) : [];
  }

  /** The write a value comes from, or a violation (phantom, failed write visible). */
  private source(value: string, readEnd: number, readEvents: HistoryEvent[], what: string): Op | Violation {
    const w = this.byValue.get(value);
    if (!w) return this.violation('phantom', `${what} ${JSON.stringify(value)}, which no operation wrote to this key`, [], readEvents);
    if (w.start > readEnd) return this.violation('phantom', `${what} ${JSON.stringify(value)}, written only at ${at(w.start)}, after the read completed at ${at(readEnd)}`, [w], readEvents);
    if (w.status === 'fail') return this.violation('failed write visible', `${what} ${JSON.stringify(value)}, whose write failed definitely (${w.events.at(-1)!.error ?? 'no error text'})`, [w], readEvents);
    return w;
  }

  checkRead(r: Op): Violation[] {
    const before = this.ackedBefore(r.start);
    if (r.value === null) {
      if (before === 0) return [];
      const last = this.acked[before - 1]!;
      return [this.violation('stale read', `read found no value at ${at(r.start)}, after ${describe(last)}`, [last], r.events)];
    }
    const source = this.source(r.value, r.end, r.events, 'read returned');
    if ('kind' in source) return [source];
    if (source.status !== 'ok' || before === 0) return [];
    const newer = this.prefixLatest[before - 1]!;
    if (newer.start <= source.end) return [];
    return [this.violation('stale read', `read at ${at(r.start)} returned ${describe(source)}, which ${describe(newer)} superseded before the read began`, [source, newer], r.events)];
  }

  checkFinal(f: HistoryEvent): Violation[] {
    const visible = this.visible();
    const expected = visible.map((w) => JSON.stringify(w.value)).join(' or ');
    if (f.value === null) {
      if (!visible.length) return [];
      return [this.violation('lost', `the key is absent at the end, but ${visible.length === 1 ? 'this acknowledged write was' : 'these acknowledged writes were'} not superseded: expected ${expected}`, visible, [f])];
    }
    const w = this.source(f.value, f.time, [f], 'final value is');
    if ('kind' in w) return [w];
    if (w.status !== 'ok' || visible.includes(w)) return [];
    return [this.violation('lost', `final value comes from ${describe(w)}, but later acknowledged writes were lost: expected ${expected}`, [w, ...visible], [f])];
  }

  private violation(kind: ViolationKind, message: string, writes: Op[], readEvents: HistoryEvent[]): Violation {
    return { kind, key: this.key, message: `key ${this.key}: ${message}`, ops: [...writes.flatMap((w) => w.events), ...readEvents] };
  }
}

/**
 * Acknowledged writes to one key, in real-time order, must have increasing commit LSNs. One
 * violation per offending earlier write, however many later writes it contradicts.
 */
function checkLsnOrder(key: string, acked: Op[]): { checked: number; violations: Violation[] } {
  const withLsn = acked.filter((w) => w.lsn !== null); // by completion time
  const byStart = [...withLsn].sort((a, b) => a.start - b.start);
  const found = new Map<Op, { first: Op; more: number }>();
  let i = 0;
  let highest: Op | null = null; // of the writes acknowledged so far, the one with the highest LSN
  for (const w2 of byStart) {
    while (i < withLsn.length && withLsn[i]!.end < w2.start) {
      const w1 = withLsn[i++]!;
      if (!highest || w1.lsn! > highest.lsn!) highest = w1;
    }
    if (!highest || highest.lsn! < w2.lsn!) continue;
    const seen = found.get(highest);
    if (seen) seen.more++;
    else found.set(highest, { first: w2, more: 0 });
  }
  const violations = [...found].map(([w1, { first, more }]): Violation => ({
    kind: 'LSN order',
    key,
    message: `key ${key}: ${describe(first)} was invoked at ${at(first.start)}, after ${describe(w1)}, yet its commit LSN is not higher${more ? ` (nor are those of ${more} more writes invoked after it)` : ''}`,
    ops: [...w1.events, ...first.events],
  }));
  return { checked: withLsn.length, violations };
}
