// How far garbage collection may go on a timeline (concepts §4.3): the space cutoff
// (last_record_lsn − gc_horizon) and, with PITR, the time cutoff (the LSN at now − pitr_interval);
// the effective cutoff is the lower of the two, capped at disk_consistent_lsn, and never moves back.
//
// Neon finds the time cutoff from commit timestamps in the WAL. Our WAL records carry none, so a
// timeline remembers when it ingested which LSN (LsnTimes). Those samples live in memory: after a
// restart the time lookup fails until enough history has been seen again, and, as in Neon when
// the lookup fails, the cutoff then does not advance.

import type { Lsn } from '../../../wal/lsn.ts';
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

const MAX_SAMPLES = 10_000;
const SAMPLE_EVERY_MS = 1000;

/** (time, LSN) samples taken as WAL is ingested, at most one per second, thinned when full. */
export class LsnTimes {
  private times: number[] = [];
  private lsns: Lsn[] = [];

  record(lsn: Lsn, now = Date.now()): void {
    const last = this.times.length - 1;
    if (last >= 0 && now - this.times[last]! < SAMPLE_EVERY_MS) {
      this.lsns[last] = lsn;
      return;
    }
    this.times.push(now);
    this.lsns.push(lsn);
    if (this.times.length > MAX_SAMPLES) {
      // Keep the range covered, halve the resolution.
      this.times = this.times.filter((_, i) => i % 2 === 0 || i === this.times.length - 1);
      this.lsns = this.lsns.filter((_, i) => i % 2 === 0 || i === this.lsns.length - 1);
    }
  }

  /** The last LSN ingested at or before `time`; null when there is no sample that old. */
  lsnAt(time: number): Lsn | null {
    let lo = 0;
    let hi = this.times.length - 1;
    let found: Lsn | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid]! <= time) {
        found = this.lsns[mid]!;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}

export interface CutoffInput {
  lastRecordLsn: Lsn;
  diskConsistentLsn: Lsn;
  /** The cutoff applied so far. */
  current: Lsn;
  gcHorizon: number;
  pitrIntervalMs: number;
  lsnAt: (time: number) => Lsn | null;
  now: number;
}

export function nextGcCutoff(input: CutoffInput): Lsn {
  let cutoff = Math.max(0, input.lastRecordLsn - input.gcHorizon);
  if (input.pitrIntervalMs > 0) {
    const timeCutoff = input.lsnAt(input.now - input.pitrIntervalMs);
    if (timeCutoff === null) return input.current;
    cutoff = Math.min(cutoff, timeCutoff);
  }
  return Math.max(input.current, Math.min(cutoff, input.diskConsistentLsn));
}
