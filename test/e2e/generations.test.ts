// Generations fence a stale attachment (seed 000, neon-reference §2.2, §4.2, §4.4): the storage
// controller's attach-hook hands ps2 a newer generation; ps2, attached by location_config,
// restores the tenant from remote storage; ps1, still holding the old generation, keeps running
// but the controller's validate refuses its deletions, so it cannot remove what the new attachment
// uses, and does not confirm its uploads, so its remote_consistent_lsn is never published. location_config with an older generation, and malformed bodies, are refused and change nothing.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parseLsn } from '../../cluster/wal/lsn.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { callJson as call } from '../helpers/http.ts';
import { waitUntil } from '../helpers/processes.ts';
import { query } from '../helpers/sql.ts';

t.test('attach-hook, inspect, and a stale generation fenced', async (t) => {
  const cluster = await startTestCluster(t, { pageservers: 2 });
  const storcon = cluster.storageController.baseUrl;
  const { tenantId, timelineId } = await cluster.createTenant({ config: { pitr_interval: '0s', gc_horizon: 0, gc_period: '0s' } });
  const ep = await cluster.createEndpoint();
  const placed = (await call(`${storcon}/debug/v1/inspect`, 'POST', { tenant_shard_id: tenantId })).body.attachment as [number, number];
  t.equal(placed[0], 1, 'inspect: generation 1');
  const [ps1, ps2] = placed[1] === 1 ? [cluster.pageserver(1), cluster.pageserver(2)] : [cluster.pageserver(2), cluster.pageserver(1)];
  const ps1Id = placed[1];
  const ps2Id = ps1Id === 1 ? 2 : 1;

  await query(ep, 'CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  const write = async (round: number) => {
    await query(ep, `INSERT INTO t VALUES ${Array.from({ length: 100 }, (_, i) => `(${i}, 'round ${round}')`).join(',')} ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`);
    return parseLsn((await query(ep, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string);
  };
  const caughtUp = (ps: typeof ps1, lsn: number) => waitUntil('ingest', async () => parseLsn((await ps.timeline(tenantId, timelineId)).last_record_lsn) >= lsn, 15_000);
  await caughtUp(ps1, await write(1));
  await ps1.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });

  // The test moves the tenant itself: a new generation for ps2 from the hook, then location_config.
  const hooked = await call(`${storcon}/debug/v1/attach-hook`, 'POST', { tenant_shard_id: tenantId, node_id: ps2Id });
  t.same(hooked, { status: 200, body: { gen: 2 } }, 'attach-hook: the next generation, 2');
  t.same((await call(`${storcon}/debug/v1/inspect`, 'POST', { tenant_shard_id: tenantId })).body, { attachment: [2, ps2Id] }, 'inspect: [generation, node]');
  const location = (await ps1.locationConfigs()).tenant_shards.find(([id]) => id === tenantId)![1]!;
  const attached = await call(`${ps2.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, mode: 'AttachedSingle', generation: 2 });
  t.same(attached, { status: 200, body: { shards: [{ shard_id: tenantId, node_id: ps2Id }], stripe_size: null } }, 'ps2 attached in generation 2');
  t.same((await ps2.timeline(tenantId, timelineId)).timeline_id, timelineId, 'ps2 restored the timeline from remote storage');

  // Bad input to ps2: refused, tenant unchanged.
  const before = await ps2.get(`/v1/location_config/${tenantId}`);
  t.match(await call(`${ps2.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, generation: 1 }), { status: 400, body: { msg: /Generation 1 is less than existing 2/ } }, 'an older generation is refused');
  t.match(await call(`${ps2.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', null), { status: 400, body: { msg: String } }, 'a null body: 400');
  t.match(await call(`${ps2.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, generation: null }), { status: 400, body: { msg: /Generation must be set when attaching/ } }, 'an attached mode without generation: 400');
  t.match(await call(`${ps2.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, mode: 'Attached' }), { status: 400, body: { msg: /mode/ } }, 'an unknown mode: 400');
  t.match(await call(`${ps2.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, generation: 0 }), { status: 400, body: { msg: /Generation 0 is not a valid generation/ } }, 'generation 0: 400');
  t.same(await ps2.get(`/v1/location_config/${tenantId}`), before, 'and the tenant is unchanged');

  // ps1 still runs in generation 1 and keeps ingesting. Its compaction and GC decide deletions,
  // which validate refuses: generation 1 is no longer the tenant's.
  for (let round = 2; round <= 13; round++) {
    await caughtUp(ps1, await write(round));
    await ps1.checkpoint(tenantId, timelineId);
  }
  await ps1.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });
  const stale = await ps1.timeline(tenantId, timelineId);
  t.ok(parseLsn(stale.remote_consistent_lsn) > parseLsn(stale.remote_consistent_lsn_visible),
    `the stale pageserver uploads but does not publish (remote_consistent_lsn ${stale.remote_consistent_lsn}, visible ${stale.remote_consistent_lsn_visible})`);
  await caughtUp(ps2, parseLsn(stale.last_record_lsn));
  await ps2.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });
  await waitUntil('ps2 publishes', async () => {
    const current = await ps2.timeline(tenantId, timelineId);
    return current.remote_consistent_lsn_visible === current.remote_consistent_lsn && parseLsn(current.remote_consistent_lsn) > parseLsn(stale.remote_consistent_lsn_visible);
  }, 10_000);
  t.pass('the current attachment\'s remote_consistent_lsn is published once validate confirms generation 2');
  const gc = await ps1.gc(tenantId, timelineId, 0);
  t.ok(gc.layers_removed > 0, 'the stale pageserver dropped layers locally');
  const log = path.join(cluster.layout.pageserverDir(ps1Id), 'pageserver.log');
  await waitUntil('the refusal', async () => fs.readFileSync(log, 'utf8').includes('refused: generation 1 of tenant'), 15_000);
  t.pass('its remote deletions were refused (generation 1 is stale)');
  t.ok(await ps1.metricValue('pageserver_deletion_queue_dropped_total') > 0, 'and counted in pageserver_deletion_queue_dropped_total');
  t.ok(await ps1.metricValue('pageserver_deletion_queue_dropped_lsn_updates_total') > 0, 'its remote_consistent_lsn updates dropped too');
  const index1 = JSON.parse(fs.readFileSync(path.join(cluster.layout.remoteStorageDir, `tenants/${tenantId}/timelines/${timelineId}/index_part.json-00000002`), 'utf8'));
  for (const [name, meta] of Object.entries(index1.layer_metadata as Record<string, { generation: number }>)) {
    const object = path.join(cluster.layout.remoteStorageDir, `tenants/${tenantId}/timelines/${timelineId}/${name}-${meta.generation.toString(16).padStart(8, '0')}`);
    t.ok(fs.existsSync(object), `a layer generation 2's index lists is still there: ${name}`);
  }

  // Detach through the hook: no attachment any more.
  t.same((await call(`${storcon}/debug/v1/attach-hook`, 'POST', { tenant_shard_id: tenantId, node_id: null })).body, { gen: null }, 'attach-hook without node: detached');
  t.same((await call(`${storcon}/debug/v1/inspect`, 'POST', { tenant_shard_id: tenantId })).body, { attachment: null });
  t.match(await call(`${storcon}/debug/v1/attach-hook`, 'POST', { tenant_shard_id: 'nope' }), { status: 400, body: { msg: /tenant_shard_id/ } }, 'a bad tenant shard id: 400');
});

