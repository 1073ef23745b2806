// The PostgreSQL wire-protocol server, driven by node-postgres and by the real psql, against a
// fake in-memory session (pg-wire-fake.ts). Raw protocol corners: pg-wire-protocol.test.ts.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import t from 'tap';
import { TypeOid, type PgServer } from '../../cluster/emulated/compute/pg-wire/index.ts';
import { startFakeServer, until, type TeardownHost } from './pg-wire-fake.ts';

async function connect(t: TeardownHost, server: PgServer, config: pg.ClientConfig = {}) {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'tester', database: 'postgres', ...config });
  await client.connect();
  t.teardown(() => client.end().catch(() => {}));
  return client;
}

// ---- node-postgres ------------------------------------------------------------------------------

t.test('pg: simple queries, column types, multi-statement and empty queries', async (t) => {
  const { server, store } = await startFakeServer(t);
  const client = await connect(t, server);
  const inserted = await client.query("INSERT INTO kv VALUES ('a', 'x')");
  t.match(inserted, { command: 'INSERT', rowCount: 1, rows: [] });
  const selected = await client.query("SELECT 42, 'héllo', NULL");
  t.same(selected.rows, [{ '?column?': null }], 'same-named columns: the last wins in row objects');
  t.same(selected.fields.map((f) => f.dataTypeID), [TypeOid.int4, TypeOid.text, TypeOid.text]);
  const asArrays = await client.query({ text: "SELECT 42, 'héllo', NULL", rowMode: 'array' });
  t.same(asArrays.rows, [[42, 'héllo', null]], 'int4 parsed by its OID, UTF-8 intact, NULL kept');
  const many = (await client.query("INSERT INTO kv VALUES ('b', 'y'); SELECT k, v FROM kv")) as unknown as pg.QueryResult[];
  t.equal(many.length, 2, 'one result per statement');
  t.same(many[1]!.rows, [{ k: 'a', v: 'x' }, { k: 'b', v: 'y' }]);
  t.same([...store.keys()], ['a', 'b']);
  const empty = await client.query('  ;  -- nothing\n');
  t.same(empty.rows, [], 'an empty query answers without hanging');
  const series = await client.query('SELECT generate_series(1, 2000)');
  t.equal(series.rowCount, 2000, 'a large result arrives whole');
});

t.test('pg: parameters and prepared statements use the extended protocol', async (t) => {
  const { server, observed } = await startFakeServer(t);
  const client = await connect(t, server);
  await client.query('INSERT INTO kv VALUES ($1, $2)', ['k1', "it's"]);
  t.same((await client.query('SELECT v FROM kv WHERE k = $1', ['k1'])).rows, [{ v: "it's" }]);
  t.same((await client.query({ text: 'SELECT $1, $2', values: [null, 'ünï'], rowMode: 'array' })).rows, [[null, 'ünï']]);
  const { statements } = observed.sessions[0]!;
  const before = statements.length;
  const named = { name: 'q1', text: 'SELECT v FROM kv WHERE k = $1' };
  t.same((await client.query({ ...named, values: ['k1'] })).rows, [{ v: "it's" }]);
  t.same((await client.query({ ...named, values: ['nope'] })).rows, [], 'the named statement is reused with new values');
  t.same(statements.slice(before), [named.text, named.text], 'each execution runs the statement once (Describe and Execute share the run)');
  // `rows` (pg's portal row limit) is missing from @types/pg.
  const limited = await client.query({ text: 'SELECT generate_series(1, 10)', values: [], rows: 3 } as pg.QueryConfig);
  t.same(limited.rows.map((row: { n: number }) => row.n), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'fetched 3 rows at a time through PortalSuspended');
});

t.test('pg: errors carry SQLSTATE, detail and hint, and the connection stays usable', async (t) => {
  const { server, store } = await startFakeServer(t);
  const client = await connect(t, server);
  await t.rejects(client.query("SELECT raise('22012')"), { code: '22012', message: 'raised 22012', detail: 'a detail', hint: 'a hint', severity: 'ERROR' });
  await t.rejects(client.query('SELECT raise($1)', ['22P02']), { code: '22P02' }, 'with a parameter');
  await t.rejects(client.query("SELECT raise('23505')", []), { code: '23505' });
  await t.rejects(client.query('SELECT crash()'), { code: 'XX000', message: 'the fake session crashed' });
  await t.rejects(client.query("INSERT INTO kv VALUES ('1', '1'); SELECT raise('22012'); INSERT INTO kv VALUES ('2', '2')"), { code: '22012' });
  t.same([...store.keys()], ['1'], 'a simple query stops at its first error');
  t.same((await client.query("SELECT 'still alive'")).rows, [{ '?column?': 'still alive' }]);
  await t.rejects(client.query('SELECT $1', [Buffer.from('bin')]), { code: '0A000', message: 'binary parameters are not supported' });
  const binaryResults = await connect(t, server, { binary: true } as pg.ClientConfig); // typed only in pg.defaults
  await t.rejects(binaryResults.query('SELECT $1', ['x']), { code: '0A000', message: 'binary result format is not supported' });
  t.same((await client.query('SELECT $1', ['ok'])).rows, [{ '?column?': 'ok' }], 'usable after extended-protocol errors');
});

