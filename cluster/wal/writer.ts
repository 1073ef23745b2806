// Generating WAL: turns transactions into the exact byte stream that follows the current end of
// WAL — gaps, padding records and alignment included — so the stream stays contiguous.

import { COMMIT_TIME_BYTES, encodeRecord, encodeTransactionBody, HEADER_SIZE, MAX_PAYLOAD, recordStartAt, RecordType, SEGMENT_SIZE, align, type Mutation } from './format.ts';
import type { Lsn } from './lsn.ts';

export interface Appended {
  /** Bytes covering [bytesStart, endLsn): alignment, a padding record, then the transaction. */
  bytes: Buffer;
  /** The previous end of WAL, where `bytes` go (before startLsn when padding was needed). */
  bytesStart: Lsn;
  /** Where the transaction record starts and ends. */
  startLsn: Lsn;
  endLsn: Lsn;
}

export class WalWriter {
  constructor(
    /** End of WAL: where the next bytes go. */
    private position: Lsn,
    /** Start of the last record (0 if unknown). */
    private prevLsn: Lsn,
  ) {}

  get endLsn(): Lsn {
    return this.position;
  }

  get lastRecordStart(): Lsn {
    return this.prevLsn;
  }

  /** `commitTimeUs`: the commit timestamp the record carries (µs since the Unix epoch), or none. */
  appendTransaction(xid: number, mutations: Mutation[], commitTimeUs: number | null = null): Appended {
    const { payload, flags } = encodeTransactionBody(mutations, commitTimeUs);
    const changes = payload.length - (flags ? COMMIT_TIME_BYTES : 0); // the limit is on the changes
    if (changes > MAX_PAYLOAD) {
      throw new RangeError(`a transaction of ${changes} bytes exceeds the ${MAX_PAYLOAD}-byte record limit`);
    }
    const length = align(HEADER_SIZE + payload.length);
    const chunks: Buffer[] = [];
    const from = this.position;
    let start = recordStartAt(this.position);
    const segmentEnd = (Math.floor(start / SEGMENT_SIZE) + 1) * SEGMENT_SIZE;
    if (start + length > segmentEnd) {
      // Not enough room: a padding record fills the segment, the transaction starts the next one.
      if (start > from) chunks.push(Buffer.alloc(start - from));
      chunks.push(encodeRecord(RecordType.Padding, this.prevLsn, 0, Buffer.alloc(0), { totalLength: segmentEnd - start }));
      this.prevLsn = start;
      this.position = segmentEnd;
      start = recordStartAt(segmentEnd);
    }
    if (start > this.position) chunks.push(Buffer.alloc(start - this.position));
    chunks.push(encodeRecord(RecordType.Transaction, this.prevLsn, xid, payload, { flags }));
    this.prevLsn = start;
    this.position = start + length;
    return { bytes: Buffer.concat(chunks), bytesStart: from, startLsn: start, endLsn: this.position };
  }
}
