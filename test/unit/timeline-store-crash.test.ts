// Crash safety of the timeline storage: copies of the directory taken between the steps of a
// flush, compaction and gc (as a crash there would leave it), leftovers of interrupted writes,
// corrupt files, failed commits, and a child process SIGKILLed while it ingests.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import {
  TimelineStore,
  type Mutation,
  type StoreOperation,
  type StoreOptions,
} from '../../cluster/emulated/pageserver/storage/timeline-store.ts';

const EMPTY = Buffer.alloc(0);
const STORE_MODULE = path.resolve(import.meta.dirname, '../../cluster/emulated/pageserver/storage/timeline-store.ts');

function tempDir(t: Test, name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `timeline-store-${name}-`));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Batch `i` of a deterministic history (LSN 16 * i); the kill -9 child has its own copy. */
function batch(i: number): Mutation[] {
  const value = (n: number) => (n % 9 === 0 ? null : Buffer.from(`v${n}-${'x'.repeat(n % 300)}`));
  return [
    { key: Buffer.from(`k${(i * 7) % 50}`), value: value(i) },
    { key: Buffer.from(`k${(i * 13) % 50}`), value: value(i + 1) },
  ];
}

/** The state after batches 1..n, as scan lines. */
function expectedState(n: number): string[] {
  const state = new Map<string, Buffer | null>();
  for (let i = 1; i <= n; i++) for (const m of batch(i)) state.set(m.key.toString('latin1'), m.value);
  return [...state.entries()]
    .map(([k, v]) => ({ key: Buffer.from(k, 'latin1'), value: v }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map((e) => line(e));
}

const line = (e: { key: Buffer; value: Buffer | null }): string => `${e.key.toString()}=${e.value?.toString() ?? '<deleted>'}`;
const stateAt = (store: TimelineStore, lsn: number): string[] => [...store.scan(EMPTY, null, lsn)].map(line);

function copyDir(from: string, to: string): void {
  fs.mkdirSync(to);
  for (const name of fs.readdirSync(from)) fs.copyFileSync(path.join(from, name), path.join(to, name));
}

/** Applies batches (from, to] at LSN 16 * i. */
function applyBatches(store: TimelineStore, from: number, to: number): void {
  for (let i = from + 1; i <= to; i++) store.apply(16 * i, batch(i));
}

t.test('a crash between the steps of flush, compaction and gc', async (t) => {
  const dir = tempDir(t, 'steps');
  const copies = new Map<string, string>();
  let phase = '';
  const snapshot = (when: string) => async (op: StoreOperation) => {
    const copy = `${dir}-${op}-${when}-${phase}`;
    t.teardown(() => fs.rmSync(copy, { recursive: true, force: true }));
    copyDir(dir, copy);
    copies.set(`${op} ${when} ${phase}`, copy);
  };
  const options: StoreOptions = { compactionThreshold: 3, layerFileTargetBytes: 4096 };
  const store = await TimelineStore.open(dir, { ...options, hooks: { beforeCommit: snapshot('before'), afterCommit: snapshot('after') } });
  for (let round = 1; round <= 3; round++) {
    phase = `round${round}`;
    applyBatches(store, (round - 1) * 100, round * 100);
    await store.checkpoint({ lsn: store.lastLsn });
  }
  phase = 'compact';
  await store.compact(16 * 250);
  phase = 'gc';
  t.ok((await store.gc(16 * 300)).length > 0, 'gc removed layers');
  await store.close();

  const expect = async (key: string, dcl: number, layers: number | null, leftovers = false) => {
    const copy = copies.get(key);
    if (!copy) return t.fail(`no copy for ${key}`);
    const filesBefore = fs.readdirSync(copy).length;
    const reopened = await TimelineStore.open(copy, options);
    t.equal(reopened.diskConsistentLsn, dcl, `${key}: diskConsistentLsn`);
    if (dcl > 0) t.equal(reopened.metadata.lsn, dcl, `${key}: metadata persisted with it`);
    t.same(stateAt(reopened, dcl), expectedState(dcl / 16), `${key}: the state at diskConsistentLsn is complete`);
    const listed = new Set(['store.json', ...reopened.layers().map((l) => l.name)]);
    t.same(fs.readdirSync(copy).filter((n) => !listed.has(n)), [], `${key}: leftovers removed`);
    if (leftovers) t.ok(filesBefore > listed.size, `${key}: the crash left files that store.json does not list`);
    if (layers !== null) t.equal(reopened.layers().length, layers, `${key}: layer count`);
    await reopened.close();
  };
  await expect('flush before round1', 0, 0);
  await expect('flush after round1', 1600, 1);
  await expect('flush before round3', 3200, 2, true);
  await expect('flush after round3', 4800, 3);
  await expect('compaction before compact', 4800, 3, true);
  await expect('compaction after compact', 4800, null);
  await expect('gc before gc', 4800, null);
  await expect('gc after gc', 4800, null, true);
  const afterCompact = await TimelineStore.open(copies.get('compaction after compact')!, options);
  t.ok(afterCompact.layers().some((l) => l.kind === 'image'), 'the compaction is committed');
  t.same(stateAt(afterCompact, 16 * 250), expectedState(250), 'history above the horizon kept');
  await afterCompact.close();
});

t.test('a failed commit leaves the store usable, and a retry flushes what was frozen', async (t) => {
  const dir = tempDir(t, 'fail');
  let fail = true;
  const store = await TimelineStore.open(dir, {
    hooks: { beforeCommit: () => { if (fail) throw new Error('injected failure'); } },
  });
  applyBatches(store, 0, 50);
  await t.rejects(store.checkpoint({ lsn: 800 }), /injected failure/);
  t.equal(store.diskConsistentLsn, 0);
  t.same(stateAt(store, 800), expectedState(50), 'the frozen layer still serves reads');
  applyBatches(store, 50, 60);
  fail = false;
  await store.checkpoint({ lsn: 960 });
  t.equal(store.diskConsistentLsn, 960);
  t.equal(store.layers().length, 2, 'both frozen layers written');
  await store.close();
  const reopened = await TimelineStore.open(dir);
  t.same(stateAt(reopened, 960), expectedState(60));
  t.same(stateAt(reopened, 800), expectedState(50));
  t.same(fs.readdirSync(dir).length, 3, 'store.json and two layers: the failed attempt left nothing');
  await reopened.close();
});

t.test('leftovers of interrupted writes are removed, other files kept', async (t) => {
  const dir = tempDir(t, 'strays');
  const store = await TimelineStore.open(dir);
  applyBatches(store, 0, 20);
  await store.checkpoint({ lsn: 320 });
  await store.close();
  const junk = ['.layer-1-2.___temp', '6B30-6B3900__0000000000000141-0000000000000200', '.store.json.tmp-99-1', '-__0000000000000140'];
  for (const name of junk) fs.writeFileSync(path.join(dir, name), 'partial');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not ours');
  const reopened = await TimelineStore.open(dir);
  t.same(fs.readdirSync(dir).sort(), ['notes.txt', 'store.json', reopened.layers()[0]!.name].sort());
  t.same(stateAt(reopened, 320), expectedState(20));
  await reopened.close();
});

t.test('corruption is detected', async (t) => {
  const dir = tempDir(t, 'corrupt');
  const store = await TimelineStore.open(dir);
  applyBatches(store, 0, 300);
  await store.checkpoint({ lsn: 4800 });
  const layer = path.join(dir, store.layers()[0]!.name);
  await store.close();
  const original = fs.readFileSync(layer);

  const flipped = Buffer.from(original);
  flipped[100] = flipped[100]! ^ 0xff; // inside the first data block
  fs.writeFileSync(layer, flipped);
  const damaged = await TimelineStore.open(dir);
  t.throws(() => stateAt(damaged, 4800), { code: 'corrupt', message: /checksum/ }, 'a damaged block fails its checksum');
  await damaged.close();

  fs.writeFileSync(layer, original.subarray(0, original.length - 10));
  await t.rejects(TimelineStore.open(dir), { code: 'corrupt' }, 'a truncated layer');
  fs.rmSync(layer);
  await t.rejects(TimelineStore.open(dir), { code: 'corrupt' }, 'a missing layer');
  fs.writeFileSync(path.join(dir, 'store.json'), '{"version": 1');
  await t.rejects(TimelineStore.open(dir), { code: 'corrupt' }, 'a broken store.json');
});

// The child ingests the same history as batch() above, checkpointing, compacting and collecting
// as it goes, and prints each diskConsistentLsn it reaches. It is killed at a random moment.
const CHILD = `
const { TimelineStore } = await import(process.env.STORE_MODULE);
const batch = (i) => {
  const value = (n) => (n % 9 === 0 ? null : Buffer.from('v' + n + '-' + 'x'.repeat(n % 300)));
  return [
    { key: Buffer.from('k' + ((i * 7) % 50)), value: value(i) },
    { key: Buffer.from('k' + ((i * 13) % 50)), value: value(i + 1) },
  ];
};
const store = await TimelineStore.open(process.env.STORE_DIR, { compactionThreshold: 3, checkpointDistanceBytes: 8192 });
let i = store.lastLsn / 16;
console.log('ready ' + store.diskConsistentLsn);
for (;;) {
  i++;
  store.apply(16 * i, batch(i));
  if (store.shouldCheckpoint() || i % 40 === 0) {
    const lsn = 16 * i;
    const done = store.checkpoint({ lsn }).then(() => console.log('durable ' + lsn));
    if (i % 3 === 0) await done;
  }
  if (i % 90 === 0) await store.compact(store.diskConsistentLsn - 1600);
  if (i % 130 === 0) await store.gc(store.diskConsistentLsn - 800);
  if (i % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
}
`;

async function runAndKill(dir: string, killAfterMs: number): Promise<{ durable: number; readyAt: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    env: { ...process.env, STORE_MODULE: `file://${STORE_MODULE}`, STORE_DIR: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let killed = false;
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (!killed && out.includes('ready')) {
      killed = true;
      setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    }
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  if (signal !== 'SIGKILL') throw new Error(`child exited without being killed:\n${out}`);
  const durable = Math.max(0, ...[...out.matchAll(/durable (\d+)/g)].map((m) => Number(m[1])));
  return { durable, readyAt: Number(/ready (\d+)/.exec(out)?.[1] ?? 0) };
}

t.test('kill -9 while ingesting: reopens consistent at diskConsistentLsn', async (t) => {
  const dir = tempDir(t, 'kill');
  let previous = 0;
  for (const killAfterMs of [250, 400, 650]) {
    const { durable, readyAt } = await runAndKill(dir, killAfterMs);
    t.equal(readyAt, previous, 'the child resumed from the last diskConsistentLsn');
    const store = await TimelineStore.open(dir);
    const dcl = store.diskConsistentLsn;
    t.ok(dcl >= durable && dcl > previous, `diskConsistentLsn ${dcl} covers every acknowledged checkpoint (last ${durable})`);
    t.equal(store.metadata.lsn, dcl, 'metadata matches diskConsistentLsn');
    t.same(stateAt(store, dcl), expectedState(dcl / 16), `the state at ${dcl} is complete (${store.layers().length} layers)`);
    const listed = new Set(['store.json', ...store.layers().map((l) => l.name)]);
    t.same(fs.readdirSync(dir).filter((n) => !listed.has(n)), [], 'no leftovers');
    previous = dcl;
    await store.close();
  }
});
