// An explicit transaction's writes, held until COMMIT (then one WAL record) and visible to the
// transaction's own reads.

import type { Mutation } from '../../../wal/format.ts';

export class Transaction {
  private readonly writes = new Map<string, Mutation>();
  readonly tables = new Set<number>();
  /** Set after an error: only ROLLBACK (or COMMIT, which then rolls back) is accepted. */
  failed = false;

  write(key: Buffer, value: Buffer | null, tableId: number | null): void {
    this.writes.set(key.toString('hex'), { key, value });
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

  get isEmpty(): boolean {
    return this.writes.size === 0;
  }
}
