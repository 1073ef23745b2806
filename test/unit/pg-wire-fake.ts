// A fake PgSession for the wire-server tests: a tiny regex-driven "SQL" over a shared Map, which
// records what it ran and whether two statements ever ran at once.

import { setTimeout as sleep } from 'node:timers/promises';
import { PgError, startPgServer, TypeOid, type Column, type PgSession, type StatementResult } from '../../cluster/emulated/compute/pg-wire/index.ts';
import { splitStatements } from '../../cluster/emulated/compute/sql/index.ts';

/** Enough of tap's Test for helpers that clean up after themselves. */
export interface TeardownHost {
  teardown(fn: () => unknown): void;
}

/** What the sessions of one fake server did. */
interface Observed {
  sessions: FakeSession[];
  running: number;
  maxRunning: number;
}

type Shape = { columns: Column[] | null; run: () => Promise<StatementResult> | StatementResult };

/**
 * Understands: BEGIN, COMMIT, ROLLBACK; INSERT INTO kv VALUES ('k', 'v'); SELECT k, v FROM kv;
 * SELECT v FROM kv WHERE k = 'k'; SELECT generate_series(1, n); SELECT pg_sleep(ms);
 * SELECT raise('sqlstate') (a PgError with detail and hint); SELECT crash() (a plain Error);
 * SELECT fatal() (a FATAL PgError); SHOW <startup parameter>; SELECT <literal>, ...
 */
class FakeSession implements PgSession {
  private status: 'I' | 'T' | 'E' = 'I';
  readonly statements: string[] = [];
  closed = false;

  constructor(
    readonly startup: Record<string, string>,
    private readonly store: Map<string, string>,
    private readonly observed: Observed,
  ) {}

  async execute(sql: string, params: (string | null)[]): Promise<StatementResult> {
    this.observed.maxRunning = Math.max(this.observed.maxRunning, ++this.observed.running);
    try {
      this.statements.push(sql);
      return await this.shape(bindParams(sql, params)).run();
    } catch (err) {
      if (this.status === 'T') this.status = 'E';
      throw err;
    } finally {
      this.observed.running--;
    }
  }

  async describe(sql: string): Promise<Column[] | null> {
    return this.shape(sql).columns;
  }

  transactionStatus() {
    return this.status;
  }

  close() {
    this.closed = true;
  }

  private shape(sql: string): Shape {
    const text = (c: string) => ({ name: c, typeOid: TypeOid.text });
    const done = (command: string): Shape => ({ columns: null, run: () => ({ command }) });
    const rows = (columns: Column[], values: (string | null)[][]): Shape => ({ columns, run: () => ({ command: `SELECT ${values.length}`, columns, rows: values }) });
    let m: RegExpExecArray | null;
    if (/^begin$/i.test(sql)) return { columns: null, run: () => ((this.status = 'T'), { command: 'BEGIN' }) };
    if (/^(commit|rollback)$/i.test(sql)) return { columns: null, run: () => ((this.status = 'I'), { command: sql.toUpperCase() }) };
    if (this.status === 'E') throw new PgError('25P02', 'current transaction is aborted, commands ignored until end of transaction block');
    if ((m = /^insert into kv values \(('(?:[^']|'')*'), ('(?:[^']|'')*')\)$/i.exec(sql))) {
      return { columns: null, run: () => (this.store.set(unquote(m![1]!)!, unquote(m![2]!)!), { command: 'INSERT 0 1' }) };
    }
    if (/^select k, v from kv$/i.test(sql)) return rows([text('k'), text('v')], [...this.store].sort());
    if ((m = /^select v from kv where k = (.*)$/i.exec(sql))) return rows([text('v')], this.store.has(unquote(m[1]!)!) ? [[this.store.get(unquote(m[1]!)!)!]] : []);
    if ((m = /^select generate_series\(1, (\S+)\)$/i.exec(sql))) {
      const count = Number(unquote(m[1]!)) || 0; // 0 when described with its $n unbound
      return rows([{ name: 'n', typeOid: TypeOid.int4 }], Array.from({ length: count }, (_, i) => [String(i + 1)]));
    }
    if ((m = /^select pg_sleep\((\d+)\)$/i.exec(sql))) return { columns: null, run: () => sleep(Number(m![1])).then(() => ({ command: 'SELECT 1' })) };
    if ((m = /^select raise\('(\w+)'\)$/i.exec(sql))) throw new PgError(m[1]!, `raised ${m[1]}`, { detail: 'a detail', hint: 'a hint' });
    if (/^select crash\(\)$/i.test(sql)) throw new Error('the fake session crashed');
    if (/^select fatal\(\)$/i.test(sql)) throw new PgError('57P01', 'fatal from the session', { severity: 'FATAL' });
    if ((m = /^show (\w+)$/i.exec(sql))) return rows([text(m[1]!)], [[this.startup[m[1]!] ?? null]]);
    if ((m = /^select (.*)$/is.exec(sql))) {
      const values = m[1]!.split(/,\s*/).map(unquote);
      const columns = values.map((v) => ({ name: '?column?', typeOid: v !== null && /^-?\d+$/.test(v) ? TypeOid.int4 : TypeOid.text }));
      return rows(columns, [values]);
    }
    if (/^create table/i.test(sql)) return done('CREATE TABLE');
    throw new PgError('42601', `the fake session cannot run: ${sql}`);
  }
}

/** $n → its value as a quoted literal (or NULL), so the regexes above see plain SQL. */
const bindParams = (sql: string, params: (string | null)[]) =>
  sql.replace(/\$(\d+)/g, (_, n: string) => {
    const value = params[Number(n) - 1];
    return value === null || value === undefined ? 'NULL' : `'${value.replaceAll("'", "''")}'`;
  });
const unquote = (literal: string) => (/^null$/i.test(literal) ? null : literal.replace(/^'(.*)'$/s, '$1').replaceAll("''", "'"));

export async function startFakeServer(t: TeardownHost) {
  const store = new Map<string, string>();
  const observed: Observed = { sessions: [], running: 0, maxRunning: 0 };
  const server = await startPgServer({
    host: '127.0.0.1',
    port: 0,
    serverVersion: '17.0 (neon-local emulated compute)',
    splitStatements,
    createSession(startup) {
      if (startup['database'] === 'missing') throw new PgError('3D000', `database "missing" does not exist`);
      const session = new FakeSession(startup, store, observed);
      observed.sessions.push(session);
      return session;
    },
  });
  t.teardown(() => server.close());
  return { server, store, observed };
}

/** Polls `condition` for up to two seconds. */
export async function until(condition: () => boolean, what: string) {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(10);
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

