// Whether a failed statement could have committed: the engine's hand-off point to the walproposer
// (real Engine, fake walproposer) and the `committed` field of POST /v1/sql errors (real routes and
// Session over an in-memory engine whose commit fails where a test says).

import getPort from 'get-port';
import t, { type Test } from 'tap';
import { httpRequest } from '../../cluster/clients/http.ts';
import { ApiServer } from '../../cluster/emulated/common/http-server.ts';
import { Catalog } from '../../cluster/emulated/compute/data/catalog.ts';
import { Engine } from '../../cluster/emulated/compute/engine/engine.ts';
import { KeyLocks } from '../../cluster/emulated/compute/engine/key-locks.ts';
import { computeRoutes } from '../../cluster/emulated/compute/http-api.ts';
import { PgError } from '../../cluster/emulated/compute/pg-wire/index.ts';
import { INITDB_LSN, type Mutation } from '../../cluster/wal/format.ts';
import type { Lsn } from '../../cluster/wal/lsn.ts';
import { WalWriter } from '../../cluster/wal/writer.ts';

// --- the engine's hand-off point ---

/** The Engine's private state a test sets up instead of an election. */
interface EngineInternals {
  state: Engine['state'];
  writer: WalWriter | null;
  walproposer: { commitLsn: Lsn; appendWal(start: Lsn, bytes: Buffer): void; stop(): void; status(): unknown } | null;
  markReady(): void;
  onCommitted(lsn: Lsn): void;
  onLostTerm(reason: string): void;
}

function runningEngine(mode: 'primary' | 'static' = 'primary') {
  const engine = new Engine({
    tenantId: '0'.repeat(32), timelineId: '1'.repeat(32), pgVersion: 17,
    mode: mode === 'primary' ? { kind: 'primary' } : { kind: 'static', lsn: INITDB_LSN },
    safekeepers: [], generationsEnabled: false, pageserver: { host: '127.0.0.1', port: 1 }, readTimeoutMs: 1000, readyTimeoutMs: 200,
  });
  const inner = engine as unknown as EngineInternals;
  const appended: Lsn[] = [];
  inner.state = 'running';
  if (mode === 'primary') {
    inner.writer = new WalWriter(INITDB_LSN, 0);
    inner.walproposer = { commitLsn: INITDB_LSN, appendWal: (start) => void appended.push(start), stop() {}, status: () => null };
  }
  inner.markReady();
  return { engine, inner, appended };
}

const put: Mutation[] = [{ key: Buffer.from('k'), value: Buffer.from('v') }];
const settle = () => new Promise((r) => setImmediate(r));

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<PgError> {
  try {
    await p;
  } catch (err) {
    return err as PgError;
  }
  throw new Error('expected a rejection');
}

t.test('the engine hands a record over at one point: errors before it are definite, after it unknown', async (t) => {
  const { engine, inner, appended } = runningEngine();
  let handed = 0;
  const ok = engine.commit(put, [], () => handed++);
  await settle();
  t.equal(handed, 1, 'handed off before the commit is acknowledged');
  t.equal(appended.length, 1, 'and the record reached the walproposer');
  inner.onCommitted(engine.insertLsn());
  t.equal(await ok, engine.insertLsn(), 'acknowledged with its end LSN');

  handed = 0;
  const lost = failure(engine.commit(put, [], () => handed++));
  await settle();
  inner.onLostTerm('test: term lost');
  t.match(await lost, { sqlstate: '08006', message: /outcome of this commit is unknown/ });
  t.equal(handed, 1, 'a lost term comes after the hand-off');

  handed = 0;
  inner.state = 'stopping';
  t.match(await failure(engine.commit(put, [], () => handed++)), { sqlstate: '57P01' });
  t.equal(handed, 0, 'stopping before the commit started: nothing handed off');
});

t.test('commits waiting when the compute stops are answered, not left hanging', async (t) => {
  const { engine } = runningEngine();
  let handed = 0;
  const waiting = failure(engine.commit(put, [], () => handed++));
  await settle();
  await engine.stop(false);
  t.match(await waiting, { sqlstate: '57P01', message: /outcome of this commit is unknown/ });
  t.equal(handed, 1);
});

t.test('a static endpoint refuses the commit before handing anything off', async (t) => {
  const { engine } = runningEngine('static');
  let handed = 0;
  t.match(await failure(engine.commit(put, [], () => handed++)), { sqlstate: '25006' });
  t.equal(handed, 0);
});

// --- POST /v1/sql ---

type CommitMode = 'ok' | 'not-ready' | 'term-lost' | 'internal-after-handoff';

/** What Session and the routes use of the Engine, in memory, with a commit that fails on demand. */
class ScriptedEngine {
  catalog = new Catalog();
  readonly locks = new KeyLocks();
  readonly store = new Map<string, Buffer>();
  private readonly writer = new WalWriter(INITDB_LSN, 0);
  isPrimary = true;
  state = 'running';
  lastError = null;
  next: CommitMode = 'ok';

  async whenReady(): Promise<void> {}

