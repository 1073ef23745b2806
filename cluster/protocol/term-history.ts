// Term histories: which leader (term) wrote the WAL from which LSN on. Both sides of the consensus
// use them: the proposer to find where a safekeeper's WAL diverges from its own, the safekeeper to
// check that point before truncating. Rules from neon safekeeper.rs (TermHistory).

import type { Lsn } from '../wal/lsn.ts';

export interface TermLsn {
  term: number;
  lsn: Lsn;
}

export type TermHistory = TermLsn[];

/** The entries whose term started at or before `lsn`. */
export function historyUpTo(history: TermHistory, lsn: Lsn): TermHistory {
  const out: TermHistory = [];
  for (const entry of history) {
    if (entry.lsn > lsn) break;
    out.push(entry);
  }
  return out;
}

/** The term of the last entry at or below `flushLsn` (0 if none): a safekeeper's last_log_term. */
export function lastLogTerm(history: TermHistory, flushLsn: Lsn): number {
  const upTo = historyUpTo(history, flushLsn);
  return upTo.length ? upTo[upTo.length - 1]!.term : 0;
}

export class TermHistoryError extends Error {
  override name = 'TermHistoryError';
}

/**
 * Where the proposer's and a safekeeper's WAL stop agreeing. The proposer's history extends to
 * infinity, the safekeeper's to its flush LSN. null when they share no term at all.
 */
export function findHighestCommonPoint(proposer: TermHistory, safekeeper: TermHistory, skFlushLsn: Lsn): TermLsn | null {
  const last = safekeeper[safekeeper.length - 1];
  if (last && last.lsn > skFlushLsn) {
    throw new TermHistoryError(`safekeeper term history ends at ${last.lsn}, beyond its WAL end ${skFlushLsn}`);
  }
  let common = -1;
  for (let i = 0; i < Math.min(proposer.length, safekeeper.length); i++) {
    if (proposer[i]!.term !== safekeeper[i]!.term) break;
    if (proposer[i]!.lsn !== safekeeper[i]!.lsn) {
      throw new TermHistoryError(`term ${proposer[i]!.term} starts at different LSNs: proposer ${proposer[i]!.lsn}, safekeeper ${safekeeper[i]!.lsn}`);
    }
    common = i;
  }
  if (common < 0) return null;
  const term = proposer[common]!.term;
  if (common === proposer.length - 1) return { term, lsn: skFlushLsn };
  const proposerEnd = proposer[common + 1]!.lsn;
  const safekeeperEnd = common + 1 < safekeeper.length ? safekeeper[common + 1]!.lsn : skFlushLsn;
  return { term, lsn: Math.min(proposerEnd, safekeeperEnd) };
}
