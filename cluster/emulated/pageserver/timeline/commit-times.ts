// A timeline's LSN ↔ time mapping, derived from the data as Neon's is (it reads commit timestamps
// from CLOG pages). Each commit record carries its commit time (cluster/wal/format.ts); ingest
// stores it at a reserved key, versioned by the record's LSN like any value, so it goes into layer
// files, is uploaded, restored on attach and survives restarts. The value at LSN L is the latest
// commit time at or before L — a running maximum, so "some commit at or before L is at or after T"
// is monotonic in L even when a clock steps back, which is what makes a binary search over LSNs
// valid (Neon's check over all CLOG pages has the same property).

import type { Mutation, WalRecord } from '../../../wal/format.ts';
import type { Lsn } from '../../../wal/lsn.ts';

/**
 * Keys starting with 0xFF belong to the pageserver; the compute's layout (compute/data/keys.ts)
 * uses 0x00 and 0x01. A range scan from the compute always has an end below this prefix.
 */
export const COMMIT_TIME_KEY = Buffer.concat([Buffer.from([0xff]), Buffer.from('latest_commit_time')]);

export function encodeCommitTime(us: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(us));
  return b;
}

export function decodeCommitTime(value: Buffer | null): number | null {
  return value && value.length === 8 ? Number(value.readBigInt64BE(0)) : null;
}

/** Adds the commit-time version to what a record writes, when it moves the running maximum. */
export class CommitTimeTracker {
  /** undefined until read from the store (lazily: the first record with a time after a load). */
  private latest: number | null | undefined;

  constructor(private readonly readLatest: () => number | null) {}

  mutationsFor(record: WalRecord): Mutation[] {
    if (record.commitTimeUs === null) return record.mutations;
    if (this.latest === undefined) this.latest = this.readLatest();
    if (this.latest !== null && record.commitTimeUs <= this.latest) return record.mutations;
    this.latest = record.commitTimeUs;
    return [...record.mutations, { key: COMMIT_TIME_KEY, value: encodeCommitTime(record.commitTimeUs) }];
  }
}

/** Neon's LsnForTimestamp: where the LSN found lies relative to the commits searched. */
export type LsnForTimestampKind = 'present' | 'future' | 'past' | 'nodata';
export interface LsnForTimestamp {
  kind: LsnForTimestampKind;
  lsn: Lsn;
}

/**
 * The LSN at which every commit before `searchUs` is visible and nothing newer (Neon's
 * find_lsn_for_timestamp), searched in [minLsn, maxLsn] at 8-byte granularity. `latestAt(lsn)` is
 * the latest commit time at or before `lsn` (null: no commit yet).
 *  - present: commits on both sides of the time; the LSN just before the first one at or after it;
 *  - future: every commit is older (the LSN is maxLsn): nothing committed since that time;
 *  - past: every commit searched is at or after the time (the LSN is minLsn): that history is gone;
 *  - nodata: no commit carries a time (the LSN is minLsn).
 */
export function findLsnForTimestamp(searchUs: number, minLsn: Lsn, maxLsn: Lsn, latestAt: (lsn: Lsn) => number | null): LsnForTimestamp {
  let low = Math.floor(minLsn / 8);
  let high = Math.floor(maxLsn / 8) + 1;
  let foundSmaller = false;
  let foundLarger = false;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    const latest = latestAt(mid * 8);
    const atOrAfter = latest !== null && latest >= searchUs;
    if (atOrAfter) foundLarger = true;
    else if (latest !== null) foundSmaller = true;
    if (atOrAfter) high = mid;
    else low = mid + 1;
  }
  const commitLsn = (low - 1) * 8;
  if (!foundSmaller) return { kind: foundLarger ? 'past' : 'nodata', lsn: minLsn };
  if (commitLsn < minLsn) return { kind: 'past', lsn: minLsn };
  return { kind: foundLarger ? 'present' : 'future', lsn: commitLsn };
}

/**
 * An RFC 3339 UTC timestamp as humantime::parse_rfc3339 takes it (`2024-05-01T12:00:00Z`, up to 9
 * fractional digits, `Z` only), in µs since the Unix epoch; null if it is not one.
 */
export function parseRfc3339Us(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(ms).getUTCDate() !== day) return null; // 31 April, 29 February of a common year
  return ms * 1000 + Math.floor(Number((m[7] ?? '').padEnd(6, '0').slice(0, 6)));
}
