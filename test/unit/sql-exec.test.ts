// The emulated compute's SQL executed through the wire protocol: a real Session behind a real
// pg-wire server, driven by node-postgres, over an in-memory engine that commits through the real
// WAL writer (so a record it cannot hold fails as it would in the compute).

import pg from 'pg';
import t from 'tap';
import { Catalog } from '../../cluster/emulated/compute/data/catalog.ts';
import type { Engine } from '../../cluster/emulated/compute/engine/engine.ts';
import { KeyLocks } from '../../cluster/emulated/compute/engine/key-locks.ts';
import { Session } from '../../cluster/emulated/compute/exec/session.ts';
import { startPgServer } from '../../cluster/emulated/compute/pg-wire/index.ts';
import { splitStatements } from '../../cluster/emulated/compute/sql/index.ts';
import { INITDB_LSN, type Mutation } from '../../cluster/wal/format.ts';
import { WalWriter } from '../../cluster/wal/writer.ts';
import type { TeardownHost } from './pg-wire-fake.ts';

/** What Session uses of the Engine, in memory; `commits` records every transaction committed. */
class MemoryEngine {
  catalog = new Catalog();
  readonly locks = new KeyLocks();
  readonly commits: Mutation[][] = [];
  private readonly store = new Map<string, Buffer>();
  private readonly writer = new WalWriter(INITDB_LSN, 0);
  readonly isPrimary = true;

  async whenReady(): Promise<void> {}

  async commit(mutations: Mutation[]): Promise<number> {
    const appended = this.writer.appendTransaction(this.commits.length + 1, mutations);
    this.commits.push(mutations);
    for (const m of mutations) {
      if (m.value) this.store.set(m.key.toString('hex'), m.value);
      else this.store.delete(m.key.toString('hex'));
    }
    return appended.endLsn;
  }

  async get(key: Buffer): Promise<Buffer | null> {
    return this.store.get(key.toString('hex')) ?? null;
  }

  async *scan(_tableId: number, start: Buffer, end: Buffer): AsyncGenerator<{ key: Buffer; value: Buffer }> {
    const keys = [...this.store.keys()].map((hex) => Buffer.from(hex, 'hex')).sort(Buffer.compare);
    for (const key of keys) if (Buffer.compare(key, start) >= 0 && Buffer.compare(key, end) < 0) yield { key, value: this.store.get(key.toString('hex'))! };
  }

  insertLsn(): number {
    return this.writer.endLsn;
  }

  flushLsn(): number {
    return this.writer.endLsn;
  }
}

async function connect(t: TeardownHost) {
  const engine = new MemoryEngine();
  const server = await startPgServer({
    host: '127.0.0.1',
    port: 0,
    serverVersion: '17.0 (neon-local emulated compute)',
    splitStatements,
    createSession: () => new Session(engine as unknown as Engine, { get: () => undefined }),
  });
  t.teardown(() => server.close());
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'tester', database: 'postgres' });
  await client.connect();
  t.teardown(() => client.end().catch(() => {}));
  await client.query('CREATE TABLE kv (k bigint PRIMARY KEY, v text NOT NULL)');
  return { client, engine };
}

/** The error a query fails with. */
async function failure(client: pg.Client, sql: string, values: unknown[] = []): Promise<pg.DatabaseError> {
  try {
    await client.query(sql, values);
  } catch (err) {
    return err as pg.DatabaseError;
  }
  throw new Error(`no error for: ${sql}`);
}

