// Which LSN to read a key at: the LSN of the last write to it (neon's "last written LSN cache").
// Reading there is read-your-writes, and a key not written lately is read at an old LSN the
// pageserver already has, so reads do not wait for recent unrelated WAL to reach the pageserver.
// The cache is bounded: an evicted key's LSN is folded into a floor used for every unknown key.

import type { Lsn } from '../../../wal/lsn.ts';

export class LastWrittenLsn {
  private readonly keys = new Map<string, Lsn>();
  private floor: Lsn;

  constructor(start: Lsn, private readonly maxEntries = 100_000) {
    this.floor = start;
  }

  forKey(key: Buffer): Lsn {
    return this.keys.get(key.toString('hex')) ?? this.floor;
  }

  written(key: Buffer, lsn: Lsn): void {
    const k = key.toString('hex');
    this.keys.delete(k); // re-insert: the map's order is least recently written first
    this.keys.set(k, lsn);
    while (this.keys.size > this.maxEntries) {
      const [oldest, oldestLsn] = this.keys.entries().next().value as [string, Lsn];
      this.keys.delete(oldest);
      this.floor = Math.max(this.floor, oldestLsn);
    }
  }
}
