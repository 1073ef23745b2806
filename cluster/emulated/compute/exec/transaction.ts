// An explicit transaction's writes, held until COMMIT (then one WAL record) and visible to the
// transaction's own reads.

import type { Mutation } from '../../../wal/format.ts';
import { mutationBytes } from './record-limit.ts';

export class Transaction {
  private readonly writes = new Map<string, Mutation>();
  readonly tables = new Set<number>();
  private size = 0;
  /** Set after an error: only ROLLBACK (or COMMIT, which then rolls back) is accepted. */
  failed = false;

  write(key: Buffer, value: Buffer | null, tableId: number | null): void {
    const hex = key.toString('hex');
    const previous = this.writes.get(hex);
    if (previous) this.size -= mutationBytes(previous);
    this.writes.set(hex, { key, value });
    this.size += mutationBytes({ key, value });
    if (tableId !== null) this.tables.add(tableId);
  }

  /** This transaction's own version of a key, if it wrote one. */
  lookup(key: Buffer): { found: false } | { found: true; value: Buffer | null } {
    const m = this.writes.get(key.toString('hex'));
    return m ? { found: true, value: m.value } : { found: false };
  }

  /** Own writes in [start, end), ascending. */
  within(start: Buffer, end: Buffer): Mutation[] {
    return [...this.writes.values()].filter((m) => Buffer.compare(m.key, start) >= 0 && Buffer.compare(m.key, end) < 0).sort((a, b) => Buffer.compare(a.key, b.key));
  }

  mutations(): Mutation[] {
    return [...this.writes.values()];
  }

  /** What the writes add to the commit record (a key written twice counts once, as it commits). */
  get bytes(): number {
    return this.size;
  }

  get isEmpty(): boolean {
    return this.writes.size === 0;
  }
}
