// The link proxy against a local echo server: each rule does what it says, bytes are never lost or
// reordered, and a rule change applies to open connections.

import net from 'node:net';
import t from 'tap';
import { LinkProxy } from '../../cluster/faults/link-proxy.ts';
import { pairKey, PASS, type LinkRule } from '../../cluster/faults/link-rule.ts';

interface TeardownHost {
  teardown(fn: () => unknown): void;
}

async function echoServer(t: TeardownHost): Promise<number> {
  const server = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

function setup(t: TeardownHost, port: number) {
  const rules = new Map<string, LinkRule>();
  const proxy = new LinkProxy({ source: 'a', target: 'b', portName: 'pg', upstream: { host: '127.0.0.1', port } }, (from, to) => rules.get(pairKey(from, to)) ?? PASS, Math.random);
  t.teardown(() => proxy.close());
  return { rules, proxy };
}

/** A client that collects what comes back. */
async function client(port: number): Promise<{ socket: net.Socket; received: () => string; error: () => Error | null }> {
  const socket = net.connect(port, '127.0.0.1');
  let data = '';
  let error: Error | null = null;
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (data += d));
  socket.on('error', (e) => (error = e));
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => data, error: () => error };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(5);
  }
  return true;
}

t.test('pass: bytes go through both ways, in order', async (t) => {
  const { proxy } = setup(t, await echoServer(t));
  await proxy.listen();
  const c = await client(proxy.address.port);
  const sent = Array.from({ length: 200 }, (_, i) => `m${i};`).join('');
  for (let i = 0; i < sent.length; i += 17) c.socket.write(sent.slice(i, i + 17));
  t.ok(await until(() => c.received() === sent), 'every byte echoed, in order');
  c.socket.destroy();
});

t.test('blackhole holds bytes (one way), and heal releases them without loss', async (t) => {
  const { rules, proxy } = setup(t, await echoServer(t));
  await proxy.listen();
  const c = await client(proxy.address.port);
  c.socket.write('before;');
  t.ok(await until(() => c.received() === 'before;'));
  rules.set(pairKey('a', 'b'), { ...PASS, mode: 'blackhole' });
  await proxy.refresh();
  c.socket.write('held;');
  await sleep(200);
  t.equal(c.received(), 'before;', 'nothing gets through while blackholed');
  rules.clear();
  await proxy.refresh();
  t.ok(await until(() => c.received() === 'before;held;'), 'held bytes arrive after heal');

  // One way b→a: requests arrive (the echo server gets them), the answers wait.
  rules.set(pairKey('b', 'a'), { ...PASS, mode: 'blackhole' });
  await proxy.refresh();
  c.socket.write('ping;');
  await sleep(200);
  t.equal(c.received(), 'before;held;', 'answers held on the way back');
  rules.clear();
  await proxy.refresh();
  t.ok(await until(() => c.received() === 'before;held;ping;'), 'and delivered after heal');
  c.socket.destroy();
});

t.test('a connection opened during a blackhole waits, and goes through after heal', async (t) => {
  const { rules, proxy } = setup(t, await echoServer(t));
  rules.set(pairKey('a', 'b'), { ...PASS, mode: 'blackhole' });
  await proxy.listen();
  const c = await client(proxy.address.port);
  c.socket.write('hello;');
  await sleep(150);
  t.equal(c.received(), '', 'accepted, but nothing comes back');
  rules.clear();
  await proxy.refresh();
  t.ok(await until(() => c.received() === 'hello;'), 'delivered once the link heals');
  c.socket.destroy();
});

t.test('cut refuses new connections and resets open ones; heal listens again on the same port', async (t) => {
  const { rules, proxy } = setup(t, await echoServer(t));
  await proxy.listen();
  const port = proxy.address.port;
  const c = await client(port);
  rules.set(pairKey('a', 'b'), { ...PASS, mode: 'cut' });
  await proxy.refresh();
  t.ok(await until(() => c.socket.destroyed), 'the open connection is reset');
  await t.rejects(client(port), { code: 'ECONNREFUSED' }, 'a new one is refused');
  rules.clear();
  await proxy.refresh();
  t.equal(proxy.address.port, port, 'same port after heal');
  const again = await client(port);
  again.socket.write('back;');
  t.ok(await until(() => again.received() === 'back;'), 'and traffic flows again');
  again.socket.destroy();
});

t.test('latency delays each direction, keeping order; bandwidth bounds throughput', async (t) => {
  const { rules, proxy } = setup(t, await echoServer(t));
  await proxy.listen();
  const c = await client(proxy.address.port);
  rules.set(pairKey('a', 'b'), { ...PASS, latencyMs: 100, jitterMs: 30 });
  await proxy.refresh();
  const began = Date.now();
  for (let i = 0; i < 20; i++) c.socket.write(`${i},`);
  t.ok(await until(() => c.received().split(',').length === 21));
  t.ok(Date.now() - began >= 65, `at least latency − jitter (${Date.now() - began} ms)`);
  t.equal(c.received(), Array.from({ length: 20 }, (_, i) => `${i},`).join(''), 'jitter never reorders');

  rules.set(pairKey('a', 'b'), { ...PASS, bandwidthBps: 50_000 });
  await proxy.refresh();
  const before = c.received().length;
  const chunk = 'x'.repeat(25_000);
  const start = Date.now();
  c.socket.write(chunk);
  t.ok(await until(() => c.received().length === before + chunk.length, 5000));
  t.ok(Date.now() - start >= 400, `25 kB at 50 kB/s take about half a second (${Date.now() - start} ms)`);
  c.socket.destroy();
});
