/*
 * The layer file format, shared by delta and image layers (format version 1).
 *
 * Integers are little-endian. A u64 is stored as two u32 (low word first) and is always a safe
 * integer (< 2^53). Keys are arbitrary byte strings ordered by memcmp (Buffer.compare).
 *
 *   header  16 bytes   magic "NLLAYER\0" | u32 format version | u32 kind (1 = delta, 2 = image)
 *
 *   blocks  one after the other from offset 16:
 *           u32 payloadLen | u32 crc32(payload) | payload
 *           payload = entries sorted by key, then LSN ascending; an entry never spans two blocks:
 *             u32 keyLen | key | u64 lsn | i32 valueLen (-1 = tombstone) | value
 *           A block is closed before an entry that would take it past ~64 KiB, so a block is larger
 *           only when it holds a single entry bigger than that.
 *           Delta layers hold every version in their LSN range; image layers hold one entry per key,
 *           all at the image LSN, tombstones included (a deleted key stays "deleted", which keeps
 *           `found: true, value: null` distinct from "never written" across compaction).
 *
 *   index   u32 blockCount
 *           per block: u64 offset | u32 length (header included) | u64 first LSN | u32 keyLen | first key
 *           then the key range: u32 len | keyStart | u8 bounded | u32 len | keyEnd (len 0 if unbounded)
 *           then a Bloom filter of the distinct keys (bloom-filter.ts): u32 byteLen | bytes
 *           Readers keep the index in memory (the sparse index: one key per ~64 KiB of data, and
 *           the filter: ~10 bits per key).
 *
 *   footer  64 bytes at the end of the file:
 *           u64 indexOffset | u32 indexLen | u32 crc32(index) | u64 entryCount | u64 lsnStart |
 *           u64 lsnEnd | u32 kind | u32 format version | u32 reserved | u32 crc32(footer bytes 0..51) |
 *           magic "NLLAYEND"
 *
 * LSN ranges are half-open like Neon's: a delta holds versions with lsnStart <= lsn < lsnEnd; an
 * image at LSN E (the state as of E, i.e. of every version <= E) has lsnStart = E, lsnEnd = E + 1.
 * Key ranges are half-open [keyStart, keyEnd); an unbounded keyEnd is stored as bounded = 0. A delta's
 * key range is tight (first key, successor of the last key); an image's is the range it covers.
 */

import zlib from 'node:zlib';
import { StorageError } from './errors.ts';

export type LayerKind = 'delta' | 'image';

export const FORMAT_VERSION = 1;
export const HEADER_SIZE = 16;
export const FOOTER_SIZE = 64;
export const BLOCK_HEADER_SIZE = 8;
export const BLOCK_TARGET_BYTES = 64 * 1024;
/** keyLen + lsn + valueLen */
export const ENTRY_OVERHEAD = 16;

const HEADER_MAGIC = Buffer.from('NLLAYER\0', 'latin1');
const FOOTER_MAGIC = Buffer.from('NLLAYEND', 'latin1');
const KIND_CODES: Record<LayerKind, number> = { delta: 1, image: 2 };

export function writeU64(buf: Buffer, offset: number, n: number): void {
  buf.writeUInt32LE(n % 0x1_0000_0000, offset);
  buf.writeUInt32LE(Math.floor(n / 0x1_0000_0000), offset + 4);
}

export function readU64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * 0x1_0000_0000;
}

export function crc32(data: Uint8Array): number {
  return zlib.crc32(data) >>> 0;
}

export function encodeHeader(kind: LayerKind): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE);
  HEADER_MAGIC.copy(buf, 0);
  buf.writeUInt32LE(FORMAT_VERSION, 8);
  buf.writeUInt32LE(KIND_CODES[kind], 12);
  return buf;
}

export function checkHeader(buf: Buffer, file: string): LayerKind {
  if (buf.length < HEADER_SIZE || !buf.subarray(0, 8).equals(HEADER_MAGIC)) throw corrupt(file, 'bad header magic');
  const version = buf.readUInt32LE(8);
  if (version !== FORMAT_VERSION) throw corrupt(file, `unsupported format version ${version}`);
  return kindFromCode(buf.readUInt32LE(12), file);
}

