// Heatmaps and secondary downloads without a cluster: a timeline uploaded by an "attached" client,
// its heatmap, a secondary pass that downloads exactly the hot layers and records which remote
// object each file copies, an attach (downloadTimeline) that reuses them and downloads nothing,
// one that downloads a layer whose generation differs, a cold attach that downloads everything,
// and the state helpers the HTTP routes answer with.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { downloadTimeline } from '../../cluster/emulated/pageserver/remote/download.ts';
import { LocalFsRemoteStorage } from '../../cluster/emulated/pageserver/remote/local-fs.ts';
import { buildIndexPart, serializeIndexPart } from '../../cluster/emulated/pageserver/remote/index-part.ts';
import { heatmapKey, indexPartKey, layerKey } from '../../cluster/emulated/pageserver/remote/remote-paths.ts';
import type { RemoteStorage } from '../../cluster/emulated/pageserver/remote/remote-storage.ts';
import { readLatestIndex, RemoteTimelineClient } from '../../cluster/emulated/pageserver/remote/remote-timeline-client.ts';
import { downloadPass, emptyProgress, localProgress } from '../../cluster/emulated/pageserver/secondary/downloader.ts';
import { heatmapStats, heatmapTimeline, parseHeatmap, type HeatMapTenant } from '../../cluster/emulated/pageserver/secondary/heatmap.ts';
import { keepLayersOf, readResidentLayers, RESIDENT_LAYERS_FILE } from '../../cluster/emulated/pageserver/secondary/resident-layers.ts';
import { TimelineStore } from '../../cluster/emulated/pageserver/storage/timeline-store.ts';
import { attachmentStatus, brokenState, notActiveError } from '../../cluster/emulated/pageserver/tenants/tenant-state.ts';

const TENANT = 'a'.repeat(32);
const TIMELINE = 'b'.repeat(32);
const START = 0x1000000;

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secondary-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Counts the layer objects read from remote storage. */
function counting(inner: RemoteStorage): RemoteStorage & { layerGets: number } {
  const s = {
    layerGets: 0,
    description: 'counting',
    put: (k: string, d: Buffer) => inner.put(k, d),
    get: (k: string) => {
      if (!k.endsWith('heatmap-v1.json') && !k.includes('index_part')) s.layerGets++;
      return inner.get(k);
    },
    list: (p: string) => inner.list(p),
    delete: (k: string[]) => inner.delete(k),
    head: (k: string) => inner.head!(k),
  };
  return s;
}

/** An attached timeline of three flushed layers, uploaded in generation 1; returns its heatmap. */
async function uploadedTimeline(t: { teardown(fn: () => void): void }, storage: RemoteStorage): Promise<{ heatmap: HeatMapTenant; store: TimelineStore }> {
  const dir = path.join(tempDir(t), 'layers');
  const store = await TimelineStore.open(dir);
  await store.initialize(START, {});
  for (let round = 1; round <= 3; round++) {
    store.apply(START + round * 0x100, Array.from({ length: 20 }, (_, i) => ({ key: Buffer.from(`key-${i}`), value: Buffer.from(`round ${round}`) })));
    await store.checkpoint({ prev_record_lsn: 0, applied_gc_cutoff_lsn: 0 });
  }
  const source = {
    snapshot: () => ({ layers: store.layers(), metadata: { timeline_id: TIMELINE, ancestor_timeline_id: null, ancestor_lsn: null, initdb_lsn: START, pg_version: 17, disk_consistent_lsn: store.diskConsistentLsn, prev_record_lsn: 0, applied_gc_cutoff_lsn: 0 } }),
    layerPath: (name: string) => path.join(dir, name),
  };
  const client = new RemoteTimelineClient(storage, TENANT, TIMELINE, () => 1, source, () => {}, null, START);
  await client.waitUploaded();
  await client.close();
  const timeline = heatmapTimeline(TIMELINE, store.layers(), client.uploadedLayers, () => 1_700_000_000_123);
  const heatmap: HeatMapTenant = { generation: 1, timelines: [timeline], upload_period_ms: 1000 };
  await storage.put(heatmapKey(TENANT), Buffer.from(JSON.stringify(heatmap)));
  t.teardown(() => store.close());
  return { heatmap, store };
}