t.test('INSERT ... SELECT FROM generate_series fills a table in one transaction', async (t) => {
  const { client, engine } = await connect(t);
  const before = engine.commits.length;
  const inserted = await client.query("insert into kv select g, 'v' || g from generate_series(1, 10000) g");
  t.equal(inserted.rowCount, 10000);
  t.equal(engine.commits.length, before + 1, 'one commit');
  t.equal(engine.commits.at(-1)!.length, 10000, 'of every row');
  t.same((await client.query('SELECT count(*), min(k), max(k) FROM kv')).rows, [{ count: '10000', min: '1', max: '10000' }]);
  t.same((await client.query('SELECT v FROM kv WHERE k = 4242')).rows, [{ v: 'v4242' }]);

  const counted = await client.query('insert into kv (v, k) select $1 || -i, i from generate_series($2, $3, $4) as s(i)', ['n', 20005, 20000, -2]);
  t.equal(counted.rowCount, 3, 'a negative step counts down, bounds as parameters, a column list in any order');
  t.same((await client.query('SELECT k, v FROM kv WHERE k >= 20000')).rows, [{ k: '20001', v: 'n-20001' }, { k: '20003', v: 'n-20003' }, { k: '20005', v: 'n-20005' }]);
  t.equal((await client.query('INSERT INTO kv SELECT g, g FROM generate_series(5, 1) g')).rowCount, 0, 'start > stop with a positive step is empty');
  t.equal((await client.query('INSERT INTO kv SELECT 30000, $1', ['from SELECT without FROM'])).rowCount, 1);
  t.same((await client.query('SELECT v FROM kv WHERE k = 30000')).rows, [{ v: 'from SELECT without FROM' }]);
});

t.test('INSERT ... SELECT shares VALUES checks, ON CONFLICT and RETURNING', async (t) => {
  const { client, engine } = await connect(t);
  await client.query("INSERT INTO kv VALUES (2, 'old')");
  const upserted = await client.query(
    "INSERT INTO kv (k, v) SELECT i, 'new' || i * 2 FROM generate_series(1, 3) AS s(i) ON CONFLICT (k) DO UPDATE SET v = v || '+' || EXCLUDED.v RETURNING k, v",
  );
  t.same(upserted.rows, [{ k: '1', v: 'new2' }, { k: '2', v: 'old+new4' }, { k: '3', v: 'new6' }]);
  const skipped = await client.query('INSERT INTO kv SELECT g, $1 FROM generate_series(3, 4) g ON CONFLICT DO NOTHING RETURNING *', ['x']);
  t.same(skipped.rows, [{ k: '4', v: 'x' }], 'DO NOTHING skips the existing row');

  const commits = engine.commits.length;
  t.match(await failure(client, 'INSERT INTO kv SELECT g, $1 FROM generate_series(10, 12) g', [null]), { code: '23502', message: /null value in column "v"/ });
  t.match(await failure(client, "INSERT INTO kv SELECT g, 'dup' FROM generate_series(4, 6) g"), { code: '23505', detail: 'Key (k)=(4) already exists.' });
  t.match(await failure(client, "INSERT INTO kv SELECT 'k' || g, 'v' FROM generate_series(7, 8) g"), { code: '22P02', message: /invalid input syntax for type bigint: "k7"/ });
  t.equal(engine.commits.length, commits, 'a failed statement writes none of its rows');
  t.same((await client.query('SELECT count(*) FROM kv WHERE k >= 5')).rows, [{ count: '0' }]);

  const upserts = await client.query('UPSERT INTO kv SELECT g, $1 FROM generate_series(1, 2) g', ['replaced']);
  t.equal(upserts.rowCount, 2);
  t.same((await client.query('SELECT v FROM kv WHERE k IN (1, 2)')).rows, [{ v: 'replaced' }, { v: 'replaced' }]);

  await client.query('BEGIN');
  await client.query("INSERT INTO kv SELECT g, 'in txn' FROM generate_series(100, 109) g");
  t.same((await client.query('SELECT count(*) FROM kv WHERE k >= 100')).rows, [{ count: '10' }], 'visible to the transaction');
  await client.query('ROLLBACK');
  t.same((await client.query('SELECT count(*) FROM kv WHERE k >= 100')).rows, [{ count: '0' }], 'and gone with it');
});

