// neon-local's WAL format: the bytes a compute writes, safekeepers store and pageservers decode.
// Postgres-like in spirit (length, CRC, back-pointer to the previous record), much simpler in
// content: a record is a transaction, i.e. a list of key/value puts and deletes.
//
// Record = 24-byte header + payload, big-endian, total length a multiple of 8:
//    0  u32  total length (header + payload + zero padding to a multiple of 8)
//    4  u32  CRC-32 of bytes [8, total) then bytes [0, 4)   (covers everything but itself)
//    8  u64  LSN where the previous record starts (0 = unknown, e.g. the first after a branch point)
//   16  u8   type: 0 = padding, 1 = transaction
//   17  u8   flags: bit 0 = the payload starts with a commit timestamp (other bits must be 0)
//   18  u16  reserved (0)
//   20  u32  transaction id (informational; 0 for padding)
// Transaction payload: [i64 commit time, microseconds since the Unix epoch, when flag bit 0 is set]
// u32 count, then per mutation u8 op (1 put, 2 delete), u32 key length, key, and for puts u32 value
// length, value. The commit time is what Postgres's commit record carries (xact_time): the
// pageserver derives its LSN-by-time mapping from it. Records without it (WAL written before the
// flag existed) still decode, with no commit time.
//
// Placement rules, so that a reader can always find record boundaries from a segment start:
//  - WAL is cut in 16 MiB segments; a record never crosses a segment boundary;
//  - a record starts only where at least 24 bytes remain in the segment, else at the next segment;
//  - if a record does not fit in what remains, a padding record fills the segment first.
// A record's LSN for visibility is its end: a version written by a record is visible at LSN L when
// the record ends at or before L.

import zlib from 'node:zlib';
import { readLsn, writeLsn, type Lsn } from './lsn.ts';

export const SEGMENT_SIZE = 16 * 1024 * 1024;
export const HEADER_SIZE = 24;
export const RECORD_ALIGN = 8;
/** Largest payload a record may carry; bigger transactions are refused by the writer. */
export const MAX_PAYLOAD = 4 * 1024 * 1024;
/** Where a new timeline's WAL begins: the start of segment 1. */
export const INITDB_LSN: Lsn = SEGMENT_SIZE;

export const enum RecordType {
  Padding = 0,
  Transaction = 1,
}

/** Header flag: the transaction payload starts with an i64 commit time (µs since the Unix epoch). */
export const FLAG_COMMIT_TIME = 0x01;
const KNOWN_FLAGS = FLAG_COMMIT_TIME;
export const COMMIT_TIME_BYTES = 8;

export interface Mutation {
  key: Buffer;
  /** null deletes the key. */
  value: Buffer | null;
}

export interface WalRecord {
  startLsn: Lsn;
  endLsn: Lsn;
  prevLsn: Lsn;
  type: RecordType;
  xid: number;
  /** When the transaction committed, in µs since the Unix epoch; null if the record does not say. */
  commitTimeUs: number | null;
  mutations: Mutation[];
}

export function align(n: number): number {
  return Math.ceil(n / RECORD_ALIGN) * RECORD_ALIGN;
}

function segmentEnd(lsn: Lsn): Lsn {
  return (Math.floor(lsn / SEGMENT_SIZE) + 1) * SEGMENT_SIZE;
}

/** Where a record may start at or after `lsn` (8-aligned, at least a header's room in the segment). */
export function recordStartAt(lsn: Lsn): Lsn {
  const aligned = align(lsn);
  return segmentEnd(aligned) - aligned < HEADER_SIZE ? segmentEnd(aligned) : aligned;
}

export function encodeTransactionPayload(mutations: Mutation[]): Buffer {
  let size = 4;
  for (const m of mutations) size += 1 + 4 + m.key.length + (m.value ? 4 + m.value.length : 0);
  const buf = Buffer.alloc(size);
  let o = buf.writeUInt32BE(mutations.length, 0);
  for (const m of mutations) {
    o = buf.writeUInt8(m.value ? 1 : 2, o);
    o = buf.writeUInt32BE(m.key.length, o);
    o += m.key.copy(buf, o);
    if (m.value) {
      o = buf.writeUInt32BE(m.value.length, o);
      o += m.value.copy(buf, o);
    }
  }
  return buf;
}