export interface Footer {
  indexOffset: number;
  indexLen: number;
  indexCrc: number;
  entryCount: number;
  lsnStart: number;
  lsnEnd: number;
  kind: LayerKind;
}

export function encodeFooter(f: Footer): Buffer {
  const buf = Buffer.alloc(FOOTER_SIZE);
  writeU64(buf, 0, f.indexOffset);
  buf.writeUInt32LE(f.indexLen, 8);
  buf.writeUInt32LE(f.indexCrc, 12);
  writeU64(buf, 16, f.entryCount);
  writeU64(buf, 24, f.lsnStart);
  writeU64(buf, 32, f.lsnEnd);
  buf.writeUInt32LE(KIND_CODES[f.kind], 40);
  buf.writeUInt32LE(FORMAT_VERSION, 44);
  buf.writeUInt32LE(0, 48);
  buf.writeUInt32LE(crc32(buf.subarray(0, 52)), 52);
  FOOTER_MAGIC.copy(buf, 56);
  return buf;
}

export function decodeFooter(buf: Buffer, file: string): Footer {
  if (buf.length !== FOOTER_SIZE || !buf.subarray(56).equals(FOOTER_MAGIC)) throw corrupt(file, 'bad footer magic');
  if (buf.readUInt32LE(52) !== crc32(buf.subarray(0, 52))) throw corrupt(file, 'footer checksum mismatch');
  const version = buf.readUInt32LE(44);
  if (version !== FORMAT_VERSION) throw corrupt(file, `unsupported format version ${version}`);
  return {
    indexOffset: readU64(buf, 0),
    indexLen: buf.readUInt32LE(8),
    indexCrc: buf.readUInt32LE(12),
    entryCount: readU64(buf, 16),
    lsnStart: readU64(buf, 24),
    lsnEnd: readU64(buf, 32),
    kind: kindFromCode(buf.readUInt32LE(40), file),
  };
}

/** The in-memory sparse index of one layer file. First keys are latin1 strings: one byte per char,
 * so `<` on them is memcmp order, and they are cheaper to hold than Buffer views. */
export interface SparseIndex {
  offsets: Float64Array;
  lengths: Float64Array;
  firstLsns: Float64Array;
  firstKeys: string[];
  keyStart: Buffer;
  keyEnd: Buffer | null;
  filter: Uint8Array;
}

export interface IndexBlock {
  offset: number;
  length: number;
  firstLsn: number;
  firstKey: Buffer;
}

export function encodeIndex(blocks: IndexBlock[], keyStart: Buffer, keyEnd: Buffer | null, filter: Uint8Array): Buffer {
  let size = 4 + 4 + keyStart.length + 1 + 4 + (keyEnd?.length ?? 0) + 4 + filter.length;
  for (const b of blocks) size += 24 + b.firstKey.length;
  const buf = Buffer.alloc(size);
  let pos = buf.writeUInt32LE(blocks.length, 0);
  for (const b of blocks) {
    writeU64(buf, pos, b.offset);
    buf.writeUInt32LE(b.length, pos + 8);
    writeU64(buf, pos + 12, b.firstLsn);
    buf.writeUInt32LE(b.firstKey.length, pos + 20);
    pos += 24 + b.firstKey.copy(buf, pos + 24);
  }
  pos = buf.writeUInt32LE(keyStart.length, pos);
  pos += keyStart.copy(buf, pos);
  pos = buf.writeUInt8(keyEnd ? 1 : 0, pos);
  pos = buf.writeUInt32LE(keyEnd?.length ?? 0, pos);
  if (keyEnd) pos += keyEnd.copy(buf, pos);
  pos = buf.writeUInt32LE(filter.length, pos);
  buf.set(filter, pos);
  return buf;
}