t.test('heatmap: what an attached location lists, and a malformed one refused by name', async (t) => {
  const storage = new LocalFsRemoteStorage(tempDir(t));
  const { heatmap, store } = await uploadedTimeline(t, storage);
  const layers = heatmap.timelines[0]!.layers;
  t.equal(layers.length, 3, 'every uploaded layer');
  t.same(layers.map((l) => l.metadata.generation), [1, 1, 1], 'with the generation of the object that holds it');
  t.same(layers[0], { name: layers[0]!.name, metadata: { file_size: store.layers().find((l) => l.name === layers[0]!.name)!.sizeBytes, generation: 1, shard: '0000' }, access_time: 1_700_000_000, cold: false }, 'Neon\'s layer entry: name, metadata, access_time in unix seconds, cold');
  const lsnEnd = (name: string) => store.layers().find((l) => l.name === name)!.lsnEnd;
  t.ok(lsnEnd(layers[0]!.name) > lsnEnd(layers[1]!.name) && lsnEnd(layers[1]!.name) > lsnEnd(layers[2]!.name), 'newest first');
  t.same(heatmapTimeline(TIMELINE, store.layers(), new Map(), () => 0).layers, [], 'a layer remote storage does not hold yet is not listed');
  const withCold = { ...heatmap, timelines: [{ ...heatmap.timelines[0]!, layers: [...layers.slice(0, 2), { ...layers[2]!, cold: true }] }] };
  t.same(heatmapStats(withCold), { layers: 2, bytes: layers[0]!.metadata.file_size + layers[1]!.metadata.file_size }, 'cold layers are not counted');
  const parsed = parseHeatmap(Buffer.from(JSON.stringify({ generation: 3, timelines: [{ timeline_id: TIMELINE, layers: [{ name: 'x', metadata: { file_size: 1, generation: 2, shard: '0000' }, access_time: 5 }] }] })), 'k');
  t.same(parsed, { generation: 3, timelines: [{ timeline_id: TIMELINE, layers: [{ name: 'x', metadata: { file_size: 1, generation: 2, shard: '0000' }, access_time: 5, cold: false }] }], upload_period_ms: null }, 'cold defaults to false, upload_period_ms to null');
  t.throws(() => parseHeatmap(Buffer.from('{'), 'k1'), /k1: not a usable heatmap: not JSON/);
  t.throws(() => parseHeatmap(Buffer.from('{"generation":1,"timelines":[{"timeline_id":"t","layers":[{"name":"x"}]}]}'), 'k2'), /k2: .*without name, file_size or generation/);
});

t.test('a secondary downloads the hot layers; an attach there reuses them, a cold one downloads them', async (t) => {
  const storage = counting(new LocalFsRemoteStorage(tempDir(t)));
  const { heatmap, store } = await uploadedTimeline(t, storage);
  const secondaryDir = tempDir(t);
  const progress = emptyProgress();
  const pass = await downloadPass({ storage, tenantShardId: TENANT, dir: secondaryDir, progress, cancelled: () => false });
  const stats = heatmapStats(heatmap);
  t.equal(pass.complete, true);
  t.match(progress, { layers_downloaded: 3, layers_total: 3, bytes_downloaded: stats.bytes, bytes_total: stats.bytes, heatmap_mtime: /^\d{4}-\d\d-\d\dT/ }, 'SecondaryProgress: everything, with the heatmap\'s mtime');
  t.equal(storage.layerGets, 3, 'three layer objects read');
  const tlDir = path.join(secondaryDir, 'timelines', TIMELINE);
  t.same([...(await readResidentLayers(tlDir)).values()].map((m) => m.generation), [1, 1, 1], 'each file recorded as the copy of its generation-1 object');
  t.notOk(fs.existsSync(path.join(tlDir, 'timeline.json')), 'kept layers are not a timeline');
  t.same(await localProgress(secondaryDir), { ...progress }, 'progress survives a restart (local heatmap and record)');

  storage.layerGets = 0;
  const again = emptyProgress();
  await downloadPass({ storage, tenantShardId: TENANT, dir: secondaryDir, progress: again, cancelled: () => false });
  t.equal(storage.layerGets, 0, 'a second pass finds everything there and downloads nothing');

  storage.layerGets = 0;
  const warm = await downloadTimeline(storage, TENANT, TIMELINE, 1, tlDir);
  t.same(warm!.restore, { layersReused: 3, bytesReused: stats.bytes, layersDownloaded: 0, bytesDownloaded: 0 }, 'attach on the warm secondary: every layer reused');
  t.equal(storage.layerGets, 0, 'no layer object read');
  t.ok(fs.existsSync(path.join(tlDir, 'timeline.json')) && !fs.existsSync(path.join(tlDir, RESIDENT_LAYERS_FILE)), 'a timeline now, owning its layers');
  const restored = await TimelineStore.open(path.join(tlDir, 'layers'));
  t.teardown(() => restored.close());
  t.same(restored.get(Buffer.from('key-7'), store.diskConsistentLsn), { found: true, value: Buffer.from('round 3') }, 'and it reads the data');
  t.same(restored.get(Buffer.from('key-7'), START + 0x100), { found: true, value: Buffer.from('round 1') }, 'at any LSN');

  const coldDir = path.join(tempDir(t), TIMELINE);
  const cold = await downloadTimeline(storage, TENANT, TIMELINE, 1, coldDir);
  t.same(cold!.restore, { layersReused: 0, bytesReused: 0, layersDownloaded: 3, bytesDownloaded: stats.bytes }, 'a cold attach downloads every layer');
});

