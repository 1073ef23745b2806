// The in-memory layer: the versions applied since the last flush, until they are written out as a
// delta layer. Built to hold millions of small versions cheaply:
// - values are copied into append-only slabs (one allocation per MiB, not per value);
// - a version is five numbers in typed arrays; a key's versions form a list from newest to oldest;
// - keys live once, as latin1 strings (one char per byte, so `<` is memcmp order) in a Map to
//   their newest version, plus a sorted array built lazily for ordered reads.

import type { Version } from './layer-reader.ts';
import type { Entry } from './merge.ts';

const SLAB_MIN_BYTES = 64 * 1024;
const SLAB_MAX_BYTES = 1024 * 1024;
const INITIAL_VERSIONS = 1024;

export class InMemoryLayer {
  /** The first LSN this layer can hold (the previous layer's last LSN + 1). */
  readonly lsnStart: number;
  #lastLsn: number;
  #bytes = 0;
  readonly #heads = new Map<string, number>();
  #sorted: string[] = [];
  #unsorted: string[] = [];
  #count = 0;
  #vLsn = new Float64Array(INITIAL_VERSIONS);
  #vSlab = new Int32Array(INITIAL_VERSIONS);
  #vOff = new Int32Array(INITIAL_VERSIONS);
  #vLen = new Int32Array(INITIAL_VERSIONS); // -1: tombstone
  #vPrev = new Int32Array(INITIAL_VERSIONS); // older version of the same key, -1: none
  readonly #slabs: Buffer[] = [];
  #slab = -1; // the slab small values are appended to
  #slabUsed = 0;

  constructor(lsnStart: number) {
    this.lsnStart = lsnStart;
    this.#lastLsn = lsnStart - 1;
  }

  /** The last LSN applied to this layer (lsnStart - 1 while empty). */
  get lastLsn(): number {
    return this.#lastLsn;
  }

  /** Bytes of keys and values applied. */
  get bytes(): number {
    return this.#bytes;
  }

  get versionCount(): number {
    return this.#count;
  }

  /** Applies one batch; the caller checks that `lsn` increases. */
  apply(lsn: number, mutations: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): void {
    for (const { key, value } of mutations) this.#put(key, lsn, value);
    this.#lastLsn = lsn;
  }

  /** The newest version of `key` with LSN <= `lsn`. */
  get(key: Buffer, lsn: number): Version | undefined {
    if (lsn < this.lsnStart) return undefined;
    let v = this.#heads.get(key.toString('latin1')) ?? -1;
    while (v >= 0 && this.#vLsn[v]! > lsn) v = this.#vPrev[v]!;
    return v < 0 ? undefined : { lsn: this.#vLsn[v]!, value: this.#value(v, true) };
  }

  /** Keys in [start, end), each with its newest version <= `lsn`; values are views into slabs
   * (never overwritten), valid as long as they are held. */
  *latest(start: Buffer, end: Buffer | null, lsn: number): Generator<Entry> {
    if (lsn < this.lsnStart) return;
    const keys = this.#sortedKeys();
    const until = end?.toString('latin1') ?? null;
    for (let i = lowerBound(keys, start.toString('latin1')); i < keys.length; i++) {
      const k = keys[i]!;
      if (until !== null && k >= until) return;
      let v = this.#heads.get(k)!;
      while (v >= 0 && this.#vLsn[v]! > lsn) v = this.#vPrev[v]!;
      if (v >= 0) yield { key: Buffer.from(k, 'latin1'), lsn: this.#vLsn[v]!, value: this.#value(v, false) };
    }
  }

  /** Every version, sorted by key then LSN, values as views (for writing the layer out). */
  *versions(): Generator<Entry> {
    const chain: number[] = [];
    for (const k of this.#sortedKeys()) {
      const key = Buffer.from(k, 'latin1');
      chain.length = 0;
      for (let v = this.#heads.get(k)!; v >= 0; v = this.#vPrev[v]!) chain.push(v);
      for (let i = chain.length - 1; i >= 0; i--) {
        const v = chain[i]!;
        yield { key, lsn: this.#vLsn[v]!, value: this.#value(v, false) };
      }
    }
  }

  #put(key: Buffer, lsn: number, value: Buffer | null): void {
    const k = key.toString('latin1');
    const head = this.#heads.get(k);
    let v: number;
    if (head !== undefined && this.#vLsn[head] === lsn) v = head; // the same key twice in one batch: last wins
    else {
      v = this.#newVersion();
      this.#vLsn[v] = lsn;
      this.#vPrev[v] = head ?? -1;
      this.#heads.set(k, v);
      if (head === undefined) this.#unsorted.push(k);
    }
    this.#bytes += key.length + (value?.length ?? 0);
    if (value === null) {
      this.#vLen[v] = -1;
      return;
    }
    const [slab, off] = this.#store(value);
    this.#vSlab[v] = slab;
    this.#vOff[v] = off;
    this.#vLen[v] = value.length;
  }

  #store(value: Buffer): [number, number] {
    if (value.length > SLAB_MAX_BYTES / 4) {
      const own = Buffer.allocUnsafeSlow(value.length);
      value.copy(own);
      this.#slabs.push(own);
      return [this.#slabs.length - 1, 0];
    }
    const current = this.#slabs[this.#slab];
    if (!current || this.#slabUsed + value.length > current.length) {
      const size = Math.max(value.length, current ? Math.min(SLAB_MAX_BYTES, current.length * 2) : SLAB_MIN_BYTES);
      this.#slabs.push(Buffer.allocUnsafeSlow(size));
      this.#slab = this.#slabs.length - 1;
      this.#slabUsed = 0;
    }
    const off = this.#slabUsed;
    value.copy(this.#slabs[this.#slab]!, off);
    this.#slabUsed += value.length;
    return [this.#slab, off];
  }

  #value(v: number, copy: boolean): Buffer | null {
    const len = this.#vLen[v]!;
    if (len < 0) return null;
    const off = this.#vOff[v]!;
    const view = this.#slabs[this.#vSlab[v]!]!.subarray(off, off + len);
    return copy ? Buffer.from(view) : view;
  }

  #newVersion(): number {
    if (this.#count === this.#vLsn.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.#vLsn = grow(this.#vLsn, (n) => new Float64Array(n));
      this.#vSlab = grow(this.#vSlab, (n) => new Int32Array(n));
      this.#vOff = grow(this.#vOff, (n) => new Int32Array(n));
      this.#vLen = grow(this.#vLen, (n) => new Int32Array(n));
      this.#vPrev = grow(this.#vPrev, (n) => new Int32Array(n));
    }
    return this.#count++;
  }

  /** The keys in order. Keys added since the last call are sorted and merged in, into a new array,
   * so a scan iterating the previous array is not disturbed. */
  #sortedKeys(): string[] {
    if (this.#unsorted.length === 0) return this.#sorted;
    const added = this.#unsorted.sort();
    this.#unsorted = [];
    const old = this.#sorted;
    const merged = new Array<string>(old.length + added.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < old.length && j < added.length) merged[n++] = old[i]! < added[j]! ? old[i++]! : added[j++]!;
    while (i < old.length) merged[n++] = old[i++]!;
    while (j < added.length) merged[n++] = added[j++]!;
    this.#sorted = merged;
    return merged;
  }
}

/** The first index in sorted `keys` whose key is >= `key`. */
function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
