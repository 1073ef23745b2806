// How far garbage collection may go on a timeline (concepts §4.3, Neon's find_gc_cutoffs): the
// space cutoff (last_record_lsn − gc_horizon) and the time cutoff (the LSN at now − pitr_interval,
// found from the commit times stored in the timeline, commit-times.ts). With PITR set the time
// cutoff governs, and when it cannot be found the cutoff does not advance; with PITR 0 the space
// cutoff governs, raised to the default 7-day time cutoff. The result is capped at
// disk_consistent_lsn and never moves back. The commit times live in the timeline's layers, so the
// lookup works the same after a restart, a detach/attach or a restore from remote storage.

import type { Lsn } from '../../../wal/lsn.ts';
import type { LsnForTimestamp } from './commit-times.ts';
export type { GcResult } from '../../../api/pageserver.ts';
import { parseDuration } from '../../../util/duration.ts';

export const DEFAULT_GC_HORIZON = 64 * 1024 * 1024;
export const DEFAULT_PITR_INTERVAL_MS = 7 * 86_400_000;
export const DEFAULT_GC_PERIOD_MS = 3_600_000;

export interface GcSettings {
  gcHorizon: number;
  pitrIntervalMs: number;
  gcPeriodMs: number;
}

/** The tenant's effective GC settings: its tenant config over Neon's defaults. */
export function gcSettings(tenantConf: Record<string, unknown>): GcSettings {
  const duration = (value: unknown, fallback: number) => (typeof value === 'string' ? parseDuration(value) : fallback);
  return {
    gcHorizon: typeof tenantConf['gc_horizon'] === 'number' ? tenantConf['gc_horizon'] : DEFAULT_GC_HORIZON,
    pitrIntervalMs: duration(tenantConf['pitr_interval'], DEFAULT_PITR_INTERVAL_MS),
    gcPeriodMs: duration(tenantConf['gc_period'], DEFAULT_GC_PERIOD_MS),
  };
}

export interface CutoffInput {
  lastRecordLsn: Lsn;
  diskConsistentLsn: Lsn;
  /** The cutoff applied so far. */
  current: Lsn;
  gcHorizon: number;
  pitrIntervalMs: number;
  /** The timeline's LSN-by-time lookup (commit-times.ts), at a time in µs since the Unix epoch. */
  lsnForTimestamp: (timeUs: number) => LsnForTimestamp;
  /** ms since the Unix epoch. */
  now: number;
}

/**
 * The LSN at now − pitr_interval (now − 7 days when PITR is 0), or null when the commit times
 * cannot say: none that old (past) or none at all (nodata). No commit since then (future): all of
 * the history is older, so the cutoff may go to the last record.
 */
function timeCutoff(input: CutoffInput): Lsn | null {
  const range = input.pitrIntervalMs > 0 ? input.pitrIntervalMs : DEFAULT_PITR_INTERVAL_MS;
  const found = input.lsnForTimestamp((input.now - range) * 1000);
  if (found.kind === 'present') return found.lsn;
  if (found.kind === 'future') return input.lastRecordLsn;
  return null;
}

/** Neon's find_gc_cutoffs: the two cutoffs, of which GC takes the lower. */
export function gcCutoffs(input: CutoffInput): { space: Lsn; time: Lsn } {
  const space = Math.max(0, input.lastRecordLsn - input.gcHorizon);
  const time = timeCutoff(input);
  if (input.pitrIntervalMs === 0) {
    // No PITR: the space cutoff, raised to the default time cutoff so that an idle timeline does
    // not keep its history forever.
    return { time: input.lastRecordLsn, space: time === null ? space : Math.max(time, space) };
  }
  // PITR set: the time cutoff governs. If it cannot be found the cutoff stays where it is.
  if (time === null) return { time: input.current, space };
  return { time, space: time };
}

/** The cutoff GC applies: the lower of the two, capped at disk_consistent_lsn, never moving back. */
export function nextGcCutoff(input: CutoffInput): Lsn {
  const { space, time } = gcCutoffs(input);
  return Math.max(input.current, Math.min(space, time, input.diskConsistentLsn));
}
