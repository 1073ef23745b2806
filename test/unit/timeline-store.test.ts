// The emulated pageserver's timeline storage against a simple model (a Map of key -> versions):
// seeded random applies, checkpoints, compactions, gc, reopens and crash copies, with reads at
// random LSNs above the readable floor; plus tombstones, early-stopped scans, memory bounds and a
// quick performance measurement (reported, not asserted).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { TimelineStore, type Lookup, type Mutation, type StoreOptions } from '../../cluster/emulated/pageserver/storage/timeline-store.ts';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const EMPTY = Buffer.alloc(0);

function tempDir(t: Test, name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `timeline-store-${name}-`));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Version = { lsn: number; value: Buffer | null };

class Model {
  readonly versions = new Map<string, Version[]>(); // hex key -> versions, ascending LSN

  apply(lsn: number, mutations: Mutation[]): void {
    for (const { key, value } of mutations) {
      const list = this.versions.get(key.toString('hex')) ?? [];
      if (list.at(-1)?.lsn === lsn) list.pop();
      list.push({ lsn, value });
      this.versions.set(key.toString('hex'), list);
    }
  }

  /** Forgets versions above `lsn` (what a crash loses). */
  truncate(lsn: number): void {
    for (const [k, list] of this.versions) {
      const kept = list.filter((v) => v.lsn <= lsn);
      if (kept.length) this.versions.set(k, kept);
      else this.versions.delete(k);
    }
  }

  get(key: Buffer, lsn: number): Lookup {
    const list = this.versions.get(key.toString('hex')) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.lsn <= lsn) return { found: true, value: list[i]!.value };
    return { found: false };
  }

  scan(start: Buffer, end: Buffer | null, lsn: number): string[] {
    const keys = [...this.versions.keys()]
      .map((k) => Buffer.from(k, 'hex'))
      .filter((k) => Buffer.compare(k, start) >= 0 && (end === null || Buffer.compare(k, end) < 0))
      .sort(Buffer.compare);
    const out: string[] = [];
    for (const k of keys) {
      const r = this.get(k, lsn);
      if (r.found) out.push(show(k, r.value));
    }
    return out;
  }
}

const show = (key: Buffer, value: Buffer | null): string => `${key.toString('hex')}=${value === null ? '<deleted>' : digest(value)}`;
const digest = (v: Buffer): string => (v.length <= 16 ? v.toString('hex') : `${v.length}:${v.subarray(0, 8).toString('hex')}:${v.subarray(-8).toString('hex')}`);
const showLookup = (r: Lookup): string => (!r.found ? 'not found' : r.value === null ? 'deleted' : digest(r.value));
const scanAll = (store: TimelineStore, start: Buffer, end: Buffer | null, lsn: number): string[] =>
  [...store.scan(start, end, lsn)].map((e) => show(e.key, e.value));

function makeKeys(rnd: () => number, n: number): Buffer[] {
  const keys = new Map<string, Buffer>([['', EMPTY]]); // the empty key is a key too
  while (keys.size < n) {
    const len = 1 + Math.floor(rnd() * 10);
    // Few distinct bytes, so keys share prefixes and some are prefixes of others.
    const k = Buffer.from(Array.from({ length: len }, () => [0x00, 0x01, 0x7f, 0x80, 0xff][Math.floor(rnd() * 5)]!));
    keys.set(k.toString('hex'), k);
  }
  return [...keys.values()];
}

function randomValue(rnd: () => number): Buffer | null {
  const r = rnd();
  if (r < 0.15) return null;
  const len = r < 0.17 ? 20_000 + Math.floor(rnd() * 60_000) : Math.floor(rnd() * 40); // a few span blocks
  const v = Buffer.alloc(len);
  for (let i = 0; i < len; i += 997) v[i] = Math.floor(rnd() * 256);
  if (len >= 4) v.writeUInt32LE(Math.floor(rnd() * 2 ** 32), 0);
  return v;
}

interface ActiveScan {
  gen: Generator<{ key: Buffer; value: Buffer | null }>;
  expected: string[];
  got: string[];
}

