// A process-wide LRU cache of decoded layer blocks, bounded in bytes, for point reads (`get`).
// Scans and compaction stream blocks past it, so a big scan does not flush the hot blocks.

import type { Block } from './layer-format.ts';

export const BLOCK_CACHE_BYTES = 8 * 1024 * 1024;
/** Blocks bigger than this (one large value) are not worth evicting a dozen others for. */
const BLOCK_CACHE_ENTRY_MAX = 1024 * 1024;

interface Cached {
  layerUid: number;
  block: Block;
}

export class BlockCache {
  readonly #capacityBytes: number;
  // A Map iterates in insertion order: the first entry is the least recently used.
  readonly #entries = new Map<string, Cached>();
  #bytes = 0;

  constructor(capacityBytes: number) {
    this.#capacityBytes = capacityBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(layerUid: number, blockIndex: number): Block | undefined {
    const id = `${layerUid}:${blockIndex}`;
    const hit = this.#entries.get(id);
    if (!hit) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, hit);
    return hit.block;
  }

  set(layerUid: number, blockIndex: number, block: Block): void {
    const size = block.buf.length;
    if (size > BLOCK_CACHE_ENTRY_MAX || size > this.#capacityBytes) return;
    const id = `${layerUid}:${blockIndex}`;
    const old = this.#entries.get(id);
    if (old) {
      this.#entries.delete(id);
      this.#bytes -= old.block.buf.length;
    }
    this.#entries.set(id, { layerUid, block });
    this.#bytes += size;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.#capacityBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.block.buf.length;
    }
  }

  /** Forgets every block of a layer (its file is being closed). */
  dropLayer(layerUid: number): void {
    for (const [id, entry] of this.#entries) {
      if (entry.layerUid !== layerUid) continue;
      this.#entries.delete(id);
      this.#bytes -= entry.block.buf.length;
    }
  }
}

export const blockCache = new BlockCache(BLOCK_CACHE_BYTES);
