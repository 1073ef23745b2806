// Durability snapshots: what each safekeeper has flushed, read at a known moment of the history.
// A commit is acknowledged only once a majority of safekeepers flushed its WAL, and a safekeeper
// never truncates below a committed LSN. So at any later moment — after a power loss too — every
// acknowledged write's commit LSN must be at or below the flush_lsn of a majority. This catches
// acknowledged WAL that every safekeeper lost even when no later read can show it (the pageserver
// may still hold what it streamed before the crash).
//
// The check is a necessary condition (a flush_lsn past the LSN does not prove the same WAL is
// there), and sound at any moment: a snapshot taken while the compute is down after a crash is
// the one that matters, as a new compute soon writes past the lost LSNs again.

import type { SafekeeperClient } from '../clients/safekeeper.ts';
import { formatLsn, parseLsn } from '../wal/lsn.ts';
import type { Op, Violation } from './checker.ts';

/** One history line: `{"type":"durability","time":..,"tenant":..,"timeline":..,"safekeepers":{..}}`. */
export interface DurabilitySnapshot {
  type: 'durability';
  /** When the reads began (ms since the history started): writes acknowledged before are covered. */
  time: number;
  tenant: string;
  timeline: string;
  /** flush_lsn by safekeeper name ("sk1"); null for one that did not answer. */
  safekeepers: Record<string, string | null>;
}

export type SafekeeperFlushLsns = DurabilitySnapshot['safekeepers'];

/** Each safekeeper's flush_lsn of the timeline, retrying one that does not answer until the deadline. */
export async function readFlushLsns(safekeepers: SafekeeperClient[], tenant: string, timeline: string, timeoutMs = 10_000): Promise<SafekeeperFlushLsns> {
  const deadline = Date.now() + timeoutMs;
  const one = async (sk: SafekeeperClient): Promise<[string, string | null]> => {
    for (;;) {
      try {
        return [`sk${sk.id}`, (await sk.timeline(tenant, timeline)).flush_lsn];
      } catch {
        if (Date.now() > deadline) return [`sk${sk.id}`, null];
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  return Object.fromEntries(await Promise.all(safekeepers.map(one)));
}

/** Majority of the safekeepers named in a snapshot. */
export function quorumOf(snapshot: DurabilitySnapshot): number {
  return Math.floor(Object.keys(snapshot.safekeepers).length / 2) + 1;
}

/**
 * Every write acknowledged before a snapshot must be flushed on a majority at the snapshot. A
 * safekeeper that did not answer counts as having it (the check cannot tell), so a snapshot only
 * reports what it proves. One violation per write, at the first snapshot that misses it.
 */
/** `checked`: acknowledged writes compared with at least one snapshot. */
export function checkDurability(acked: Op[], snapshots: DurabilitySnapshot[]): { checked: number; violations: Violation[] } {
  const violations: Violation[] = [];
  const checked = new Set<Op>();
  const missed = new Set<Op>();
  for (const snap of [...snapshots].sort((a, b) => a.time - b.time)) {
    const quorum = quorumOf(snap);
    const flushed = Object.entries(snap.safekeepers).map(([name, lsn]) => ({ name, lsn: lsn === null ? null : parseLsn(lsn) }));
    for (const w of acked) {
      const e = w.events[0]!;
      if (w.lsn === null || w.end >= snap.time || e.tenant !== snap.tenant || e.timeline !== snap.timeline || missed.has(w)) continue;
      checked.add(w);
      const holding = flushed.filter((s) => s.lsn === null || s.lsn >= w.lsn!);
      if (holding.length >= quorum) continue;
      missed.add(w);
      const state = flushed.map((s) => `${s.name} ${s.lsn === null ? 'no answer' : formatLsn(s.lsn)}`).join(', ');
      violations.push({
        kind: 'not durable',
        key: w.key,
        message: `key ${w.key}: write ${JSON.stringify(w.value)} was acknowledged at ${w.end.toFixed(1)} ms with commit LSN ${formatLsn(w.lsn)}, but at ${snap.time.toFixed(1)} ms only ${holding.length} of ${flushed.length} safekeepers had flushed that far (${state}); a majority (${quorum}) must hold every acknowledged commit`,
        ops: w.events,
      });
    }
  }
  return { checked: checked.size, violations };
}
