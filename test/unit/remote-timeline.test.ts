// Uploading a timeline to remote storage: Neon's object keys and index_part, the newest index at
// or below a generation, layers uploaded once and referenced with the generation that uploaded
// them, retries through storage failures (remote_consistent_lsn held back, nothing lost), and the
// deletion queue that deletes only what a still-current generation decided.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { DeletionQueue } from '../../cluster/emulated/pageserver/remote/deletion-queue.ts';
import { buildIndexPart, parseIndexPart, serializeIndexPart, type RemoteTimelineMetadata } from '../../cluster/emulated/pageserver/remote/index-part.ts';
import { LocalFsRemoteStorage } from '../../cluster/emulated/pageserver/remote/local-fs.ts';
import { indexGeneration, indexPartKey, latestIndexKey, layerKey, timelineIdsIn } from '../../cluster/emulated/pageserver/remote/remote-paths.ts';
import { RemoteStorageError, type RemoteStorage } from '../../cluster/emulated/pageserver/remote/remote-storage.ts';
import { readLatestIndex, RemoteTimelineClient, type UploadSource } from '../../cluster/emulated/pageserver/remote/remote-timeline-client.ts';
import type { LayerInfo } from '../../cluster/emulated/pageserver/storage/layer-reader.ts';
import { waitUntil } from '../helpers/processes.ts';

const TENANT = 'a'.repeat(32);
const TIMELINE = 'b'.repeat(32);

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'remote-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function metadata(diskConsistentLsn: number): RemoteTimelineMetadata {
  return { timeline_id: TIMELINE, ancestor_timeline_id: null, ancestor_lsn: null, initdb_lsn: 0x1000000, pg_version: 17, disk_consistent_lsn: diskConsistentLsn, prev_record_lsn: 0, applied_gc_cutoff_lsn: 0 };
}

/** A timeline's local side: layer files in a directory and the LSN they reach. */
class FakeTimeline {
  layers: LayerInfo[] = [];
  lsn = 0x1000000;
  constructor(readonly dir: string) {}
  addLayer(name: string, bytes: string, lsn: number): void {
    fs.writeFileSync(path.join(this.dir, name), bytes);
    this.layers = [...this.layers, { name, kind: 'delta', keyStart: '', keyEnd: '', lsnStart: 0, lsnEnd: lsn, sizeBytes: bytes.length }];
    this.lsn = lsn;
  }
  dropLayer(name: string): void {
    fs.rmSync(path.join(this.dir, name));
    this.layers = this.layers.filter((l) => l.name !== name);
  }
  source(): UploadSource {
    return { snapshot: () => ({ layers: this.layers, metadata: metadata(this.lsn) }), layerPath: (name) => path.join(this.dir, name) };
  }
}

t.test('keys and index generations', async (t) => {
  t.equal(indexPartKey(TENANT, TIMELINE, 1), `tenants/${TENANT}/timelines/${TIMELINE}/index_part.json-00000001`);
  t.equal(layerKey(TENANT, TIMELINE, 'X__0000000001000001-0000000001013891', 0x1f), `tenants/${TENANT}/timelines/${TIMELINE}/X__0000000001000001-0000000001013891-0000001f`);
  t.equal(indexGeneration('p/index_part.json-0000000a'), 10);
  t.equal(indexGeneration('p/index_part.json'), 0, 'a legacy index without suffix is generation 0');
  t.equal(indexGeneration('p/heatmap-v1.json'), null);
  const keys = ['t/index_part.json-00000001', 't/index_part.json-00000003', 't/index_part.json-00000007', 't/layer-00000007'];
  t.same(latestIndexKey(keys, 5), { key: 't/index_part.json-00000003', generation: 3 }, 'the newest at or below our generation: never a newer attachment\'s');
  t.same(latestIndexKey(keys, 7)?.generation, 7);
  t.equal(latestIndexKey(keys, 0), null);
  t.same(timelineIdsIn([`tenants/${TENANT}/timelines/${TIMELINE}/index_part.json-00000001`, `tenants/${TENANT}/timelines/${'c'.repeat(32)}/x`, `tenants/${TENANT}/heatmap-v1.json`], TENANT), [TIMELINE, 'c'.repeat(32)]);
});

