// The abstract-socket mutex: exclusive, tells waiters who holds it, released when the holder dies.

import { execa } from 'execa';
import t from 'tap';
import { abstractSocketName, SocketMutex } from '../../cluster/util/socket-mutex.ts';

const unique = () => abstractSocketName('test', `${process.pid}-${Math.random()}`);

t.test('one holder at a time; the holder is visible', async (t) => {
  const name = unique();
  const a = await SocketMutex.tryAcquire(name, 'first');
  t.ok(a);
  t.equal(await SocketMutex.tryAcquire(name, 'second'), null);
  t.match(await SocketMutex.holder(name), { pid: process.pid, command: 'first' });
  await a!.release();
  t.equal(await SocketMutex.holder(name), null);
  const c = await SocketMutex.tryAcquire(name, 'third');
  t.ok(c, 'free again after release');
  await c!.release();
});

t.test('acquire waits, reports the holder once, and times out', async (t) => {
  const name = unique();
  const held = (await SocketMutex.tryAcquire(name, 'holder'))!;
  const seen: unknown[] = [];
  const result = await SocketMutex.acquire(name, 'waiter', { timeoutMs: 150, onWait: (h) => seen.push(h) });
  t.match(result, { timedOut: true, holder: { command: 'holder' } });
  t.equal(seen.length, 1);
  setTimeout(() => void held.release(), 50);
  const later = await SocketMutex.acquire(name, 'waiter', { timeoutMs: 5000 });
  t.ok(later instanceof SocketMutex, 'acquired once released');
  await (later as SocketMutex).release();
});

t.test('a SIGKILLed holder releases it (the kernel owns the name)', async (t) => {
  const name = unique();
  const script = `
    const net = require('node:net');
    net.createServer().listen({ path: ${JSON.stringify(name)} }, () => console.log('held'));`;
  const child = execa(process.execPath, ['-e', script], { reject: false });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  t.equal(await SocketMutex.tryAcquire(name, 'me'), null, 'held by the child');
  child.kill('SIGKILL');
  await child;
  const mine = await SocketMutex.tryAcquire(name, 'me');
  t.ok(mine, 'free the moment the holder is dead, with nothing to clean up');
  await mine!.release();
});
