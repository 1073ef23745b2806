// Writes one layer file (format in layer-format.ts): entries go into ~64 KiB blocks written as
// they fill, then the index and footer. The file is written under a temp name, fsynced and renamed
// to its final name, which encodes the key range known only at the end. The caller fsyncs the
// directory (once for all the files of one operation) before persisting the state that lists them.

import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  BLOCK_HEADER_SIZE,
  BLOCK_TARGET_BYTES,
  crc32,
  encodeFooter,
  encodeHeader,
  encodeIndex,
  entrySize,
  HEADER_SIZE,
  writeEntry,
  type IndexBlock,
  type LayerKind,
} from './layer-format.ts';
import { KeyHashes } from './bloom-filter.ts';
import { layerFileName, TEMP_SUFFIX, uniqueName } from './layer-name.ts';

export interface LayerWriterOptions {
  dir: string;
  kind: LayerKind;
  /** Delta: [lsnStart, lsnEnd). Image: lsnStart = the image LSN, lsnEnd = lsnStart + 1. */
  lsnStart: number;
  lsnEnd: number;
  /** Image layers: the start of the key range the image covers (a delta's range is its keys'). */
  coverageStart?: Buffer;
}

let tempCounter = 0;

export class LayerWriter {
  readonly #opts: LayerWriterOptions;
  readonly #handle: fsp.FileHandle;
  readonly #tempPath: string;
  readonly #index: IndexBlock[] = [];
  #block: Buffer = Buffer.alloc(0);
  #blockUsed = 0;
  #blockFirst: { key: Buffer; lsn: number } | null = null;
  #fileOffset = HEADER_SIZE;
  #entryCount = 0;
  readonly #keyHashes = new KeyHashes();
  // Where the last key added sits in our own block buffers (which are never reused).
  #lastKeyBlock: Buffer = Buffer.alloc(0);
  #lastKeyAt = 0;
  #done = false;

  private constructor(opts: LayerWriterOptions, handle: fsp.FileHandle, tempPath: string) {
    this.#opts = opts;
    this.#handle = handle;
    this.#tempPath = tempPath;
  }

  static async create(opts: LayerWriterOptions): Promise<LayerWriter> {
    const tempPath = path.join(opts.dir, `.layer-${process.pid}-${tempCounter++}${TEMP_SUFFIX}`);
    const handle = await fsp.open(tempPath, 'w', 0o644);
    const writer = new LayerWriter(opts, handle, tempPath);
    try {
      await handle.write(encodeHeader(opts.kind), 0, HEADER_SIZE, 0);
    } catch (err) {
      await writer.abort();
      throw err;
    }
    return writer;
  }

  get entryCount(): number {
    return this.#entryCount;
  }

  /** Bytes written or buffered so far. */
  get sizeBytes(): number {
    return this.#fileOffset + this.#blockUsed;
  }

  /** Adds an entry; entries must come sorted by key, then LSN. Returns a promise only when a full
   * block is being written (await it before the next add). The buffers are copied. */
  add(key: Buffer, lsn: number, value: Buffer | null): Promise<void> | undefined {
    const size = entrySize(key.length, value);
    let flushing: Promise<void> | undefined;
    if (this.#blockFirst && this.#blockUsed + size > this.#block.length) flushing = this.#flushBlock();
    if (!this.#blockFirst) {
      this.#block = Buffer.allocUnsafe(BLOCK_HEADER_SIZE + Math.max(BLOCK_TARGET_BYTES, size));
      this.#blockUsed = BLOCK_HEADER_SIZE;
      this.#blockFirst = { key: Buffer.from(key), lsn };
    }
    if (this.#entryCount === 0 || !this.#isLastKey(key)) this.#keyHashes.add(key);
    this.#lastKeyBlock = this.#block;
    this.#lastKeyAt = this.#blockUsed;
    this.#blockUsed = writeEntry(this.#block, this.#blockUsed, key, lsn, value);
    this.#entryCount++;
    return flushing;
  }

  /** Completes the file: index, footer, fsync, rename to its final name (not in `taken`). For an
   * image, `coverageEnd` is the end of the covered key range (null: unbounded). */
  async finish(taken: ReadonlySet<string>, coverageEnd: Buffer | null = null): Promise<string> {
    try {
      await this.#flushBlock();
      const { kind, lsnStart, lsnEnd } = this.#opts;
      const keyStart = kind === 'image' ? (this.#opts.coverageStart ?? Buffer.alloc(0)) : this.#firstKey();
      const keyEnd = kind === 'image' ? coverageEnd : this.#lastKeySuccessor();
      const index = encodeIndex(this.#index, keyStart, keyEnd, this.#keyHashes.build().bits);
      const footer = encodeFooter({
        indexOffset: this.#fileOffset,
        indexLen: index.length,
        indexCrc: crc32(index),
        entryCount: this.#entryCount,
        lsnStart,
        lsnEnd,
        kind,
      });
      await this.#handle.write(Buffer.concat([index, footer]), 0, index.length + footer.length, this.#fileOffset);
      await this.#handle.sync();
      await this.#handle.close();
      this.#done = true;
      const name = uniqueName(layerFileName(kind, keyStart, keyEnd, lsnStart, lsnEnd), taken);
      await fsp.rename(this.#tempPath, path.join(this.#opts.dir, name));
      return name;
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Closes and deletes the temp file (best effort; open() removes leftovers anyway). */
  async abort(): Promise<void> {
    if (!this.#done) {
      this.#done = true;
      await this.#handle.close().catch(() => undefined);
    }
    await fsp.rm(this.#tempPath, { force: true }).catch(() => undefined);
  }

  #firstKey(): Buffer {
    const first = this.#index[0];
    if (!first) throw new Error('layer writer: a delta layer needs at least one entry');
    return first.firstKey;
  }

  #isLastKey(key: Buffer): boolean {
    const at = this.#lastKeyAt;
    const block = this.#lastKeyBlock;
    return block.compare(key, 0, key.length, at + 4, at + 4 + block.readUInt32LE(at)) === 0;
  }

  /** The smallest key after the last one: the exclusive end of a delta's key range. */
  #lastKeySuccessor(): Buffer {
    const at = this.#lastKeyAt;
    const keyLen = this.#lastKeyBlock.readUInt32LE(at);
    return Buffer.concat([this.#lastKeyBlock.subarray(at + 4, at + 4 + keyLen), Buffer.alloc(1)]);
  }

  async #flushBlock(): Promise<void> {
    const first = this.#blockFirst;
    if (!first) return;
    const block = this.#block;
    const length = this.#blockUsed;
    block.writeUInt32LE(length - BLOCK_HEADER_SIZE, 0);
    block.writeUInt32LE(crc32(block.subarray(BLOCK_HEADER_SIZE, length)), 4);
    const offset = this.#fileOffset;
    this.#index.push({ offset, length, firstLsn: first.lsn, firstKey: first.key });
    this.#fileOffset += length;
    this.#blockFirst = null;
    this.#blockUsed = 0;
    await this.#handle.write(block, 0, length, offset);
  }
}