t.test('AttachedMulti holds remote deletions until the location is AttachedSingle', async (t) => {
  // As Neon's test_live_migration: the destination of a migration generates deletions while it is
  // AttachedMulti but submits none until it becomes the single attachment.
  const cluster = await startTestCluster(t, { pageservers: 2 });
  const storcon = cluster.storageController.baseUrl;
  const { tenantId, timelineId } = await cluster.createTenant({ config: { pitr_interval: '0s', gc_horizon: 0, gc_period: '0s' } });
  const ep = await cluster.createEndpoint();
  const origin = (await cluster.attachedPageserver(tenantId)).id;
  const destId = origin === 1 ? 2 : 1;
  const dest = cluster.pageserver(destId);
  await query(ep, 'CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  const location = (await cluster.pageserver(origin).locationConfigs()).tenant_shards.find(([id]) => id === tenantId)![1]!;
  const { gen } = (await call(`${storcon}/debug/v1/attach-hook`, 'POST', { tenant_shard_id: tenantId, node_id: destId })).body as { gen: number };
  t.equal((await call(`${dest.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, mode: 'AttachedMulti', generation: gen })).status, 200, 'destination AttachedMulti');

  for (let round = 1; round <= 12; round++) {
    await query(ep, `INSERT INTO t VALUES ${Array.from({ length: 100 }, (_, i) => `(${i}, 'round ${round}')`).join(',')} ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`);
    const lsn = parseLsn((await query(ep, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string);
    await waitUntil('ingest', async () => parseLsn((await dest.timeline(tenantId, timelineId)).last_record_lsn) >= lsn, 15_000);
    await dest.checkpoint(tenantId, timelineId);
  }
  const gc = await dest.gc(tenantId, timelineId, 0);
  t.ok(gc.layers_removed > 0, `GC on the AttachedMulti destination removed ${gc.layers_removed} layer(s) locally`);
  await dest.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });
  await new Promise((r) => setTimeout(r, 500)); // more than the deletion queue's batching delay
  t.equal(await dest.metricValue('pageserver_deletion_queue_submitted_total'), 0, 'AttachedMulti: no deletion submitted');

  t.equal((await call(`${dest.baseUrl}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, mode: 'AttachedSingle', generation: gen })).status, 200, 'destination AttachedSingle');
  t.same(await call(`${dest.baseUrl}/v1/deletion_queue/flush?execute=true`, 'PUT'), { status: 200, body: null }, 'PUT /v1/deletion_queue/flush: 200 null');
  t.ok(await dest.metricValue('pageserver_deletion_queue_executed_total') > 0, 'once flushed, the held deletions have run');
  t.ok(await dest.metricValue('pageserver_deletion_queue_submitted_total') > 0, 'AttachedSingle: the held deletions are submitted, validated and executed');
});
