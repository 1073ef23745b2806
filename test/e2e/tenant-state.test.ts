// Tenant state and attachment_status in GET /v1/tenant and /v1/tenant/:id (neon-reference §2.3):
// Attaching while an attach runs (held here at the attach-before-activate failpoint), Active once it
// serves, Broken with the reason when the attach fails — kept and listed, timeline requests getting
// Neon's 500 "tenant is broken", metrics counting it — until a newer generation attaches it again.

import t from 'tap';
import { startTestCluster } from '../../fixtures/tap.ts';
import { callJson as call } from '../helpers/http.ts';
import { metricValue as metric } from '../helpers/metrics.ts';
import { waitUntil } from '../helpers/processes.ts';
import { query } from '../helpers/sql.ts';

t.test('Attaching, Active, Broken, and back', async (t) => {
  const cluster = await startTestCluster(t, { pageservers: 2 });
  const storcon = cluster.storageController.baseUrl;
  const { tenantId, timelineId } = await cluster.createTenant();
  const ep = await cluster.createEndpoint();
  await query(ep, 'CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  await query(ep, "INSERT INTO t VALUES (1, 'one')");
  const aId = (await cluster.attachedPageserver(tenantId)).id;
  const bId = aId === 1 ? 2 : 1;
  const [psA, psB] = [cluster.pageserver(aId), cluster.pageserver(bId)];
  await waitUntil('ingest', async () => (await psA.timeline(tenantId, timelineId)).last_record_lsn !== (await psA.timeline(tenantId, timelineId)).initdb_lsn, 10_000);
  await psA.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });
  const location = (await psA.locationConfigs()).tenant_shards.find(([id]) => id === tenantId)![1]!;
  const tenantUrl = (ps: typeof psA) => `${ps.baseUrl}/v1/tenant/${tenantId}`;
  const attachB = async (generation: number) => {
    t.same((await call(`${storcon}/debug/v1/attach-hook`, 'POST', { tenant_shard_id: tenantId, node_id: bId })).body, { gen: generation });
    return call(`${tenantUrl(psB)}/location_config`, 'PUT', { ...location, mode: 'AttachedSingle', generation });
  };

  await t.test('an Active tenant', async (t) => {
    const list = (await call(`${psA.baseUrl}/v1/tenant`)).body as Record<string, unknown>[];
    const info = list.find((x) => x['id'] === tenantId)!;
    t.same(Object.keys(info).sort(), ['attachment_status', 'current_physical_size', 'generation', 'id', 'state'], 'TenantInfo\'s fields');
    t.match(info, { state: { slug: 'Active' }, attachment_status: { slug: 'attached' }, generation: 1, current_physical_size: null });
    t.match((await call(tenantUrl(psA))).body, { id: tenantId, state: { slug: 'Active' }, attachment_status: { slug: 'attached' }, current_physical_size: Number, walredo: null, timelines: [timelineId] }, 'TenantDetails');
    t.equal(await metric(psA.baseUrl, 'pageserver_tenant_states_count', { state: 'Active' }), 1);
  });

  await t.test('Attaching while the attach runs; timeline requests wait, then 503', async (t) => {
    await psB.setFailpoint('attach-before-activate', 'pause');
    const attaching = attachB(2);
    await waitUntil('the attach held at the failpoint', async () => (await call(tenantUrl(psB))).status === 200, 10_000);
    t.match((await call(tenantUrl(psB))).body, { state: { slug: 'Attaching' }, attachment_status: { slug: 'maybe' }, generation: 2 }, 'GET /v1/tenant/:id: Attaching, attachment_status maybe');
    t.match((await call(`${psB.baseUrl}/v1/tenant`)).body, [{ id: tenantId, state: { slug: 'Attaching' } }], 'listed too');
    const began = Date.now();
    t.match(await call(`${tenantUrl(psB)}/timeline/${timelineId}`), { status: 503, body: { msg: 'Timed out waiting 5s for tenant active state. Latest state: Some(Attaching)' } }, 'a timeline request waits for activation, then 503');
    t.ok(Date.now() - began >= 4500, 'after waiting ~5 s (Neon\'s ACTIVE_TENANT_TIMEOUT)');
    t.match(await call(`${tenantUrl(psB)}/heatmap_upload`, 'POST'), { status: 503, body: { msg: 'Tenant not yet active' } }, 'heatmap_upload: 503 while not active');
    const waiting = call(`${tenantUrl(psB)}/timeline/${timelineId}`);
    await psB.setFailpoint('attach-before-activate', 'off');
    t.match(await attaching, { status: 200, body: { shards: [{ shard_id: tenantId, node_id: bId }] } }, 'location_config returns once attached');
    t.match(await waiting, { status: 200, body: { timeline_id: timelineId } }, 'a request that waited is served once Active');
    t.match((await call(tenantUrl(psB))).body, { state: { slug: 'Active' }, attachment_status: { slug: 'attached' } });
  });

  await t.test('Broken when the attach fails: kept with its reason until a newer generation', async (t) => {
    await psB.setFailpoint('attach-before-activate', 'return');
    const detached = await call(`${tenantUrl(psB)}/location_config`, 'PUT', { ...location, mode: 'Detached', generation: null });
    t.equal(detached.status, 200);
    t.match(await attachB(3), { status: 200, body: { shards: [{ shard_id: tenantId, node_id: bId }] } }, 'location_config answers 200, as Neon (the attach fails after)');
    const info = (await call(tenantUrl(psB))).body;
    t.match(info, { state: { slug: 'Broken', data: { reason: 'failpoint attach-before-activate', backtrace: /FailpointError/ } }, attachment_status: { slug: 'failed', data: { reason: 'failpoint attach-before-activate' } }, generation: 3, timelines: [] }, 'Broken, with the reason; attachment_status failed');
    t.match((await call(`${psB.baseUrl}/v1/tenant`)).body, [{ id: tenantId, state: { slug: 'Broken' } }], 'still listed');
    t.match(await call(`${tenantUrl(psB)}/timeline/${timelineId}`), { status: 500, body: { msg: 'tenant is broken: failpoint attach-before-activate' } }, 'timeline requests: 500 tenant is broken');
    t.match(await call(`${tenantUrl(psB)}/timeline`), { status: 500, body: { msg: /tenant is broken/ } });
    t.equal(await metric(psB.baseUrl, 'pageserver_tenant_states_count', { state: 'Broken' }), 1, 'pageserver_tenant_states_count{state="Broken"}');
    t.equal(await metric(psB.baseUrl, 'pageserver_broken_tenants_count', { tenant_id: tenantId, shard_id: '0000' }), 1, 'pageserver_broken_tenants_count');

    await psB.setFailpoint('attach-before-activate', 'off');
    t.equal((await call(`${tenantUrl(psB)}/location_config`, 'PUT', { ...location, mode: 'AttachedSingle', generation: 3 })).status, 200);
    t.match((await call(tenantUrl(psB))).body, { state: { slug: 'Broken' } }, 'the same generation changes the config in place: still Broken (as Neon)');
    t.match(await attachB(4), { status: 200 });
    t.match((await call(tenantUrl(psB))).body, { state: { slug: 'Active' }, attachment_status: { slug: 'attached' }, generation: 4, timelines: [timelineId] }, 'a newer generation attaches it again: Active');
    t.equal(await metric(psB.baseUrl, 'pageserver_broken_tenants_count', { tenant_id: tenantId }), 0, 'no longer counted broken');
    t.match((await call(`${tenantUrl(psB)}/timeline/${timelineId}`)).body, { timeline_id: timelineId }, 'and serves its timeline');
  });

  await t.test('detached: 404', async (t) => {
    t.equal((await call(`${tenantUrl(psB)}/location_config`, 'PUT', { ...location, mode: 'Detached', generation: null })).status, 200);
    t.match(await call(tenantUrl(psB)), { status: 404, body: { msg: `NotFound: tenant ${tenantId}` } });
    t.match(await call(`${tenantUrl(psB)}/timeline/${timelineId}`), { status: 404 });
  });
});