t.test('a file is reused only as a copy of the object the index names (same generation and size)', async (t) => {
  const storage = counting(new LocalFsRemoteStorage(tempDir(t)));
  const { heatmap } = await uploadedTimeline(t, storage);
  const secondaryDir = tempDir(t);
  await downloadPass({ storage, tenantShardId: TENANT, dir: secondaryDir, progress: emptyProgress(), cancelled: () => false });
  // Generation 2 re-uploaded one layer under the same name (as another attachment could).
  const [first, ...rest] = heatmap.timelines[0]!.layers;
  const data = (await storage.get(layerKey(TENANT, TIMELINE, first!.name, 1)))!;
  await storage.put(layerKey(TENANT, TIMELINE, first!.name, 2), data);
  const layers = new Map([[first!.name, { ...first!.metadata, generation: 2 }], ...rest.map((l) => [l.name, l.metadata] as const)]);
  const metadata = (await readLatestIndex(storage, TENANT, TIMELINE, 1))!.metadata;
  await storage.put(indexPartKey(TENANT, TIMELINE, 2), serializeIndexPart(buildIndexPart(layers, metadata)));
  storage.layerGets = 0;
  const restored = await downloadTimeline(storage, TENANT, TIMELINE, 2, path.join(secondaryDir, 'timelines', TIMELINE));
  t.same(restored!.restore, { layersReused: 2, bytesReused: rest.reduce((s, l) => s + l.metadata.file_size, 0), layersDownloaded: 1, bytesDownloaded: first!.metadata.file_size }, 'the layer of another generation is downloaded');
  t.equal(storage.layerGets, 1);
});

t.test('an attached timeline kept as layers when the location becomes a secondary', async (t) => {
  const tenantDir = tempDir(t);
  const tlDir = path.join(tenantDir, 'timelines', TIMELINE);
  fs.mkdirSync(path.join(tlDir, 'layers'), { recursive: true });
  fs.writeFileSync(path.join(tlDir, 'timeline.json'), '{}');
  fs.writeFileSync(path.join(tlDir, 'layers', 'store.json'), '{}');
  const uploadedName = '00-FF__0000000001000001-0000000001000100';
  const localOnly = '00-FF__0000000001000101-0000000001000200';
  fs.writeFileSync(path.join(tlDir, 'layers', uploadedName), 'abc');
  fs.writeFileSync(path.join(tlDir, 'layers', localOnly), 'defg');
  await keepLayersOf(tenantDir, new Map([[TIMELINE, new Map([[uploadedName, { file_size: 3, generation: 4, shard: '0000' }]])]]));
  t.same(fs.readdirSync(tlDir).sort(), ['layers', RESIDENT_LAYERS_FILE], 'no timeline.json: not loaded as a timeline');
  t.same(fs.readdirSync(path.join(tlDir, 'layers')), [uploadedName], 'a layer never uploaded is dropped; store.json too');
  t.same(await readResidentLayers(tlDir), new Map([[uploadedName, { file_size: 3, generation: 4 }]]), 'the uploaded one recorded with its generation');
});

t.test('tenant state: attachment_status and what requests get', async (t) => {
  t.same(attachmentStatus({ slug: 'Attaching' }), { slug: 'maybe' });
  t.same(attachmentStatus({ slug: 'Active' }), { slug: 'attached' });
  t.same(attachmentStatus({ slug: 'Stopping' }), { slug: 'maybe' });
  const broken = brokenState(new Error('index unreadable'));
  t.match(broken, { slug: 'Broken', data: { reason: 'index unreadable', backtrace: /Error: index unreadable/ } });
  t.same(attachmentStatus(broken), { slug: 'failed', data: { reason: 'index unreadable' } });
  t.equal(notActiveError(TENANT, { slug: 'Active' }, null), null);
  t.match(notActiveError(TENANT, broken, null), { status: 500, message: 'tenant is broken: index unreadable' });
  t.match(notActiveError(TENANT, { slug: 'Stopping' }, null), { status: 503, message: 'Shutting down' });
  t.match(notActiveError(TENANT, { slug: 'Attaching' }, 5000), { status: 503, message: 'Timed out waiting 5s for tenant active state. Latest state: Some(Attaching)' });
});
