// The PostgreSQL wire-protocol server at the byte level: framing, startup, pipelining, the
// extended protocol's corners and protocol violations, against a fake session (pg-wire-fake.ts).

import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { PgServer } from '../../cluster/emulated/compute/pg-wire/index.ts';
import { startFakeServer, until, type TeardownHost } from './pg-wire-fake.ts';

// ---- Protocol messages --------------------------------------------------------------------------

const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const cstr = (s: string) => Buffer.from(`${s}\0`);
const frame = (type: string, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
};
const untyped = (...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([int32(body.length + 4), body]);
};
const msg = {
  startup: (params: Record<string, string> = { user: 'raw' }, version = 0x30000) =>
    untyped(int32(version), ...Object.entries(params).flatMap(([k, v]) => [cstr(k), cstr(v)]), Buffer.from([0])),
  ssl: () => untyped(int32(80877103)),
  cancel: () => untyped(int32(80877102), int32(1), int32(2)),
  query: (sql: string) => frame('Q', cstr(sql)),
  parse: (name: string, sql: string, types: number[] = []) => frame('P', cstr(name), cstr(sql), int16(types.length), ...types.map(int32)),
  bind: (portal: string, statement: string, params: (string | null)[] = [], formats: { params?: number[]; results?: number[] } = {}) =>
    frame('B', cstr(portal), cstr(statement), int16(formats.params?.length ?? 0), ...(formats.params ?? []).map(int16), int16(params.length),
      ...params.map((p) => (p === null ? int32(-1) : Buffer.concat([int32(Buffer.byteLength(p)), Buffer.from(p)]))),
      int16(formats.results?.length ?? 0), ...(formats.results ?? []).map(int16)),
  describe: (target: 'S' | 'P', name: string) => frame('D', Buffer.from(target), cstr(name)),
  execute: (portal: string, maxRows = 0) => frame('E', cstr(portal), int32(maxRows)),
  close: (target: 'S' | 'P', name: string) => frame('C', Buffer.from(target), cstr(name)),
  sync: () => frame('S'),
  flush: () => frame('H'),
};

/** A backend message in short: "C:SELECT 1", "Z:I", "E:0A000", "D:a|∅", "T:k,v", "t:25,23", or its type. */
function summarize(type: string, body: Buffer): string {
  const strings = () => body.toString().split('\0');
  switch (type) {
    case 'C':
      return `C:${strings()[0]}`;
    case 'Z':
      return `Z:${body.toString()}`;
    case 'E':
      return `E:${strings().find((f) => f.startsWith('C'))!.slice(1)}`;
    case 'T': {
      const names: string[] = [];
      for (let i = 0, offset = 2; i < body.readInt16BE(0); i++, offset += 18) {
        const end = body.indexOf(0, offset);
        names.push(body.toString('utf8', offset, end));
        offset = end + 1;
      }
      return `T:${names.join(',')}`;
    }
    case 'D': {
      const values: string[] = [];
      for (let i = 0, offset = 2; i < body.readInt16BE(0); i++) {
        const length = body.readInt32BE(offset);
        values.push(length < 0 ? '∅' : body.toString('utf8', offset + 4, offset + 4 + length));
        offset += 4 + Math.max(length, 0);
      }
      return `D:${values.join('|')}`;
    }
    case 't':
      return `t:${Array.from({ length: body.readInt16BE(0) }, (_, i) => body.readInt32BE(2 + 4 * i)).join(',')}`;
    default:
      return type;
  }
}

