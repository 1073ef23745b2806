// Decoding a WAL byte stream into records, incrementally (bytes arrive in arbitrary chunks).

import { checkRecord, decodeCommitTime, decodeTransactionBody, HEADER_SIZE, recordStartAt, RecordType, SEGMENT_SIZE, type WalRecord } from './format.ts';
import { formatLsn, type Lsn } from './lsn.ts';

export class WalCorruptionError extends Error {
  override name = 'WalCorruptionError';
}

export class WalReader {
  private pending: Buffer = Buffer.alloc(0);
  /** LSN of pending[0]. */
  private pendingLsn: Lsn;
  private expectedPrev: Lsn;

  /**
   * `startLsn` must be a record boundary (an end of record, or a timeline's start). With
   * `boundariesOnly`, records are validated but their mutations not decoded (safekeepers only need
   * to know where records end).
   */
  constructor(startLsn: Lsn, prevLsn: Lsn = 0, private readonly boundariesOnly = false) {
    this.pendingLsn = startLsn;
    this.expectedPrev = prevLsn;
  }

  /** End of the last complete record decoded. */
  get position(): Lsn {
    return this.pendingLsn;
  }

  /** End of the bytes fed so far (the next feed must start here). */
  get fedEnd(): Lsn {
    return this.pendingLsn + this.pending.length;
  }

  /** Feeds bytes that start exactly at the current end of what was fed; returns the complete records. */
  feed(bytes: Buffer): WalRecord[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    const records: WalRecord[] = [];
    for (;;) {
      const start = recordStartAt(this.pendingLsn);
      const skip = start - this.pendingLsn;
      if (this.pending.length < skip + HEADER_SIZE) break;
      const length = this.pending.readUInt32BE(skip);
      const plausible = length >= HEADER_SIZE && start + length <= (Math.floor(start / SEGMENT_SIZE) + 1) * SEGMENT_SIZE;
      if (plausible && this.pending.length < skip + length) break; // wait for the rest of the record
      const check = checkRecord(this.pending.subarray(skip), start);
      if (!check.ok) throw new WalCorruptionError(`invalid WAL record at ${formatLsn(start)}: ${check.reason}`);
      if (this.expectedPrev !== 0 && check.prevLsn !== 0 && check.prevLsn !== this.expectedPrev) {
        throw new WalCorruptionError(`WAL record at ${formatLsn(start)} points back to ${formatLsn(check.prevLsn)}, expected ${formatLsn(this.expectedPrev)}`);
      }
      const body = this.pending.subarray(skip + HEADER_SIZE, skip + check.totalLength);
      records.push({
        startLsn: start,
        endLsn: start + check.totalLength,
        prevLsn: check.prevLsn,
        type: check.type,
        xid: check.xid,
        commitTimeUs: decodeCommitTime(body, check.flags),
        mutations: check.type === RecordType.Transaction && !this.boundariesOnly ? decodeTransactionBody(body, check.flags) : [],
      });
      this.expectedPrev = start;
      this.pending = this.pending.subarray(skip + check.totalLength);
      this.pendingLsn = start + check.totalLength;
    }
    return records;
  }
}

/**
 * The end of valid WAL in `bytes` (which start at record boundary `startLsn`): where the first
 * incomplete or invalid record begins. Used by a safekeeper on startup to find its flush LSN.
 */
export function findEndOfWal(bytes: Buffer, startLsn: Lsn): Lsn {
  let lsn = startLsn;
  let prev = 0;
  for (;;) {
    const start = recordStartAt(lsn);
    const offset = start - startLsn;
    const check = checkRecord(bytes.subarray(offset), start);
    if (!check.ok) return lsn;
    if (prev !== 0 && check.prevLsn !== 0 && check.prevLsn !== prev) return lsn;
    prev = start;
    lsn = start + check.totalLength;
  }
}
