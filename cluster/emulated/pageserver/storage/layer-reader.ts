// An open layer file: its footer and sparse index in memory, its blocks read on demand with
// positional reads. The file descriptor stays open for the layer's life and is closed once the
// layer has left the layer map and no scan holds it any more (reference count). Removing the file
// does not disturb readers: on Linux an unlinked file stays readable through an open descriptor.

import fs from 'node:fs';
import path from 'node:path';
import { blockCache } from './block-cache.ts';
import { BloomFilter, hashKey } from './bloom-filter.ts';
import { StorageError } from './errors.ts';
import {
  checkHeader,
  corrupt,
  crc32,
  decodeFooter,
  decodeIndex,
  entryKeyEnd,
  entryKeyStart,
  entryLsn,
  entryValue,
  FOOTER_SIZE,
  HEADER_SIZE,
  parseBlock,
  type Block,
  type LayerKind,
  type SparseIndex,
} from './layer-format.ts';
import { keyHex } from './layer-name.ts';
import type { Entry } from './merge.ts';

export interface LayerInfo {
  name: string;
  kind: 'delta' | 'image';
  keyStart: string /* hex */;
  /** Exclusive; '' means unbounded (the empty key is never the end of a non-empty range). */
  keyEnd: string;
  lsnStart: number;
  lsnEnd: number;
  sizeBytes: number;
}

export interface Version {
  lsn: number;
  value: Buffer | null;
}

let nextUid = 1;

export class DiskLayer {
  readonly uid = nextUid++;
  readonly name: string;
  readonly kind: LayerKind;
  readonly lsnStart: number;
  readonly lsnEnd: number;
  readonly sizeBytes: number;
  readonly entryCount: number;
  readonly keyStart: Buffer;
  readonly keyEnd: Buffer | null;
  readonly #file: string;
  readonly #index: SparseIndex;
  readonly #filter: BloomFilter;
  readonly #indexOffset: number;
  #fd: number;
  #refs = 1; // the layer map's reference
  /** Called once the file is closed (the store stops tracking the layer). */
  onClosed: (() => void) | undefined;

