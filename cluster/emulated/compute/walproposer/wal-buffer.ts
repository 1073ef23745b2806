// The WAL this compute generated and safekeepers may still need, kept in memory from the oldest
// position any safekeeper might ask for. What falls out of it is fetched from a safekeeper.

import type { Lsn } from '../../../wal/lsn.ts';

export class WalBuffer {
  private chunks: { start: Lsn; data: Buffer }[] = [];
  private bytes = 0;

  constructor(private startLsn: Lsn) {}

  get start(): Lsn {
    return this.startLsn;
  }

  get end(): Lsn {
    return this.startLsn + this.bytes;
  }

  get size(): number {
    return this.bytes;
  }

  append(start: Lsn, data: Buffer): void {
    if (start !== this.end) throw new Error(`WAL buffer append at ${start}, but it ends at ${this.end}`);
    this.chunks.push({ start, data });
    this.bytes += data.length;
  }

  /** Bytes [from, to) if all of them are still here, else null. */
  read(from: Lsn, to: Lsn): Buffer | null {
    if (from < this.startLsn || to > this.end) return null;
    const parts: Buffer[] = [];
    for (const c of this.chunks) {
      const cEnd = c.start + c.data.length;
      if (cEnd <= from || c.start >= to) continue;
      parts.push(c.data.subarray(Math.max(0, from - c.start), Math.min(c.data.length, to - c.start)));
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Forgets whole chunks that end at or below `lsn`. */
  trimBelow(lsn: Lsn): void {
    while (this.chunks.length && this.chunks[0]!.start + this.chunks[0]!.data.length <= lsn) {
      const c = this.chunks.shift()!;
      this.bytes -= c.data.length;
      this.startLsn = c.start + c.data.length;
    }
  }
}