/** One random run: the store and the model must agree at every LSN at or above the floor. */
async function scenario(t: Test, seed: number, steps: number, options: StoreOptions): Promise<void> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const dir = tempDir(t, `seed${seed}`);
  const keys = makeKeys(rnd, 200 + Math.floor(rnd() * 200));
  const model = new Model();
  let store = await TimelineStore.open(dir, options);
  let floor = 0; // reads below it may fail (compaction horizon, gc cutoff)
  let pending: Promise<unknown>[] = [];
  let scans: ActiveScan[] = [];
  const crashCopies: { dir: string; floor: number }[] = [];
  const mismatches: string[] = [];
  const randomLsn = () => floor + Math.floor(rnd() * (store.lastLsn - floor + 1));
  const belowDcl = () => floor + Math.floor(rnd() * Math.max(0, store.diskConsistentLsn - floor + 1));
  const settle = async () => {
    await Promise.all(pending);
    pending = [];
  };

  if (rnd() < 0.5) await store.initialize(100, { created: seed });
  for (let step = 0; step < steps; step++) {
    const r = rnd();
    if (pending.length && rnd() < 0.5) await new Promise((resolve) => setImmediate(resolve)); // let I/O progress
    if (r < 0.55) {
      const lsn = store.lastLsn + 1 + Math.floor(rnd() * 16);
      const mutations = Array.from({ length: Math.floor(rnd() * 5) }, () => ({ key: pick(keys), value: randomValue(rnd) }));
      store.apply(lsn, mutations);
      model.apply(lsn, mutations);
      if (store.shouldCheckpoint()) pending.push(store.checkpoint({ lsn }));
    } else if (r < 0.63) {
      pending.push(store.checkpoint({ lsn: store.lastLsn }));
    } else if (r < 0.67) {
      const horizon = belowDcl();
      floor = Math.max(floor, horizon);
      pending.push(store.compact(horizon));
    } else if (r < 0.7) {
      const cutoff = belowDcl();
      floor = Math.max(floor, cutoff);
      pending.push(store.gc(cutoff));
    } else if (r < 0.8) {
      for (let i = 0; i < 20; i++) {
        const key = pick(keys);
        const lsn = randomLsn();
        const [got, want] = [showLookup(store.get(key, lsn)), showLookup(model.get(key, lsn))];
        if (got !== want) mismatches.push(`step ${step}: get ${key.toString('hex')}@${lsn}: ${got}, model ${want}`);
      }
    } else if (r < 0.86) {
      const lsn = randomLsn();
      const [a, b] = [pick(keys), rnd() < 0.3 ? null : pick(keys)];
      const [start, end] = b === null || Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
      const scan: ActiveScan = { gen: store.scan(start, end, lsn), expected: model.scan(start, end, lsn), got: [] };
      const first = scan.gen.next(); // the snapshot is taken now
      if (!first.done) scan.got.push(show(first.value.key, first.value.value));
      scans.push(scan);
    } else if (r < 0.93 && scans.length) {
      const scan = pick(scans);
      for (let i = Math.floor(rnd() * 50); i >= 0; i--) {
        const next = scan.gen.next();
        if (next.done) {
          t.same(scan.got, scan.expected, `seed ${seed} step ${step}: an interleaved scan`);
          scans = scans.filter((s) => s !== scan);
          break;
        }
        scan.got.push(show(next.value.key, next.value.value));
      }
    } else if (r < 0.96 && pending.length) {
      // A crash in the middle of whatever is running: a copy of the directory as it is now.
      const copy = `${dir}-crash${crashCopies.length}`;
      t.teardown(() => fs.rmSync(copy, { recursive: true, force: true }));
      copyDir(dir, copy);
      crashCopies.push({ dir: copy, floor });
    } else if (r < 0.98) {
      await settle();
      for (const s of scans) s.gen.return(undefined); // early stop
      scans = [];
      await store.close();
      store = await TimelineStore.open(dir, options);
      model.truncate(store.diskConsistentLsn);
      if (store.diskConsistentLsn > 100) t.equal(store.metadata.lsn, store.diskConsistentLsn, 'metadata persisted with its LSN');
    }
  }
  await settle();
  t.same(mismatches, [], `seed ${seed}: gets agree with the model`);
  for (let i = 0; i < 5; i++) {
    const lsn = i === 0 ? store.lastLsn : randomLsn();
    t.same(scanAll(store, EMPTY, null, lsn), model.scan(EMPTY, null, lsn), `seed ${seed}: full scan at ${lsn}`);
  }
  for (const s of scans) s.gen.return(undefined);
  for (const copy of crashCopies) {
    const reopened = await TimelineStore.open(copy.dir, options);
    const dcl = reopened.diskConsistentLsn;
    t.same(scanAll(reopened, EMPTY, null, dcl), model.scan(EMPTY, null, dcl), `seed ${seed}: crash copy consistent at ${dcl}`);
    t.same(strays(copy.dir, reopened), [], 'no orphan files after reopening a crash copy');
    await reopened.close();
  }
  t.ok(store.layers().length > 0, `seed ${seed}: ${store.layers().length} layers, ${store.layers().filter((l) => l.kind === 'image').length} images`);
  await store.close();
}