  async commit(mutations: Mutation[], _tables: number[], handedOff?: () => void): Promise<Lsn> {
    if (this.next === 'not-ready') throw new PgError('57P03', 'the compute is not ready after 60 s: not elected yet');
    const appended = this.writer.appendTransaction(1, mutations);
    handedOff?.();
    if (this.next === 'term-lost') throw new PgError('08006', 'the outcome of this commit is unknown: the compute lost its safekeeper term (test)');
    if (this.next === 'internal-after-handoff') throw new Error('boom after the hand-off');
    for (const m of mutations) {
      if (m.value) this.store.set(m.key.toString('hex'), m.value);
      else this.store.delete(m.key.toString('hex'));
    }
    return appended.endLsn;
  }

  async get(key: Buffer): Promise<Buffer | null> {
    return this.store.get(key.toString('hex')) ?? null;
  }

  async *scan(): AsyncGenerator<{ key: Buffer; value: Buffer }> {}
  insertLsn(): Lsn { return this.writer.endLsn; }
  flushLsn(): Lsn { return this.writer.endLsn; }
  walStatus(): unknown { return null; }
}

async function sqlServer(t: Test) {
  const engine = new ScriptedEngine();
  const server = new ApiServer();
  computeRoutes(server, engine as unknown as Engine, { get: () => undefined }, {
    startedAt: new Date().toISOString(),
    spec: () => { throw new Error('unused'); },
    applySpec: () => {},
    terminate: async () => null,
  });
  const port = await getPort();
  await server.listen('127.0.0.1', port);
  t.teardown(() => server.close());
  const sql = async (body: unknown) => {
    const res = await httpRequest(`http://127.0.0.1:${port}/v1/sql`, { method: 'POST', body });
    return { status: res.status, body: JSON.parse(res.body) as Record<string, unknown> };
  };
  const ok = await sql({ query: 'CREATE TABLE kv (k text PRIMARY KEY, v text)' });
  t.equal(ok.status, 200);
  return { engine, sql };
}

t.test('POST /v1/sql: errors before the hand-off say committed: false', async (t) => {
  const { engine, sql } = await sqlServer(t);
  const written = await sql({ query: 'INSERT INTO kv VALUES ($1, $2)', params: ['a', '1'] });
  t.equal(written.status, 200);
  t.match(written.body, { command: 'INSERT 0 1', commit_lsn: /^[0-9A-F]+\/[0-9A-F]+$/ }, 'success keeps its fields');
  t.notOk('committed' in written.body, 'and has no committed field');
  const stored = engine.store.size;

  const cases: [string, unknown, string | undefined, () => void][] = [
    ['a syntax error', { query: 'INSER INTO kv VALUES (1)' }, '42601', () => {}],
    ['a duplicate key', { query: 'INSERT INTO kv VALUES ($1, $2)', params: ['a', '2'] }, '23505', () => {}],
    ['a missing table', { query: 'INSERT INTO nope VALUES (1)' }, '42P01', () => {}],
    ['a transaction too large for one record', { query: 'INSERT INTO kv VALUES ($1, $2)', params: ['big', 'x'.repeat(5 * 1024 * 1024)] }, '54000', () => {}],
    ['a compute not ready before the commit', { query: 'INSERT INTO kv VALUES ($1, $2)', params: ['b', '1'] }, '57P03', () => (engine.next = 'not-ready')],
    ['a read-only endpoint', { query: 'INSERT INTO kv VALUES ($1, $2)', params: ['c', '1'] }, '25006', () => ((engine.next = 'ok'), (engine.isPrimary = false))],
    ['a body without a query', { sql: 'SELECT 1' }, undefined, () => (engine.isPrimary = true)],
  ];
  for (const [what, body, sqlstate, setup] of cases) {
    setup();
    const res = await sql(body);
    t.equal(res.status, 400, `${what}: 400`);
    t.equal(res.body['committed'], false, `${what}: committed false`);
    if (sqlstate) t.equal(res.body['sqlstate'], sqlstate, `${what}: ${sqlstate}`);
    t.type(res.body['msg'], 'string');
  }
  t.equal(engine.store.size, stored, 'none of them wrote anything');
});

t.test('POST /v1/sql: errors after the hand-off say committed: null', async (t) => {
  const { engine, sql } = await sqlServer(t);
  engine.next = 'term-lost';
  const lost = await sql({ query: "INSERT INTO kv VALUES ('a', '1') ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v" });
  t.equal(lost.status, 503);
  t.match(lost.body, { sqlstate: '08006', committed: null, msg: /unknown/ });
  t.ok('committed' in lost.body, 'null is written out, not left out');

  engine.next = 'internal-after-handoff';
  const internal = await sql({ query: "INSERT INTO kv VALUES ('b', '1')" });
  t.equal(internal.status, 503);
  t.match(internal.body, { sqlstate: 'XX000', committed: null, msg: 'boom after the hand-off' });

  engine.next = 'ok';
  const read = await sql({ query: 'SELECT v FROM kv WHERE k = $1', params: ['zz'] });
  t.equal(read.status, 200, 'a fresh statement starts with nothing handed off');
  const bad = await sql({ query: 'SELECT v FROM kv WHERE' });
  t.equal(bad.body['committed'], false);
});