  private constructor(file: string, fd: number) {
    this.#file = file;
    this.name = path.basename(file);
    this.#fd = fd;
    this.sizeBytes = fs.fstatSync(fd).size;
    if (this.sizeBytes < HEADER_SIZE + FOOTER_SIZE) throw corrupt(file, 'too short');
    const kind = checkHeader(this.#read(0, HEADER_SIZE), file);
    const footer = decodeFooter(this.#read(this.sizeBytes - FOOTER_SIZE, FOOTER_SIZE), file);
    if (footer.kind !== kind) throw corrupt(file, 'header and footer disagree on the kind');
    if (footer.indexOffset + footer.indexLen !== this.sizeBytes - FOOTER_SIZE) throw corrupt(file, 'bad index position');
    const indexBuf = this.#read(footer.indexOffset, footer.indexLen);
    if (crc32(indexBuf) !== footer.indexCrc) throw corrupt(file, 'index checksum mismatch');
    this.#index = decodeIndex(indexBuf, file);
    this.#filter = new BloomFilter(this.#index.filter);
    this.#indexOffset = footer.indexOffset;
    this.kind = kind;
    this.lsnStart = footer.lsnStart;
    this.lsnEnd = footer.lsnEnd;
    this.entryCount = footer.entryCount;
    this.keyStart = this.#index.keyStart;
    this.keyEnd = this.#index.keyEnd;
  }

  /** Opens a layer file, checking its header, footer and index. */
  static open(file: string): DiskLayer {
    const fd = fs.openSync(file, 'r');
    try {
      return new DiskLayer(file, fd);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  get path(): string {
    return this.#file;
  }

  info(): LayerInfo {
    const { name, kind, lsnStart, lsnEnd, sizeBytes } = this;
    return { name, kind, keyStart: keyHex(this.keyStart), keyEnd: keyHex(this.keyEnd), lsnStart, lsnEnd, sizeBytes };
  }

  containsKey(key: Buffer): boolean {
    return Buffer.compare(this.keyStart, key) <= 0 && (this.keyEnd === null || Buffer.compare(key, this.keyEnd) < 0);
  }

  overlaps(start: Buffer, end: Buffer | null): boolean {
    return (
      (this.keyEnd === null || Buffer.compare(start, this.keyEnd) < 0) && (end === null || Buffer.compare(this.keyStart, end) < 0)
    );
  }

  /** Takes a reference for a reader that outlives a synchronous call (a scan generator). */
  acquire(): void {
    if (this.#fd < 0) throw new StorageError('closed', `layer ${this.name} is closed`);
    this.#refs++;
  }

  /** Drops a reference; the file is closed with the last one. */
  release(): void {
    if (this.#fd >= 0 && --this.#refs === 0) this.close();
  }

  /** Closes the file now, whoever still holds it (their next read fails with `closed`). */
  close(): void {
    if (this.#fd < 0) return;
    fs.closeSync(this.#fd);
    this.#fd = -1;
    this.#refs = 0;
    blockCache.dropLayer(this.uid);
    this.onClosed?.();
  }

  /** The newest version of `key` with LSN <= `lsn` in this layer (an image's entries are at its LSN). */
  get(key: Buffer, lsn: number): Version | undefined {
    if (!this.#filter.mayContain(hashKey(key))) return undefined;
    const { firstKeys, firstLsns } = this.#index;
    const wanted = key.toString('latin1');
    // The last block whose first (key, lsn) <= (key, lsn) holds the answer if there is one.
    let lo = 0;
    let hi = firstKeys.length - 1;
    let blockIndex = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = firstKeys[mid]!;
      if (k < wanted || (k === wanted && firstLsns[mid]! <= lsn)) {
        blockIndex = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (blockIndex < 0) return undefined;
    const { buf, entryOffsets } = this.#cachedBlock(blockIndex);
    lo = 0;
    hi = entryOffsets.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const pos = entryOffsets[mid]!;
      const cmp = buf.compare(key, 0, key.length, entryKeyStart(pos), entryKeyEnd(buf, pos));
      if (cmp < 0 || (cmp === 0 && entryLsn(buf, pos) <= lsn)) {
        found = pos;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || buf.compare(key, 0, key.length, entryKeyStart(found), entryKeyEnd(buf, found)) !== 0) return undefined;
    const value = entryValue(buf, found);
    return { lsn: entryLsn(buf, found), value: value && Buffer.from(value) };
  }

  /** Entries with keys in [start, end), sorted by key then LSN, skipping versions above `maxLsn`.
   * With `latestOnly`, one entry per key: its newest version <= maxLsn. Keys and values are views
   * into freshly read blocks (never reused), valid as long as the caller holds them. */
  *entries(start: Buffer, end: Buffer | null, maxLsn = Infinity, latestOnly = false): Generator<Entry> {
    const { firstKeys } = this.#index;
    const from = start.toString('latin1');
    const until = end?.toString('latin1') ?? null;
    // Versions of `start` may begin in the block before the first block that starts with it.
    let blockIndex = 0;
    for (let lo = 0, hi = firstKeys.length - 1; lo <= hi; ) {
      const mid = (lo + hi) >>> 1;
      if (firstKeys[mid]! < from) {
        blockIndex = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let pending: Entry | null = null;
    for (; blockIndex < firstKeys.length; blockIndex++) {
      if (until !== null && firstKeys[blockIndex]! >= until) break;
      const { buf, entryOffsets } = blockCache.get(this.uid, blockIndex) ?? this.#readBlock(blockIndex);
      for (const pos of entryOffsets) {
        const key = buf.subarray(entryKeyStart(pos), entryKeyEnd(buf, pos));
        if (Buffer.compare(key, start) < 0) continue;
        if (end !== null && Buffer.compare(key, end) >= 0) break;
        const lsn = entryLsn(buf, pos);
        if (lsn > maxLsn) continue;
        const entry: Entry = { key, lsn, value: entryValue(buf, pos) };
        if (!latestOnly) yield entry;
        else if (pending && !pending.key.equals(key)) {
          yield pending;
          pending = entry;
        } else pending = entry;
      }
    }
    if (pending) yield pending;
  }

  #cachedBlock(blockIndex: number): Block {
    const cached = blockCache.get(this.uid, blockIndex);
    if (cached) return cached;
    const block = this.#readBlock(blockIndex);
    blockCache.set(this.uid, blockIndex, block);
    return block;
  }

  #readBlock(blockIndex: number): Block {
    const offset = this.#index.offsets[blockIndex]!;
    const length = this.#index.lengths[blockIndex]!;
    if (offset < HEADER_SIZE || offset + length > this.#indexOffset) throw corrupt(this.#file, 'block outside the data area');
    return parseBlock(this.#read(offset, length), this.#file);
  }

  #read(position: number, length: number): Buffer {
    if (this.#fd < 0) throw new StorageError('closed', `layer ${this.name} is closed`);
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.#fd, buf, done, length - done, position + done);
      if (n === 0) throw corrupt(this.#file, `unexpected end of file at ${position + done}`);
      done += n;
    }
    return buf;
  }
}