t.test('index_part round trip, and a corrupt one is refused by name', async (t) => {
  const layers = new Map([['L2', { file_size: 2, generation: 2, shard: '0000' }], ['L1', { file_size: 1, generation: 1, shard: '0000' }]]);
  const data = serializeIndexPart(buildIndexPart(layers, metadata(0x1013890)));
  const parsed = parseIndexPart(data, 'k');
  t.same(Object.keys(parsed.index.layer_metadata), ['L1', 'L2'], 'layers sorted by name');
  t.equal(parsed.index.version, 15);
  t.equal(parsed.index.disk_consistent_lsn, '0/1013890');
  t.same(parsed.metadata, metadata(0x1013890));
  t.throws(() => parseIndexPart(Buffer.from('{'), 'k1'), /k1: not a usable index_part.json: not JSON/);
  const wrong = { ...JSON.parse(data.toString()), disk_consistent_lsn: '0/1' };
  t.throws(() => parseIndexPart(Buffer.from(JSON.stringify(wrong)), 'k2'), /disagrees with metadata_bytes/);
});

t.test('the client uploads new layers once, then the index; a restart in a new generation reuses them', async (t) => {
  const storage = new LocalFsRemoteStorage(tempDir(t));
  const local = new FakeTimeline(tempDir(t));
  const deletions: { generation: number; keys: string[] }[] = [];
  let generation = 1;
  let current = 1; // the generation the storage controller confirms
  const deleteLater = (_t: string, g: number, keys: string[], onValidated?: () => void) => {
    if (keys.length) deletions.push({ generation: g, keys });
    if (g === current) onValidated?.();
  };
  const client = () => new RemoteTimelineClient(storage, TENANT, TIMELINE, () => generation, local.source(), deleteLater, null, 0x1000000);

  const c1 = client();
  t.equal(c1.remoteConsistentLsn, 0x1000000, 'a new timeline starts at its start LSN');
  await c1.waitUploaded();
  t.same((await storage.list('')).map((o) => o.key.split('/').at(-1)), ['index_part.json-00000001'], 'an empty new timeline still gets its index (so it can be restored)');
  local.addLayer('L1', 'one', 0x1000100);
  await c1.waitUploaded();
  t.equal(c1.remoteConsistentLsn, 0x1000100, 'remote_consistent_lsn reaches disk_consistent_lsn');
  t.equal(c1.remoteConsistentLsnVisible, 0x1000100, 'and, its generation confirmed, is published');
  t.same((await storage.list('')).map((o) => o.key.split('/').at(-1)), ['L1-00000001', 'index_part.json-00000001']);

  local.addLayer('L2', 'two', 0x1000200);
  c1.schedule();
  c1.schedule(); // coalesced
  await c1.waitUploaded();
  await c1.close();

  generation = 2; // re-attached after a restart
  const existing = await readLatestIndex(storage, TENANT, TIMELINE, generation);
  t.same([...existing!.layers.keys()], ['L1', 'L2']);
  const c2 = new RemoteTimelineClient(storage, TENANT, TIMELINE, () => generation, local.source(), deleteLater, existing, 0x1000000);
  t.equal(c2.remoteConsistentLsn, 0x1000200, 'a loaded timeline starts from what the index says');
  local.addLayer('L3', 'three', 0x1000300);
  local.dropLayer('L1'); // compaction replaced it
  await c2.waitUploaded();
  const latest = await readLatestIndex(storage, TENANT, TIMELINE, 2);
  t.same(Object.fromEntries([...latest!.layers].map(([n, m]) => [n, m.generation])), { L2: 1, L3: 2 }, 'old layers keep the generation that uploaded them');
  t.notOk((await storage.list('')).some((o) => o.key.endsWith('L2-00000002')), 'L2 was not uploaded again');
  t.same(deletions, [{ generation: 2, keys: [layerKey(TENANT, TIMELINE, 'L1', 1)] }], 'the dropped layer goes to deletion, decided by generation 2');
  t.equal((await readLatestIndex(storage, TENANT, TIMELINE, 1))!.layers.size, 2, 'a reader in generation 1 still finds its own index');
  t.equal(c2.remoteConsistentLsnVisible, 0x1000200, 'generation 2 is not confirmed (still 1): its upload is not published');
  current = 2;
  local.addLayer('L4', 'four', 0x1000400);
  await c2.waitUploaded();
  t.equal(c2.remoteConsistentLsnVisible, 0x1000400, 'once it is, the next upload is');
  await c2.close();
});

