// A write load for fault tests: each worker inserts its own increasing keys, one autocommitted
// row at a time, and records a key only once the commit was acknowledged. Errors (a killed
// component, a lost term) are expected: the worker reconnects and goes on.

import pg from 'pg';
import type { Endpoint } from '../../fixtures/endpoint.ts';

export interface LoadResult {
  acked: number[];
  errors: number;
  /** Keys whose INSERT failed: they may or may not have been applied. */
  uncertain: number[];
}

export const KEYS_PER_WORKER = 1_000_000;

export class InsertLoad {
  private running = true;
  private readonly workers: Promise<void>[] = [];
  readonly acked: number[] = [];
  readonly uncertain: number[] = [];
  errors = 0;
  lastError: string | null = null;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly table: string,
    workers: number,
  ) {
    for (let w = 0; w < workers; w++) this.workers.push(this.work((w + 1) * KEYS_PER_WORKER));
  }

  private async work(firstKey: number): Promise<void> {
    let key = firstKey;
    while (this.running) {
      const client = new pg.Client({ ...this.endpoint.pgOptions, connectionTimeoutMillis: 5000, query_timeout: 30_000 });
      client.on('error', () => {});
      try {
        await client.connect();
        while (this.running) {
          await client.query(`INSERT INTO ${this.table} VALUES ($1, $2)`, [key, `v${key}`]);
          this.acked.push(key);
          key++;
        }
      } catch (err) {
        this.errors++;
        this.lastError = (err as Error).message;
        this.uncertain.push(key);
        key++;
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await client.end().catch(() => {});
      }
    }
  }

  get ackedCount(): number {
    return this.acked.length;
  }

  async stop(): Promise<LoadResult> {
    this.running = false;
    await Promise.all(this.workers);
    return { acked: [...this.acked], errors: this.errors, uncertain: [...this.uncertain] };
  }
}