export function decodeIndex(buf: Buffer, file: string): SparseIndex {
  try {
    const count = buf.readUInt32LE(0);
    const index: SparseIndex = {
      offsets: new Float64Array(count),
      lengths: new Float64Array(count),
      firstLsns: new Float64Array(count),
      firstKeys: new Array<string>(count),
      keyStart: Buffer.alloc(0),
      keyEnd: null,
      filter: new Uint8Array(0),
    };
    let pos = 4;
    for (let i = 0; i < count; i++) {
      index.offsets[i] = readU64(buf, pos);
      index.lengths[i] = buf.readUInt32LE(pos + 8);
      index.firstLsns[i] = readU64(buf, pos + 12);
      const keyLen = buf.readUInt32LE(pos + 20);
      index.firstKeys[i] = buf.toString('latin1', pos + 24, pos + 24 + keyLen);
      pos += 24 + keyLen;
    }
    const startLen = buf.readUInt32LE(pos);
    index.keyStart = Buffer.from(buf.subarray(pos + 4, pos + 4 + startLen));
    pos += 4 + startLen;
    const bounded = buf.readUInt8(pos) === 1;
    const endLen = buf.readUInt32LE(pos + 1);
    index.keyEnd = bounded ? Buffer.from(buf.subarray(pos + 5, pos + 5 + endLen)) : null;
    pos += 5 + endLen;
    const filterLen = buf.readUInt32LE(pos);
    index.filter = new Uint8Array(buf.subarray(pos + 4, pos + 4 + filterLen)); // a copy: the index buffer is dropped
    if (pos + 4 + filterLen !== buf.length) throw new Error('trailing bytes');
    return index;
  } catch (err) {
    throw corrupt(file, `unreadable index (${(err as Error).message})`);
  }
}

/** Bytes one entry takes in a block. */
export function entrySize(keyLen: number, value: Buffer | null): number {
  return ENTRY_OVERHEAD + keyLen + (value?.length ?? 0);
}

/** Writes one entry at `pos`; returns the position after it. */
export function writeEntry(buf: Buffer, pos: number, key: Buffer, lsn: number, value: Buffer | null): number {
  pos = buf.writeUInt32LE(key.length, pos);
  pos += key.copy(buf, pos);
  writeU64(buf, pos, lsn);
  pos = buf.writeInt32LE(value ? value.length : -1, pos + 8);
  return value ? pos + value.copy(buf, pos) : pos;
}

/** A block read from disk: its bytes (block header included) and where each entry starts. */
export interface Block {
  buf: Buffer;
  entryOffsets: Int32Array;
}

export function parseBlock(buf: Buffer, file: string): Block {
  const payloadLen = buf.length - BLOCK_HEADER_SIZE;
  if (payloadLen < 0 || buf.readUInt32LE(0) !== payloadLen) throw corrupt(file, 'block length mismatch');
  if (buf.readUInt32LE(4) !== crc32(buf.subarray(BLOCK_HEADER_SIZE))) throw corrupt(file, 'block checksum mismatch');
  const starts: number[] = [];
  let pos = BLOCK_HEADER_SIZE;
  while (pos < buf.length) {
    starts.push(pos);
    const keyLen = buf.readUInt32LE(pos);
    const valueLen = buf.readInt32LE(pos + 12 + keyLen);
    pos += ENTRY_OVERHEAD + keyLen + Math.max(valueLen, 0);
  }
  if (pos !== buf.length) throw corrupt(file, 'block entries overrun the block');
  return { buf, entryOffsets: Int32Array.from(starts) };
}

// Accessors for the entry starting at `pos` in a block buffer.
export const entryKeyStart = (pos: number): number => pos + 4;
export const entryKeyEnd = (buf: Buffer, pos: number): number => pos + 4 + buf.readUInt32LE(pos);
export const entryLsn = (buf: Buffer, pos: number): number => readU64(buf, entryKeyEnd(buf, pos));

/** The entry's value as a view into `buf` (null for a tombstone). */
export function entryValue(buf: Buffer, pos: number): Buffer | null {
  const at = entryKeyEnd(buf, pos) + 8;
  const len = buf.readInt32LE(at);
  return len < 0 ? null : buf.subarray(at + 4, at + 4 + len);
}

function kindFromCode(code: number, file: string): LayerKind {
  if (code === KIND_CODES.delta) return 'delta';
  if (code === KIND_CODES.image) return 'image';
  throw corrupt(file, `unknown layer kind ${code}`);
}

export function corrupt(file: string, what: string): StorageError {
  return new StorageError('corrupt', `layer file ${file}: ${what}`);
}
