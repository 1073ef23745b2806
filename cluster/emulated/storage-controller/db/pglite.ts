// Embedded PGlite (PostgreSQL compiled to WebAssembly) in a data directory of its own. PGlite does
// not lock its directory, so we hold a socket mutex on it: a second opener fails loudly instead of
// corrupting the database.

import type { PGlite } from '@electric-sql/pglite';
import { abstractSocketName, SocketMutex } from '../../../util/socket-mutex.ts';
import type { Database, Queryable, Row } from './database.ts';
import { ensureEmbeddedDatabase } from './embedded-template.ts';

export async function openPglite(dir: string): Promise<Database> {
  const mutex = await SocketMutex.tryAcquire(abstractSocketName('pglite', dir), `storage controller (pid ${process.pid})`);
  if (!mutex) {
    const holder = await SocketMutex.holder(abstractSocketName('pglite', dir));
    throw new Error(`the embedded database ${dir} is already open by ${holder ? `pid ${holder.pid}` : 'another process'}`);
  }
  await ensureEmbeddedDatabase(dir);
  // Imported here, not at the top: a storage controller on a real PostgreSQL never loads PGlite.
  const { PGlite: Engine } = await import('@electric-sql/pglite');
  const db = await Engine.create({ dataDir: dir });
  const run = async <T extends Row>(target: Pick<PGlite, 'query'>, sql: string, params?: unknown[]) =>
    (await target.query<T>(sql, params)).rows;
  return {
    description: `embedded PGlite at ${dir}`,
    query: (sql, params) => run(db, sql, params),
    async exec(sql) {
      await db.exec(sql);
    },
    transaction: (body) => db.transaction((tx) => body({ query: (sql, params) => run(tx, sql, params) } satisfies Queryable)),
    async close() {
      await db.close();
      await mutex.release();
    },
  };
}
