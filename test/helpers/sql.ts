// SQL against an emulated endpoint through the real Postgres driver (node-postgres).

import pg from 'pg';
import type { Endpoint } from '../../fixtures/endpoint.ts';

async function withPgClient<T>(config: pg.ClientConfig, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export function withClient<T>(ep: Endpoint, body: (client: pg.Client) => Promise<T>): Promise<T> {
  return withPgClient({ ...ep.pgOptions, connectionTimeoutMillis: 10_000 }, body);
}

/** One statement on 127.0.0.1:`port` as cloud_admin: the psql line a CLI command printed. */
export function psql(port: number, sql: string): Promise<pg.QueryResult> {
  return withPgClient({ host: '127.0.0.1', port, user: 'cloud_admin', database: 'postgres' }, (c) => c.query(sql));
}

export async function query(ep: Endpoint, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  return withClient(ep, (c) => c.query(sql, params));
}

/** Every key in t(k) between lo and hi, read back through the endpoint. */
export async function keysBetween(ep: Endpoint, table: string, lo: number, hi: number): Promise<Set<number>> {
  const result = await query(ep, `SELECT k FROM ${table} WHERE k BETWEEN $1 AND $2`, [lo, hi]);
  return new Set(result.rows.map((r: { k: string }) => Number(r.k)));
}

/** `INSERT INTO table VALUES (k, 'v<k>'), ...` for keys [from, to), in batches of `batch` rows. */
export async function insertRange(client: pg.Client, table: string, from: number, to: number, batch = 1000): Promise<void> {
  for (let start = from; start < to; start += batch) {
    const end = Math.min(to, start + batch);
    const values = Array.from({ length: end - start }, (_, i) => `(${start + i}, 'v${start + i}')`).join(',');
    await client.query(`INSERT INTO ${table} VALUES ${values}`);
  }
}
