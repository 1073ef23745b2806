// Heatmaps and secondary locations (neon-reference §2.7, concepts §4.7) in a running cluster with
// two pageservers: the attached pageserver uploads tenants/<t>/heatmap-v1.json (on request and
// every heatmap_period when it changed); a secondary downloads its layers on request
// (secondary/download: 200 complete) or, when warm, in the background; a migration to the warmed
// secondary attaches with no layer downloaded and serves reads at once, while a cold attach
// downloads every layer. The test moves the tenant itself (attach-hook, then location_config).

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { PageClient, exactly } from '../../cluster/emulated/compute/storage/page-client.ts';
import { readLatestIndex } from '../../cluster/emulated/pageserver/remote/remote-timeline-client.ts';
import { LocalFsRemoteStorage } from '../../cluster/emulated/pageserver/remote/local-fs.ts';
import { reconfigureEndpoint } from '../../cluster/operations/endpoints.ts';
import { parseLsn } from '../../cluster/wal/lsn.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { callJson as call } from '../helpers/http.ts';
import { metricValue as metric } from '../helpers/metrics.ts';
import { waitUntil } from '../helpers/processes.ts';
import { query } from '../helpers/sql.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


t.test('heatmaps, secondary downloads, and attaching on a warm or a cold location', async (t) => {
  const cluster = await startTestCluster(t, { pageservers: 2 });
  const storcon = cluster.storageController.baseUrl;
  const { tenantId, timelineId } = await cluster.createTenant({ config: { heatmap_period: '1s' } });
  const ep = await cluster.createEndpoint();
  const aId = (await cluster.attachedPageserver(tenantId)).id;
  const bId = aId === 1 ? 2 : 1;
  const [psA, psB] = [cluster.pageserver(aId), cluster.pageserver(bId)];
  const remoteDir = cluster.layout.remoteStorageDir;
  const remote = new LocalFsRemoteStorage(remoteDir);
  const heatmapFile = path.join(remoteDir, 'tenants', tenantId, 'heatmap-v1.json');
  const readHeatmap = () => JSON.parse(fs.readFileSync(heatmapFile, 'utf8'));
  const pgPort = (id: number) => cluster.config.pageservers.find((p) => p.id === id)!.listenPg.port;

  await query(ep, 'CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  let round = 0;
  /** A round of writes, flushed to a layer on `ps` and uploaded. */
  const writeRound = async (ps: typeof psA) => {
    round++;
    await query(ep, `INSERT INTO t VALUES ${Array.from({ length: 200 }, (_, i) => `(${i}, 'round ${round}')`).join(',')} ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`);
    const lsn = parseLsn((await query(ep, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string);
    await waitUntil('ingest', async () => parseLsn((await ps.timeline(tenantId, timelineId)).last_record_lsn) >= lsn, 15_000);
    await ps.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });
  };
  for (let i = 0; i < 3; i++) await writeRound(psA);

  await t.test('the attached pageserver uploads its heatmap', async (t) => {
    t.same(await call(`${psA.baseUrl}/v1/tenant/${tenantId}/heatmap_upload`, 'POST'), { status: 200, body: null }, 'heatmap_upload: 200 null');
    const heatmap = readHeatmap();
    const index = (await readLatestIndex(remote, tenantId, timelineId, 1))!;
    t.equal(heatmap.generation, 1, 'generation of the uploader');
    t.equal(heatmap.upload_period_ms, 1000, 'upload_period_ms: the heatmap_period');
    t.equal(heatmap.timelines.length, 1);
    t.equal(heatmap.timelines[0].timeline_id, timelineId);
    const layers = heatmap.timelines[0].layers as { name: string; metadata: { file_size: number; generation: number; shard: string }; access_time: number; cold: boolean }[];
    t.same(new Set(layers.map((l) => l.name)), new Set(index.layers.keys()), 'every layer of the uploaded index');
    for (const l of layers) {
      t.same(l.metadata, index.layers.get(l.name), `${l.name}: the index's metadata (file_size, generation, shard)`);
      t.ok(Number.isInteger(l.access_time) && l.access_time > 1_600_000_000, 'access_time in unix seconds');
      t.equal(l.cold, false);
    }
    t.same(JSON.parse(fs.readFileSync(path.join(cluster.layout.pageserverDir(aId), 'tenants', tenantId, 'heatmap-v1.json'), 'utf8')), heatmap, 'and a copy in the tenant directory');

    // Periodic (heatmap_period 1s) once the layers change.
    await writeRound(psA);
    const uploaded = (await readLatestIndex(remote, tenantId, timelineId, 1))!.layers.size;
    await waitUntil('the periodic heatmap with the new layer', () => readHeatmap().timelines[0].layers.length === uploaded, 10_000);
    t.pass(`uploaded again within heatmap_period after a new layer (${uploaded} layers)`);

    t.match(await call(`${psB.baseUrl}/v1/tenant/${tenantId}/heatmap_upload`, 'POST'), { status: 404, body: { msg: `NotFound: tenant ${tenantId}` } }, 'not attached here: 404');
    t.match(await call(`${psA.baseUrl}/v1/tenant/${'f'.repeat(32)}/heatmap_upload`, 'POST'), { status: 404, body: { msg: /NotFound/ } }, 'unknown tenant: 404');
    t.match(await call(`${psA.baseUrl}/v1/tenant/nope/heatmap_upload`, 'POST'), { status: 400, body: { msg: /tenant_shard_id/ } }, 'a bad tenant id: 400');
  });

  await t.test('a secondary downloads on request; without warm, only on request', async (t) => {
    t.match(await call(`${psB.baseUrl}/v1/tenant/${tenantId}/secondary/download`, 'POST'), { status: 404, body: { msg: `NotFound: Shard ${tenantId} not found` } }, 'not a secondary here yet: 404');
    t.match(await call(`${psB.baseUrl}/v1/tenant/${tenantId}/secondary/status`), { status: 404 }, 'status too');
    const location = (await psA.locationConfigs()).tenant_shards.find(([id]) => id === tenantId)![1]!;
    t.match(await call(`${psB.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, mode: 'Secondary', generation: 1, secondary_conf: { warm: false } }), { status: 400, body: { msg: /must not have a generation/ } }, 'a secondary with a generation: 400');
    const made = await call(`${psB.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, mode: 'Secondary', generation: null, secondary_conf: { warm: false } });
    t.same(made, { status: 200, body: { shards: [], stripe_size: null } }, 'Secondary: 200, attached nowhere here');
    t.same((await call(`${psB.baseUrl}/v1/tenant/${tenantId}/secondary/status`)).body, { heatmap_mtime: null, layers_downloaded: 0, layers_total: 0, bytes_downloaded: 0, bytes_total: 0 }, 'status before any download');
    t.match(await call(`${psB.baseUrl}/v1/tenant/${tenantId}`), { status: 404 }, 'a secondary is no attached tenant');
    t.match(await call(`${psB.baseUrl}/v1/tenant/${tenantId}/secondary/download?wait_ms=soon`, 'POST'), { status: 400, body: { msg: 'cannot parse query param wait_ms: invalid digit found in string' } }, 'a bad wait_ms: 400');

    const done = await call(`${psB.baseUrl}/v1/tenant/${tenantId}/secondary/download?wait_ms=20000`, 'POST');
    const heatmap = readHeatmap();
    const bytes = heatmap.timelines[0].layers.reduce((s: number, l: { metadata: { file_size: number } }) => s + l.metadata.file_size, 0);
    t.match(done, { status: 200, body: { layers_downloaded: heatmap.timelines[0].layers.length, layers_total: heatmap.timelines[0].layers.length, bytes_downloaded: bytes, bytes_total: bytes, heatmap_mtime: /^\d{4}-/ } }, 'download: 200 with everything the heatmap lists');
    const layerDir = path.join(cluster.layout.pageserverDir(bId), 'tenants', tenantId, 'timelines', timelineId, 'layers');
    for (const l of heatmap.timelines[0].layers) t.equal(fs.statSync(path.join(layerDir, l.name)).size, l.metadata.file_size, `${l.name} is on the secondary's disk`);
    t.same((await call(`${psB.baseUrl}/v1/tenant/${tenantId}/secondary/status`)).body, done.body, 'status says the same');

    // Not warm: a newer heatmap is not fetched until asked.
    const mtime = done.body.heatmap_mtime;
    await writeRound(psA);
    await waitUntil('a newer heatmap', () => readHeatmap().timelines[0].layers.length > heatmap.timelines[0].layers.length, 10_000);
    await sleep(2000);
    t.equal((await call(`${psB.baseUrl}/v1/tenant/${tenantId}/secondary/status`)).body.heatmap_mtime, mtime, 'a cold secondary does not download in the background');
    const again = await call(`${psB.baseUrl}/v1/tenant/${tenantId}/secondary/download?wait_ms=20000`, 'POST');
    t.equal(again.status, 200);
    t.ok(again.body.layers_total > done.body.layers_total && again.body.layers_downloaded === again.body.layers_total, 'asked again, it fetches the new layers');
  });

  await t.test('a migration to the warm secondary attaches with no layer downloaded and serves reads at once', async (t) => {
    const hooked = await call(`${storcon}/debug/v1/attach-hook`, 'POST', { tenant_shard_id: tenantId, node_id: bId });
    t.same(hooked.body, { gen: 2 });
    const location = (await psA.locationConfigs()).tenant_shards.find(([id]) => id === tenantId)![1]!;
    // The origin goes stale with a flush (uploads and a last heatmap), the secondary catches up.
    t.equal((await call(`${psA.baseUrl}/v1/tenant/${tenantId}/location_config?flush_ms=10000`, 'PUT', { ...location, mode: 'AttachedStale' })).status, 200);
    t.equal((await call(`${psB.baseUrl}/v1/tenant/${tenantId}/secondary/download?wait_ms=20000`, 'POST')).status, 200, 'the secondary holds the latest heatmap');
    const origin = await psA.timeline(tenantId, timelineId);
    const downloadedBefore = await metric(psB.baseUrl, 'pageserver_remote_timeline_client_bytes_finished', { tenant_id: tenantId, op_kind: 'download' });

    const attached = await call(`${psB.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, mode: 'AttachedMulti', generation: 2, secondary_conf: null });
    t.same(attached, { status: 200, body: { shards: [{ shard_id: tenantId, node_id: bId }], stripe_size: null } }, 'AttachedMulti in generation 2');
    const info = (await call(`${psB.baseUrl}/v1/tenant/${tenantId}`)).body;
    t.match(info, { id: tenantId, state: { slug: 'Active' }, attachment_status: { slug: 'attached' }, generation: 2, timelines: [timelineId] }, 'Active at once');
    const index = (await readLatestIndex(remote, tenantId, timelineId, 2))!;
    const indexBytes = [...index.layers.values()].reduce((s, m) => s + m.file_size, 0);
    t.equal(await metric(psB.baseUrl, 'pageserver_remote_timeline_client_bytes_finished', { tenant_id: tenantId, op_kind: 'download' }) - downloadedBefore, 0, 'no layer bytes downloaded at attach');
    t.equal(await metric(psB.baseUrl, 'pageserver_attach_reused_bytes', { tenant_id: tenantId }), indexBytes, `every layer (${indexBytes} bytes) reused from the secondary's downloads`);
    const log = fs.readFileSync(path.join(cluster.layout.pageserverDir(bId), 'pageserver.log'), 'utf8');
    t.match(log, new RegExp(`attach of tenant ${tenantId}: 0 layer bytes downloaded, ${indexBytes} reused from local disk`), 'and the log says so');

    // Reads at the uploaded LSN, straight from the layers: the same on both pageservers.
    const lsn = parseLsn(origin.remote_consistent_lsn);
    const scan = async (id: number) => {
      const page = new PageClient({ host: '127.0.0.1', port: pgPort(id) }, { tenantId, timelineId }, 5000);
      try {
        return (await page.scan(Buffer.alloc(0), null, exactly(lsn), 100_000)).map((e) => `${e.key.toString('hex')}=${e.value.toString('hex')}`);
      } finally {
        page.close();
      }
    };
    const [fromB, fromA] = [await scan(bId), await scan(aId)];
    t.ok(fromB.length > 200, `the destination serves ${fromB.length} entries at ${origin.remote_consistent_lsn}`);
    t.same(fromB, fromA, 'exactly what the origin serves');

    // The origin steps down to a warm secondary, keeping its layers; the destination is the one attachment.
    t.same((await call(`${psA.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, mode: 'Secondary', generation: null, secondary_conf: { warm: true } })).body, { shards: [], stripe_size: null });
    t.equal((await call(`${psB.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, mode: 'AttachedSingle', generation: 2, secondary_conf: null })).status, 200);
    t.match(await call(`${psA.baseUrl}/v1/tenant/${tenantId}/timeline/${timelineId}`), { status: 404 }, 'the old origin serves no timeline');
    await reconfigureEndpoint(cluster.layout, 'ep-main', { pageserverId: bId });
    t.same((await query(ep, 'SELECT v FROM t WHERE k = 7')).rows, [{ v: `round ${round}` }], 'the compute reads through the destination');
  });

  await t.test('a warm secondary follows the heatmap in the background', async (t) => {
    await writeRound(psB);
    await writeRound(psB);
    const index = (await readLatestIndex(remote, tenantId, timelineId, 2))!;
    await waitUntil('the heatmap of generation 2 with the new layers', () => readHeatmap().generation === 2 && readHeatmap().timelines[0].layers.length === index.layers.size, 10_000);
    await waitUntil('the warm secondary downloads them by itself', async () => {
      const s = (await call(`${psA.baseUrl}/v1/tenant/${tenantId}/secondary/status`)).body;
      return s.layers_total === index.layers.size && s.layers_downloaded === s.layers_total;
    }, 15_000);
    const layerDir = path.join(cluster.layout.pageserverDir(aId), 'tenants', tenantId, 'timelines', timelineId, 'layers');
    for (const [name, m] of index.layers) t.equal(fs.statSync(path.join(layerDir, name)).size, m.file_size, `${name} (generation ${m.generation})`);
    t.ok(await metric(psA.baseUrl, 'pageserver_secondary_download_layer') > 0, 'pageserver_secondary_download_layer counts them');
    t.equal(await metric(psA.baseUrl, 'pageserver_secondary_heatmap_total_size', { tenant_id: tenantId }), [...index.layers.values()].reduce((s, m) => s + m.file_size, 0));
  });

  await t.test('a cold attach downloads every layer', async (t) => {
    const location = (await psB.locationConfigs()).tenant_shards.find(([id]) => id === tenantId)![1]!;
    t.same((await call(`${psA.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, mode: 'Detached', generation: null })).body, null, 'Detached: its layers are gone');
    t.notOk(fs.existsSync(path.join(cluster.layout.pageserverDir(aId), 'tenants', tenantId)));
    t.same((await call(`${storcon}/debug/v1/attach-hook`, 'POST', { tenant_shard_id: tenantId, node_id: aId })).body, { gen: 3 });
    t.equal((await call(`${psB.baseUrl}/v1/tenant/${tenantId}/location_config?flush_ms=10000`, 'PUT', { ...location, mode: 'AttachedStale' })).status, 200);
    const index = (await readLatestIndex(remote, tenantId, timelineId, 3))!;
    const indexBytes = [...index.layers.values()].reduce((s, m) => s + m.file_size, 0);
    const before = await metric(psA.baseUrl, 'pageserver_remote_timeline_client_bytes_finished', { tenant_id: tenantId, op_kind: 'download' });
    const reusedBefore = await metric(psA.baseUrl, 'pageserver_attach_reused_bytes', { tenant_id: tenantId });
    t.equal((await call(`${psA.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, mode: 'AttachedSingle', generation: 3 })).status, 200);
    t.equal(await metric(psA.baseUrl, 'pageserver_remote_timeline_client_bytes_finished', { tenant_id: tenantId, op_kind: 'download' }) - before, indexBytes, `all ${indexBytes} layer bytes downloaded`);
    t.equal(await metric(psA.baseUrl, 'pageserver_attach_reused_bytes', { tenant_id: tenantId }) - reusedBefore, 0, 'none reused');
    await reconfigureEndpoint(cluster.layout, 'ep-main', { pageserverId: aId });
    t.equal(Number((await query(ep, 'SELECT count(*) AS n FROM t')).rows[0].n), 200, 'and the data is all there');
    t.same((await query(ep, 'SELECT v FROM t WHERE k = 7')).rows, [{ v: `round ${round}` }]);
  });
});