t.test('pg: transactions, sessions per connection, startup parameters, close()', async (t) => {
  const { server, observed } = await startFakeServer(t);
  const a = await connect(t, server, { application_name: 'tap-a' });
  const b = await connect(t, server);
  t.equal(server.connectionCount(), 2);
  t.match(observed.sessions.map((s) => s.startup), [{ user: 'tester', database: 'postgres', application_name: 'tap-a' }, { user: 'tester' }]);
  t.same((await a.query('SHOW application_name')).rows, [{ application_name: 'tap-a' }]);
  await a.query('BEGIN');
  await t.rejects(a.query("SELECT raise('22012')"));
  await t.rejects(a.query('SELECT 1'), { code: '25P02' }, 'a failed transaction is the session’s business');
  t.same((await b.query('SELECT 1')).rows, [{ '?column?': 1 }], 'other connections are unaffected');
  await a.query('ROLLBACK');
  await a.end();
  await until(() => observed.sessions[0]!.closed && server.connectionCount() === 1, 'the first session to close');
  t.notOk(observed.sessions[1]!.closed);
  await t.rejects(connect(t, server, { database: 'missing' }), { code: '3D000', message: 'database "missing" does not exist', severity: 'FATAL' });
});

t.test('pg: a FATAL session error and server.close() end connections', async (t) => {
  const { server, observed } = await startFakeServer(t);
  const doomed = await connect(t, server);
  doomed.on('error', () => {});
  await t.rejects(doomed.query('SELECT fatal()'), { code: '57P01', severity: 'FATAL' });
  await until(() => observed.sessions[0]!.closed, 'the session to close after FATAL');
  const client = await connect(t, server);
  const errors: { code?: string }[] = [];
  client.on('error', (err) => errors.push(err as { code?: string }));
  await server.close();
  t.equal(server.connectionCount(), 0);
  await until(() => errors.length > 0, 'the client to hear of the shutdown');
  t.match(errors[0], { code: '57P01' });
  t.ok(observed.sessions[1]!.closed);
  await t.rejects(connect(t, server), { code: 'ECONNREFUSED' });
});

// ---- psql ---------------------------------------------------------------------------------------

/** psql against the server: no psqlrc, no password prompt, fail fast. */
function psql(server: PgServer, args: string[]) {
  const env = { PGCONNECT_TIMEOUT: '5', PGAPPNAME: 'psql-test' };
  return execa('psql', ['-X', '-w', '-h', '127.0.0.1', '-p', String(server.port), '-U', 'x', '-d', 'postgres', ...args], { reject: false, env, timeout: 10_000 });
}

t.test('psql: -c with one and several statements, server_version, errors', async (t) => {
  const { server } = await startFakeServer(t);
  t.match(await psql(server, ['-Atc', "SELECT 'hello', 7"]), { exitCode: 0, stdout: 'hello|7' });
  t.match(await psql(server, ['-Atc', "INSERT INTO kv VALUES ('k', 'v'); SELECT k, v FROM kv"]), { exitCode: 0, stdout: 'INSERT 0 1\nk|v' });
  t.match(await psql(server, ['-At', '-c', '\\echo :SERVER_VERSION_NAME', '-c', 'SHOW application_name']), {
    exitCode: 0,
    stdout: '17.0 (neon-local emulated compute)\npsql-test',
  });
  const failed = await psql(server, ['-Atc', "SELECT 1; SELECT raise('42P01'); SELECT 2"]);
  t.equal(failed.exitCode, 1);
  t.equal(failed.stdout, '1');
  t.match(failed.stderr, /ERROR: {2}raised 42P01\nDETAIL: {2}a detail\nHINT: {2}a hint/);
  const verbose = await psql(server, ['-At', '-v', 'VERBOSITY=verbose', '-c', 'SELECT crash()']);
  t.match(verbose.stderr, /ERROR: {2}XX000: the fake session crashed/);
});

t.test('psql: a script with a failing statement', async (t) => {
  const { server, observed } = await startFakeServer(t);
  const dir = await mkdtemp(path.join(tmpdir(), 'pg-wire-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'script.sql');
  await writeFile(script, "INSERT INTO kv VALUES ('a', '1');\nSELECT k, v FROM kv;\nSELECT raise('22012');\nSELECT 'never';\n");
  const stopped = await psql(server, ['-At', '-v', 'ON_ERROR_STOP=1', '-f', script]);
  t.equal(stopped.exitCode, 3, 'psql exits 3 when a script stops on an error');
  t.equal(stopped.stdout, 'INSERT 0 1\na|1');
  t.match(stopped.stderr, /script\.sql:3: ERROR: {2}raised 22012/);
  t.notOk(observed.sessions.some((s) => s.statements.includes("SELECT 'never'")), 'nothing after the error ran');
  const continued = await psql(server, ['-At', '-f', script]);
  t.equal(continued.exitCode, 0, 'without ON_ERROR_STOP psql goes on');
  t.match(continued.stdout, /never$/);
});