t.test('storage failures are retried; remote_consistent_lsn waits, nothing is lost', async (t) => {
  const inner = new LocalFsRemoteStorage(tempDir(t));
  let failures = 3;
  const flaky: RemoteStorage = {
    description: 'flaky',
    put: async (key, data) => {
      if (failures-- > 0) throw new RemoteStorageError('put', key, 'connection refused');
      return inner.put(key, data);
    },
    get: (k) => inner.get(k),
    list: (p) => inner.list(p),
    delete: (k) => inner.delete(k),
  };
  const local = new FakeTimeline(tempDir(t));
  const client = new RemoteTimelineClient(flaky, TENANT, TIMELINE, () => 1, local.source(), () => {}, null, 0x1000000);
  local.addLayer('L1', 'one', 0x1000100);
  client.schedule();
  await new Promise((r) => setTimeout(r, 50));
  t.equal(client.remoteConsistentLsn, 0x1000000, 'held back while uploads fail');
  t.match(client.lastError, /connection refused/, 'the failure is visible');
  t.match(client.uploadQueueStatus(), { state: 'retrying', pending: 1, last_error: /connection refused/, failing_since: /^\d{4}-/ }, 'upload_queue: retrying, the layer upload pending');
  t.ok(client.uploadQueueStatus().consecutive_failures >= 1);
  await client.waitUploaded();
  t.equal(client.remoteConsistentLsn, 0x1000100, 'and advances once the storage works again');
  t.equal(client.lastError, null);
  t.same(client.uploadQueueStatus(), { state: 'ok', pending: 0, consecutive_failures: 0, last_error: null, failing_since: null }, 'upload_queue: ok again, nothing pending');
  t.ok(await inner.get(layerKey(TENANT, TIMELINE, 'L1', 1)), 'the layer is there');
  await client.close();
});

t.test('the deletion queue deletes only what a current generation decided', async (t) => {
  const storage = new LocalFsRemoteStorage(tempDir(t));
  for (const k of ['a/1', 'a/2', 'b/1']) await storage.put(k, Buffer.from(k));
  const asked: { id: string; gen: number }[][] = [];
  let current = 5;
  let reachable = true;
  const queue = new DeletionQueue(storage, async (tenants) => {
    if (!reachable) throw new Error('storage controller unreachable');
    asked.push(tenants);
    return tenants.map((x) => ({ id: x.id, valid: x.gen === current }));
  });
  const published: string[] = [];
  queue.enqueue('a', 5, ['a/1']);
  queue.enqueue('b', 4, ['b/1'], () => published.push('b@4')); // a stale attachment
  queue.enqueue('a', 5, [], () => published.push('a@5')); // only a publication
  await queue.flush();
  t.same(published, ['a@5'], 'only the current generation\'s LSN is published');
  t.same(asked, [[{ id: 'a', gen: 5 }], [{ id: 'b', gen: 4 }]], 'validated per generation');
  t.equal(await storage.get('a/1'), null, 'the current generation\'s deletion ran');
  t.ok(await storage.get('b/1'), 'the stale generation\'s was refused: the object stays');
  t.same(queue.stats, { deleted: 1, refused: 1 });

  reachable = false;
  queue.enqueue('a', 5, ['a/2']);
  await queue.flush();
  t.ok(await storage.get('a/2'), 'unvalidated deletions wait');
  reachable = true;
  current = 6;
  await queue.flush();
  t.ok(await storage.get('a/2'), 'and a generation that went stale meanwhile is refused');
  t.same(queue.stats, { deleted: 1, refused: 2 });
  await queue.close();
});

t.test('a failed delete is retried by itself, without another enqueue', async (t) => {
  const inner = new LocalFsRemoteStorage(tempDir(t));
  await inner.put('a/1', Buffer.from('x'));
  let failures = 1;
  const flaky: RemoteStorage = { description: 'flaky', put: (k, d) => inner.put(k, d), get: (k) => inner.get(k), list: (p) => inner.list(p),
    delete: async (keys) => {
      if (failures-- > 0) throw new RemoteStorageError('delete', keys[0]!, 'connection reset');
      return inner.delete(keys);
    },
  };
  const queue = new DeletionQueue(flaky, async (tenants) => tenants.map((x) => ({ id: x.id, valid: true })));
  t.teardown(() => queue.close());
  queue.enqueue('a', 1, ['a/1']); // its timer makes the first attempt
  await waitUntil('the first attempt', async () => failures <= 0, 5000);
  t.ok(await inner.get('a/1'), 'the first attempt failed');
  await waitUntil('the retried delete', async () => (await inner.get('a/1')) === null, 5000);
  t.equal(queue.stats.deleted, 1, 'the retry deleted it');
});