t.test('SELECT ... FROM generate_series: values, names and types as PostgreSQL', async (t) => {
  const { client } = await connect(t);
  const down = await client.query('SELECT g FROM generate_series(5, 1, -2) g');
  t.same(down.rows, [{ g: 5 }, { g: 3 }, { g: 1 }], 'int4, which node-postgres parses to numbers');
  const unnamed = await client.query('SELECT * FROM generate_series(3, 1)');
  t.same([unnamed.rowCount, unnamed.fields.map((f) => f.name)], [0, ['generate_series']], 'named after the function; empty');
  const exprs = await client.query({ text: 'SELECT i, i * 2 AS twice, $1 || i, s FROM generate_series(1, $2) s(i)', values: ['n', 3], rowMode: 'array' });
  t.same(exprs.rows, [[1, 2, 'n1', 1], [2, 4, 'n2', 2], [3, 6, 'n3', 3]]);
  t.same(exprs.fields.map((f) => [f.name, f.dataTypeID]), [['i', 23], ['twice', 23], ['?column?', 25], ['s', 23]], 'described before running, as executed');
  const big = await client.query('SELECT g, g - 1 AS below FROM generate_series(9223372036854775806, 9223372036854775807) g');
  t.same(big.rows, [{ g: '9223372036854775806', below: '9223372036854775805' }, { g: '9223372036854775807', below: '9223372036854775806' }], 'bigint bounds: int8, no overflow at the end');
  t.same((await client.query('SELECT * FROM generate_series(1, NULL) g')).rows, [], 'a NULL bound: no rows');
  t.same((await client.query('SELECT g FROM generate_series(1, 10, 4) g')).rows, [{ g: 1 }, { g: 5 }, { g: 9 }], 'the step need not reach stop');

  t.match(await failure(client, 'SELECT * FROM generate_series(1, 3, 0)'), { code: '22023', message: 'step size cannot equal zero' });
  t.match(await failure(client, 'SELECT g * 2 FROM generate_series(2147483647, 2147483647) g'), { code: '22003', message: 'integer out of range' });
  t.match(await failure(client, 'SELECT * FROM generate_series($1, 3)', ['x']), { code: '22P02' });
  t.match(await failure(client, 'SELECT g FROM generate_series(1, 3) g WHERE g > 1'), { code: '0A000', message: /WHERE is not supported with FROM generate_series/ });
});

t.test('a series longer than one transaction can write fails before making rows', async (t) => {
  const { client, engine } = await connect(t);
  const commits = engine.commits.length;
  for (const sql of ["INSERT INTO kv SELECT g, 'v' FROM generate_series(1, 1000000) g", 'SELECT g FROM generate_series(-1000000, 1000000) g']) {
    const err = await failure(client, sql);
    t.match(err, { code: '54000', message: /^generate_series would produce \d+ rows; one transaction holds at most 4 MiB of changes, so a series may produce at most \d+ rows$/ }, sql);
    t.match(err.hint, /smaller transactions/);
  }
  t.equal(engine.commits.length, commits);
});

t.test('a transaction too large for one WAL record fails with 54000 before the engine sees it', async (t) => {
  const { client, engine } = await connect(t);
  const mib = 'x'.repeat(1024 * 1024);
  const commits = engine.commits.length;
  const autocommit = await failure(client, 'INSERT INTO kv SELECT g, $1 FROM generate_series(1, 5) g', [mib]);
  t.match(autocommit, { code: '54000', message: /^transaction too large: its changes take 5(\.\d)? MiB, more than the 4 MiB one WAL record holds$/, hint: /^Commit in smaller transactions/ });
  t.equal(engine.commits.length, commits, 'nothing committed');
  t.same((await client.query('SELECT count(*) FROM kv')).rows, [{ count: '0' }]);

  await client.query('BEGIN');
  await client.query('INSERT INTO kv SELECT g, $1 FROM generate_series(1, 3) g', [mib]);
  for (let i = 0; i < 3; i++) await client.query('UPDATE kv SET v = $1 WHERE k = 1', [mib]);
  t.pass('rewriting a row counts it once');
  t.match(await failure(client, 'INSERT INTO kv VALUES (4, $1)', [mib]), { code: '54000' }, 'the statement that crosses the limit fails');
  t.match(await failure(client, 'SELECT 1'), { code: '25P02' }, 'and aborts the transaction');
  t.equal((await client.query('COMMIT')).command, 'ROLLBACK');
  t.equal(engine.commits.length, commits, 'nothing committed');

  await client.query('BEGIN');
  await client.query('INSERT INTO kv SELECT g, $1 FROM generate_series(1, 2) g', [mib]);
  await client.query('INSERT INTO kv VALUES (3, $1)', [mib]);
  await client.query('COMMIT');
  t.equal(engine.commits.length, commits + 1, 'under the limit: one record');
  t.equal(engine.commits.at(-1)!.length, 3);
});
