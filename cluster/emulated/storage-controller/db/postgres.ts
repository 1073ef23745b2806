// A real PostgreSQL through node-postgres.

import type pg from 'pg';
import type { Database, Queryable, Row } from './database.ts';

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export async function openPostgres(url: string): Promise<Database> {
  // Imported here, not at the top: the embedded-database path never loads node-postgres.
  const { default: driver } = await import('pg');
  // int8 columns (node ids, versions) come back as JS numbers; ours stay far below 2^53.
  driver.types.setTypeParser(driver.types.builtins.INT8, (v: string) => Number(v));
  const pool = new driver.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000 });
  // Fail at startup, not at the first request, if the database is unreachable.
  const probe = await pool.connect();
  probe.release();
  const run = async <T extends Row>(client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]) =>
    (await client.query(sql, params as unknown[])).rows as T[];
  return {
    description: redact(url),
    query: (sql, params) => run(pool, sql, params),
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(body) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = { query: (sql, params) => run(client, sql, params) };
        const result = await body(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