/** Copies a directory like a crash would leave it, tolerating files that vanish meanwhile. */
function copyDir(from: string, to: string): void {
  fs.mkdirSync(to);
  for (const name of fs.readdirSync(from)) {
    try {
      fs.copyFileSync(path.join(from, name), path.join(to, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** Files in `dir` that are neither store.json nor a layer of `store`. */
function strays(dir: string, store: TimelineStore): string[] {
  const known = new Set(['store.json', ...store.layers().map((l) => l.name)]);
  return fs.readdirSync(dir).filter((n) => !known.has(n));
}

t.test('get, scan and tombstones', async (t) => {
  const store = await TimelineStore.open(tempDir(t, 'basic'));
  const k = (s: string) => Buffer.from(s);
  store.apply(10, [{ key: k('a'), value: k('1') }, { key: k('b'), value: k('2') }]);
  store.apply(20, [{ key: k('a'), value: null }]);
  store.apply(30, [{ key: k('a'), value: k('3') }, { key: k('c'), value: k('4') }, { key: k('c'), value: k('5') }]);
  const check = (label: string) => {
    t.same(store.get(k('a'), 5), { found: false }, `${label}: before the first version`);
    t.same(store.get(k('a'), 19), { found: true, value: k('1') }, label);
    t.same(store.get(k('a'), 25), { found: true, value: null }, `${label}: deleted`);
    t.same(store.get(k('a'), 30), { found: true, value: k('3') }, label);
    t.same(store.get(k('c'), 30), { found: true, value: k('5') }, `${label}: last write in a batch wins`);
    t.same(store.get(k('zz'), 30), { found: false }, `${label}: never written`);
    t.same(scanAll(store, EMPTY, null, 25), [show(k('a'), null), show(k('b'), k('2'))], `${label}: scan includes tombstones`);
    t.same(scanAll(store, k('b'), k('c'), 30), [show(k('b'), k('2'))], `${label}: [start, end)`);
  };
  check('in memory');
  await store.checkpoint({ prev: 1 });
  t.equal(store.diskConsistentLsn, 30);
  check('on disk');
  store.apply(40, []);
  await store.checkpoint();
  t.equal(store.diskConsistentLsn, 40, 'an LSN advance with no mutations is checkpointed too');
  t.equal(store.layers().length, 1, '...without a layer file');
  t.throws(() => store.apply(40, []), { code: 'invalid-argument' }, 'equal LSN rejected');
  t.throws(() => store.apply(39, []), { code: 'invalid-argument' });
  await t.rejects(store.initialize(5, {}), { code: 'invalid-argument' });
  await store.close();
  t.throws(() => store.get(k('a'), 30), { code: 'closed' });
});

t.test('compaction keeps deletes distinct from never-written keys', async (t) => {
  const store = await TimelineStore.open(tempDir(t, 'tomb'), { compactionThreshold: 2 });
  const k = (s: string) => Buffer.from(s);
  store.apply(1, [{ key: k('a'), value: k('1') }]);
  await store.checkpoint();
  store.apply(2, [{ key: k('a'), value: null }]);
  await store.checkpoint();
  await store.compact(2);
  t.same(store.layers().map((l) => l.kind), ['image'], 'horizon at the image LSN: the deltas are gone');
  t.same(store.get(k('a'), 2), { found: true, value: null });
  t.same(store.get(k('b'), 2), { found: false });
  await store.close();
});

t.test('initialize', async (t) => {
  const dir = tempDir(t, 'init');
  const store = await TimelineStore.open(dir);
  await store.initialize(0x1000, { prev_record_lsn: 0xff0 });
  t.equal(store.lastLsn, 0x1000);
  t.throws(() => store.apply(0x1000, []), { code: 'invalid-argument' });
  await store.close();
  const again = await TimelineStore.open(dir);
  t.same([again.diskConsistentLsn, again.lastLsn, again.metadata], [0x1000, 0x1000, { prev_record_lsn: 0xff0 }]);
  await again.close();
});

t.test('random histories agree with the model', async (t) => {
  const variants: StoreOptions[] = [
    { compactionThreshold: 3, layerFileTargetBytes: 2048, checkpointDistanceBytes: 4096 },
    { compactionThreshold: 2, layerFileTargetBytes: 64 * 1024, checkpointDistanceBytes: 64 * 1024 },
    { compactionThreshold: 5, checkpointDistanceBytes: 1024 },
    { compactionThreshold: 1, layerFileTargetBytes: 512 },
  ];
  // TIMELINE_STORE_SEEDS=200 for a longer hunt; a failure names its seed.
  const seeds = Number(process.env.TIMELINE_STORE_SEEDS ?? 6);
  for (let seed = 1; seed <= seeds; seed++) await scenario(t, seed, 1200, variants[seed % variants.length]!);
});

t.test('a key with versions spanning many blocks', async (t) => {
  const store = await TimelineStore.open(tempDir(t, 'versions'), { compactionThreshold: 2 });
  const key = Buffer.from('hot');
  const value = (lsn: number) => Buffer.alloc(3000 + (lsn % 7), lsn % 251);
  for (let lsn = 1; lsn <= 400; lsn++) store.apply(lsn, [{ key, value: value(lsn) }, { key: Buffer.from([lsn % 5]), value: null }]);
  await store.checkpoint();
  for (let lsn = 401; lsn <= 500; lsn++) store.apply(lsn, [{ key, value: value(lsn) }]);
  await store.checkpoint();
  t.ok(store.layers()[0]!.sizeBytes > 1_000_000, 'the first delta has many blocks');
  const wrong = [];
  for (let lsn = 1; lsn <= 500; lsn++) if (!store.get(key, lsn).found || !(store.get(key, lsn) as { value: Buffer }).value.equals(value(lsn))) wrong.push(lsn);
  t.same(wrong, [], 'every version readable');
  await store.compact(200);
  for (let lsn = 200; lsn <= 500; lsn++) if (!(store.get(key, lsn) as { value: Buffer }).value.equals(value(lsn))) wrong.push(lsn);
  t.same(wrong, [], 'every version above the horizon still readable after compaction');
  await store.close();
});

t.test('long keys: names are cut and kept unique, ranges exact', async (t) => {
  const dir = tempDir(t, 'long');
  const options = { compactionThreshold: 2, layerFileTargetBytes: 1024 };
  const store = await TimelineStore.open(dir, options);
  const prefix = Buffer.alloc(40, 0xab);
  const key = (i: number) => Buffer.concat([prefix, Buffer.from(String(i).padStart(4, '0'))]);
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 200; i++) store.apply(round * 200 + i + 1, [{ key: key(i), value: Buffer.alloc(50, round) }]);
    await store.checkpoint();
  }
  await store.compact(1);
  const images = store.layers().filter((l) => l.kind === 'image');
  t.ok(images.length > 5, `${images.length} image files`);
  t.equal(new Set(images.map((l) => l.name)).size, images.length, 'unique names');
  t.ok(images.every((l) => l.name.length < 200), 'names stay short');
  t.ok(images.some((l) => l.keyStart.length === 88), 'LayerInfo has the exact key range');
  await store.close();
  const reopened = await TimelineStore.open(dir, options);
  t.same(reopened.get(key(150), 400), { found: true, value: Buffer.alloc(50, 1) });
  t.same(reopened.get(key(150), 200), { found: true, value: Buffer.alloc(50, 0) });
  t.equal([...reopened.scan(EMPTY, null, 400)].length, 200);
  await reopened.close();
});

t.test('a scan survives compaction and gc of the layers it reads', async (t) => {
  const dir = tempDir(t, 'scan-gc');
  const store = await TimelineStore.open(dir, { compactionThreshold: 2 });
  const key = (i: number) => Buffer.from(`key${String(i).padStart(6, '0')}`);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 5000; i++) store.apply(round * 5000 + i + 1, [{ key: key(i), value: Buffer.from(`r${round}`) }]);
    await store.checkpoint();
  }
  const scan = store.scan(EMPTY, null, 9000); // round 1 state for keys < 4000, round 0 after
  const head = [scan.next(), scan.next()];
  const old = store.layers().map((l) => l.name);
  await store.compact(15000);
  const removed = await store.gc(15000);
  t.ok(removed.length > 0 || store.layers().every((l) => !old.includes(l.name)), 'the layers the scan reads are gone from the map');
  t.notOk(fs.readdirSync(dir).some((n) => old.includes(n)), 'and their files are unlinked');
  const rest = [...head.map((h) => h.value!), ...scan];
  t.equal(rest.length, 5000);
  t.equal(rest.filter((e) => e.value!.toString() === 'r1').length, 4000);
  t.equal(rest.filter((e) => e.value!.toString() === 'r0').length, 1000);
  const early = store.scan(EMPTY, null, 15000);
  t.equal(early.next().value!.value!.toString(), 'r2');
  early.return(undefined); // stopping early releases the layers
  await store.close();
});

t.test('memory stays bounded; measurements', async (t) => {
  const dir = tempDir(t, 'memory');
  const distance = 1024 * 1024;
  const store = await TimelineStore.open(dir, { checkpointDistanceBytes: distance, compactionThreshold: 8 });
  const value = Buffer.alloc(8192, 7);
  let maxInMemory = 0;
  let lsn = 0;
  const rssBefore = process.memoryUsage().rss;
  for (let i = 0; i < 50 * 128; i++) {
    value.writeUInt32LE(i, 0);
    store.apply(++lsn, [{ key: Buffer.from(`page-${i % 3000}`), value }]);
    maxInMemory = Math.max(maxInMemory, store.inMemoryBytes());
    if (store.shouldCheckpoint()) {
      await store.checkpoint({ lsn });
      await store.compact(store.diskConsistentLsn);
      await store.gc(store.diskConsistentLsn);
    }
  }
  t.ok(maxInMemory < distance + 2 * 8300, `in-memory bytes peaked at ${maxInMemory} (limit ${distance})`);
  t.ok(store.layers().length > 0 && store.layers().length < 12, `${store.layers().length} layer files after 50 MiB`);
  t.comment(`50 MiB applied: rss grew ${((process.memoryUsage().rss - rssBefore) / 2 ** 20).toFixed(1)} MiB`);
  await store.close();

  // Performance (reported, not asserted).
  const perfDir = tempDir(t, 'perf');
  const perf = await TimelineStore.open(perfDir);
  const key = (i: number) => Buffer.from(`rel-0001-blk-${String(i).padStart(8, '0')}`);
  const small = Buffer.alloc(16, 1);
  let started = performance.now();
  for (let i = 0; i < 100_000; i++) perf.apply(i + 1, [{ key: key(i), value: small }]);
  const applyMs = performance.now() - started;
  await perf.checkpoint();
  await perf.close();
  const reopened = await TimelineStore.open(perfDir); // its blocks are not cached yet
  started = performance.now();
  for (let i = 0; i < 100_000; i += 1000) reopened.get(key(i), 100_000); // a block apart: every get reads one
  const coldUs = ((performance.now() - started) / 100) * 1000;
  started = performance.now();
  for (let i = 0; i < 10_000; i++) reopened.get(key((i * 7919) % 100_000), 100_000);
  const warmUs = ((performance.now() - started) / 10_000) * 1000;
  started = performance.now();
  let n = 0;
  for (const _ of reopened.scan(EMPTY, null, 100_000)) n++;
  const scanMs = performance.now() - started;
  t.equal(n, 100_000);
  t.comment(
    `apply ${Math.round(100_000 / (applyMs / 1000))} mutations/s; get from disk ${coldUs.toFixed(1)} µs uncached, ` +
      `${warmUs.toFixed(1)} µs cached; scan 1e5 keys ${scanMs.toFixed(0)} ms`,
  );
  await reopened.close();
});