export function decodeTransactionPayload(payload: Buffer): Mutation[] {
  const count = payload.readUInt32BE(0);
  const out: Mutation[] = [];
  let o = 4;
  for (let i = 0; i < count; i++) {
    const op = payload.readUInt8(o);
    const keyLength = payload.readUInt32BE(o + 1);
    o += 5;
    const key = Buffer.from(payload.subarray(o, o + keyLength));
    o += keyLength;
    let value: Buffer | null = null;
    if (op === 1) {
      const valueLength = payload.readUInt32BE(o);
      value = Buffer.from(payload.subarray(o + 4, o + 4 + valueLength));
      o += 4 + valueLength;
    } else if (op !== 2) {
      throw new Error(`unknown mutation op ${op}`);
    }
    out.push({ key, value });
  }
  return out;
}

/** A transaction record's payload with its commit time, if `flags` say it has one. */
export function encodeTransactionBody(mutations: Mutation[], commitTimeUs: number | null): { payload: Buffer; flags: number } {
  const payload = encodeTransactionPayload(mutations);
  if (commitTimeUs === null) return { payload, flags: 0 };
  const time = Buffer.alloc(COMMIT_TIME_BYTES);
  time.writeBigInt64BE(BigInt(Math.round(commitTimeUs)));
  return { payload: Buffer.concat([time, payload]), flags: FLAG_COMMIT_TIME };
}

/** The commit time of a transaction record's body (null without the flag). */
export function decodeCommitTime(body: Buffer, flags: number): number | null {
  return flags & FLAG_COMMIT_TIME ? Number(body.readBigInt64BE(0)) : null;
}

/** A transaction record's mutations (after the commit time, when there is one). */
export function decodeTransactionBody(body: Buffer, flags: number): Mutation[] {
  return decodeTransactionPayload(flags & FLAG_COMMIT_TIME ? body.subarray(COMMIT_TIME_BYTES) : body);
}

function crcOf(record: Buffer): number {
  return zlib.crc32(record.subarray(0, 4), zlib.crc32(record.subarray(8)));
}

/** One record's bytes (header + payload + alignment zeros). */
export function encodeRecord(type: RecordType, prevLsn: Lsn, xid: number, payload: Buffer, options: { totalLength?: number; flags?: number } = {}): Buffer {
  const totalLength = options.totalLength ?? align(HEADER_SIZE + payload.length);
  const record = Buffer.alloc(totalLength);
  record.writeUInt32BE(totalLength, 0);
  writeLsn(record, prevLsn, 8);
  record.writeUInt8(type, 16);
  record.writeUInt8(options.flags ?? 0, 17);
  record.writeUInt32BE(xid, 20);
  payload.copy(record, HEADER_SIZE);
  record.writeUInt32BE(crcOf(record), 4);
  return record;
}

export type HeaderCheck =
  | { ok: true; totalLength: number; prevLsn: Lsn; type: RecordType; flags: number; xid: number }
  | { ok: false; reason: string };

/** Validates the record at the start of `bytes` (which must hold at least the whole record). */
export function checkRecord(bytes: Buffer, startLsn: Lsn): HeaderCheck {
  if (bytes.length < HEADER_SIZE) return { ok: false, reason: 'truncated header' };
  const totalLength = bytes.readUInt32BE(0);
  if (totalLength < HEADER_SIZE || totalLength % RECORD_ALIGN !== 0) return { ok: false, reason: `bad record length ${totalLength}` };
  if (startLsn + totalLength > segmentEnd(startLsn)) return { ok: false, reason: 'record crosses a segment boundary' };
  if (bytes.length < totalLength) return { ok: false, reason: 'truncated record' };
  const record = bytes.subarray(0, totalLength);
  if (record.readUInt32BE(4) !== crcOf(record)) return { ok: false, reason: 'CRC mismatch' };
  const type = record.readUInt8(16) as RecordType;
  if (type !== RecordType.Padding && type !== RecordType.Transaction) return { ok: false, reason: `unknown record type ${type}` };
  const flags = record.readUInt8(17);
  // An unknown flag would change how the payload reads: refuse rather than misread it.
  if (flags & ~KNOWN_FLAGS || (flags && type !== RecordType.Transaction)) return { ok: false, reason: `unknown record flags 0x${flags.toString(16)}` };
  if (flags & FLAG_COMMIT_TIME && totalLength < HEADER_SIZE + COMMIT_TIME_BYTES + 4) return { ok: false, reason: 'record too short for its commit time' };
  return { ok: true, totalLength, prevLsn: readLsn(record, 8), type, flags, xid: record.readUInt32BE(20) };
}
