// A Bloom filter over the distinct keys of a layer file, kept in memory with the sparse index, so a
// point read skips layers that do not hold the key without reading a block (a read otherwise costs
// a 64 KiB read and checksum per stacked layer). 10 bits per key and 7 probes: ~1% false positives.
// Probes use double hashing over two 32-bit hashes of the key (FNV-1a and a Murmur-style mix).

const BITS_PER_KEY = 10;
const PROBES = 7;
const MIN_BITS = 64;

export interface KeyHash {
  h1: number;
  h2: number;
}

export function hashKey(key: Uint8Array): KeyHash {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const b = key[i]!;
    h1 = Math.imul(h1 ^ b, 0x01000193);
    h2 = Math.imul(h2 ^ b, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  return { h1: mix(h1), h2: mix(h2) | 1 };
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class BloomFilter {
  readonly bits: Uint8Array;

  constructor(bits: Uint8Array) {
    this.bits = bits;
  }

  /** A filter sized for `count` keys holding the given hashes (h1, h2 pairs). */
  static build(hashes: Uint32Array, count: number): BloomFilter {
    const bytes = Math.ceil(Math.max(MIN_BITS, count * BITS_PER_KEY) / 8);
    const filter = new BloomFilter(new Uint8Array(bytes));
    for (let i = 0; i < count; i++) filter.#add(hashes[2 * i]!, hashes[2 * i + 1]!);
    return filter;
  }

  mayContain(hash: KeyHash): boolean {
    const m = this.bits.length * 8;
    for (let i = 0; i < PROBES; i++) {
      const bit = ((hash.h1 + Math.imul(i, hash.h2)) >>> 0) % m;
      if ((this.bits[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }

  #add(h1: number, h2: number): void {
    const m = this.bits.length * 8;
    for (let i = 0; i < PROBES; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % m;
      this.bits[bit >>> 3] = this.bits[bit >>> 3]! | (1 << (bit & 7));
    }
  }
}

/** Collects the hashes of a writer's distinct keys (8 bytes each) until the filter is built. */
export class KeyHashes {
  #hashes = new Uint32Array(2048);
  #count = 0;

  add(key: Uint8Array): void {
    if (2 * this.#count === this.#hashes.length) {
      const bigger = new Uint32Array(this.#hashes.length * 2);
      bigger.set(this.#hashes);
      this.#hashes = bigger;
    }
    const { h1, h2 } = hashKey(key);
    this.#hashes[2 * this.#count] = h1;
    this.#hashes[2 * this.#count + 1] = h2;
    this.#count++;
  }

  build(): BloomFilter {
    return BloomFilter.build(this.#hashes, this.#count);
  }
}