class RawClient {
  private buffered = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private ended = false;
  readonly errors: Record<string, string>[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  static async open(t: TeardownHost, server: PgServer): Promise<RawClient> {
    const socket = net.connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    t.teardown(() => socket.destroy());
    return new RawClient(socket);
  }

  /** Opens and completes a startup; returns the client after the first ReadyForQuery. */
  static async ready(t: TeardownHost, server: PgServer): Promise<RawClient> {
    const client = await RawClient.open(t, server);
    client.socket.write(msg.startup());
    await client.until('Z');
    return client;
  }

  private async have(n: number): Promise<boolean> {
    while (this.buffered.length < n && !this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.buffered.length >= n;
  }

  async byte(): Promise<string | null> {
    if (!(await this.have(1))) return null;
    const byte = this.buffered.toString('latin1', 0, 1);
    this.buffered = this.buffered.subarray(1);
    return byte;
  }

  /** The next message, summarized; null once the server has closed the connection. */
  async next(): Promise<string | null> {
    if (!(await this.have(5)) || !(await this.have(1 + this.buffered.readInt32BE(1)))) return null;
    const type = this.buffered.toString('latin1', 0, 1);
    const body = this.buffered.subarray(5, 1 + this.buffered.readInt32BE(1));
    this.buffered = this.buffered.subarray(5 + body.length);
    if (type === 'E') this.errors.push(Object.fromEntries(body.toString().split('\0').filter(Boolean).map((f) => [f[0]!, f.slice(1)])));
    return summarize(type, body);
  }

  /** Messages up to and including the first whose summary starts with `prefix` (or the close). */
  async until(prefix: string): Promise<string[]> {
    const seen: string[] = [];
    for (let m = await this.next(); m !== null; m = await this.next()) {
      seen.push(m);
      if (m.startsWith(prefix)) break;
    }
    return seen;
  }
}

t.test('raw: SSLRequest, startup messages, BackendKeyData', async (t) => {
  const { server } = await startFakeServer(t);
  const client = await RawClient.open(t, server);
  client.socket.write(msg.ssl());
  t.equal(await client.byte(), 'N', 'no TLS; the client goes on in plain text');
  client.socket.write(msg.startup({ user: 'raw', application_name: 'rawapp' }));
  const startup = await client.until('Z');
  t.same(startup, ['R', ...Array(11).fill('S'), 'K', 'Z:I']);
});

t.test('raw: framing split across chunks and several messages per chunk', async (t) => {
  const { server } = await startFakeServer(t);
  const client = await RawClient.open(t, server);
  const bytes = Buffer.concat([msg.startup(), msg.query("SELECT 'split'"), msg.query('SELECT 1; SELECT 2')]);
  client.socket.setNoDelay(true);
  for (const byte of bytes) {
    client.socket.write(Buffer.from([byte]));
    await sleep(1);
  }
  await client.until('Z');
  t.same(await client.until('Z'), ['T:?column?', 'D:split', 'C:SELECT 1', 'Z:I'], 'one byte at a time');
  t.same(await client.until('Z'), ['T:?column?', 'D:1', 'C:SELECT 1', 'T:?column?', 'D:2', 'C:SELECT 1', 'Z:I']);
  client.socket.write(Buffer.concat([msg.query("SELECT 'a'"), msg.query(''), msg.query("SELECT 'b'")]));
  t.same(await client.until('Z'), ['T:?column?', 'D:a', 'C:SELECT 1', 'Z:I'], 'three queries in one chunk');
  t.same(await client.until('Z'), ['I', 'Z:I'], 'EmptyQueryResponse');
  t.same(await client.until('Z'), ['T:?column?', 'D:b', 'C:SELECT 1', 'Z:I']);
});

t.test('raw: pipelined statements never overlap in a session', async (t) => {
  const { server, observed } = await startFakeServer(t);
  const client = await RawClient.ready(t, server);
  client.socket.write(Buffer.concat([
    msg.query('SELECT pg_sleep(20)'),
    msg.parse('', 'SELECT pg_sleep(20)'), msg.bind('', ''), msg.execute(''),
    msg.bind('', ''), msg.execute(''), msg.sync(),
  ]));
  t.same(await client.until('Z'), ['C:SELECT 1', 'Z:I']);
  t.same(await client.until('Z'), ['1', '2', 'C:SELECT 1', '2', 'C:SELECT 1', 'Z:I']);
  t.equal(observed.maxRunning, 1);
  t.equal(observed.sessions[0]!.statements.length, 3);
});

t.test('raw: extended protocol — Describe, row limits, Close, errors until Sync', async (t) => {
  const { server } = await startFakeServer(t);
  const client = await RawClient.ready(t, server);
  client.socket.write(Buffer.concat([
    msg.parse('s1', 'SELECT generate_series(1, $2)', [0, 23]),
    msg.describe('S', 's1'),
    msg.bind('p1', 's1', [null, '5']),
    msg.describe('P', 'p1'),
    msg.execute('p1', 2), msg.execute('p1', 2), msg.execute('p1', 2),
    msg.close('P', 'p1'), msg.close('S', 's1'), msg.close('S', 'never-existed'),
    msg.parse('', "INSERT INTO kv VALUES ('x', 'y')"), msg.describe('S', ''),
    msg.sync(),
  ]));
  t.same(await client.until('Z'), [
    '1', 't:25,23', 'T:n', // ParameterDescription: unspecified (0) → text, given OIDs kept
    '2', 'T:n',
    'D:1', 'D:2', 's', 'D:3', 'D:4', 's', 'D:5', 'C:SELECT 1', // a portal fetched in parts reports its last fetch
    '3', '3', '3',
    '1', 't:', 'n',
    'Z:I',
  ]);
  client.socket.write(Buffer.concat([msg.bind('', 's1'), msg.execute(''), msg.sync()]));
  t.same(await client.until('Z'), ['E:26000', 'Z:I'], 'a closed statement is gone');
  t.match(client.errors.at(-1), { S: 'ERROR', V: 'ERROR', C: '26000', M: 'prepared statement "s1" does not exist' });

  client.socket.write(Buffer.concat([
    msg.parse('', "SELECT raise('22012')"), msg.bind('', ''), msg.describe('P', ''),
    msg.execute(''), msg.query('SELECT 1'), msg.parse('x', 'SELECT 1'), msg.sync(),
    msg.parse('x', 'SELECT 1'), msg.parse('x', 'SELECT 2'), msg.sync(),
  ]));
  t.same(await client.until('Z'), ['1', '2', 'E:22012', 'Z:I'], 'after an error everything up to Sync is discarded');
  t.same(await client.until('Z'), ['1', 'E:42P05', 'Z:I'], 'so "x" was not created before');
  t.match(client.errors.at(-2), { C: '22012', M: 'raised 22012', D: 'a detail', H: 'a hint' });

  client.socket.write(Buffer.concat([
    msg.parse('', 'SELECT 1; SELECT 2'), msg.sync(),
    msg.parse('', 'SELECT $1'), msg.bind('', '', []), msg.sync(),
    msg.bind('', 'x', [], { results: [1] }), msg.sync(),
    msg.bind('', 'x', ['a'], { params: [1] }), msg.sync(),
    msg.parse('', ''), msg.bind('', ''), msg.describe('P', ''), msg.execute(''), msg.sync(),
    msg.execute('nope'), msg.sync(),
  ]));
  t.same(await client.until('Z'), ['E:42601', 'Z:I'], 'one statement per Parse');
  t.same(await client.until('Z'), ['1', 'E:08P01', 'Z:I'], 'parameter count mismatch');
  t.match(client.errors.at(-1), { M: 'bind message supplies 0 parameters, but unnamed prepared statement requires 1' });
  t.same(await client.until('Z'), ['E:0A000', 'Z:I'], 'binary results');
  t.same(await client.until('Z'), ['E:0A000', 'Z:I'], 'binary parameters');
  t.same(await client.until('Z'), ['1', '2', 'n', 'I', 'Z:I'], 'an empty statement');
  t.same(await client.until('Z'), ['E:34000', 'Z:I'], 'an unknown portal');
});

t.test('raw: ReadyForQuery reports the session’s transaction status', async (t) => {
  const { server } = await startFakeServer(t);
  const client = await RawClient.ready(t, server);
  client.socket.write(Buffer.concat([msg.query('BEGIN'), msg.query("SELECT raise('22012')"), msg.query('SELECT 1'), msg.query('ROLLBACK')]));
  t.same(await client.until('Z'), ['C:BEGIN', 'Z:T']);
  t.same(await client.until('Z'), ['E:22012', 'Z:E']);
  t.same(await client.until('Z'), ['E:25P02', 'Z:E']);
  t.same(await client.until('Z'), ['C:ROLLBACK', 'Z:I']);
});

t.test('raw: protocol violations are FATAL 08P01 and close the connection', async (t) => {
  const { server, observed } = await startFakeServer(t);
  const absurd = await RawClient.ready(t, server);
  absurd.socket.write(Buffer.concat([Buffer.from('Q'), int32(0x7fffffff)]));
  t.same(await absurd.until('never'), ['E:08P01']);
  t.match(absurd.errors[0], { S: 'FATAL', M: /exceeds the limit of 67108864/ });
  await until(() => observed.sessions[0]!.closed, 'the session to close');

  const v2 = await RawClient.open(t, server);
  v2.socket.write(msg.startup({ user: 'raw' }, 0x20000));
  t.same(await v2.until('never'), ['E:08P01']);
  t.match(v2.errors[0], { S: 'FATAL', M: 'unsupported frontend protocol 2.0: server supports 3.0 to 3.0' });

  const unknownType = await RawClient.ready(t, server);
  unknownType.socket.write(frame('?'));
  t.same(await unknownType.until('never'), ['E:08P01']);

  const noUser = await RawClient.open(t, server);
  noUser.socket.write(msg.startup({ database: 'postgres' }));
  t.same(await noUser.until('never'), ['E:28000']);

  const newer = await RawClient.open(t, server);
  newer.socket.write(msg.startup({ user: 'raw', '_pq_.x': '1' }, 0x30002));
  t.same((await newer.until('Z')).slice(0, 2), ['v', 'R'], 'a newer 3.x minor is answered with NegotiateProtocolVersion');

  const cancel = await RawClient.open(t, server);
  cancel.socket.write(msg.cancel());
  t.equal(await cancel.byte(), null, 'a CancelRequest is closed without an answer');
  await until(() => server.connectionCount() === 1, 'only the 3.2 connection to remain');
});
