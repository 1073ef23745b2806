// Live migration through the storage controller (seed 000; neon-reference §4.4 migrate and the
// reconciler's live_migrate): PUT /control/v1/tenant/:tsid/migrate moves a tenant to the other
// pageserver in a new generation; the running compute is reconfigured to read from there; the
// origin ends detached. Bad requests get Neon's status codes, and a migration that fails midway
// is finished by the controller's reconcile loop.

import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { TenantDescribeResponse } from '../../cluster/clients/storage-controller.ts';
import type { InitSpec } from '../../cluster/config/schema.ts';
import { parseLsn } from '../../cluster/wal/lsn.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { callJson as call } from '../helpers/http.ts';
import { waitUntil } from '../helpers/processes.ts';
import { query } from '../helpers/sql.ts';

type TestCluster = Awaited<ReturnType<typeof startTestCluster>>;

async function setup(t: Test, spec: InitSpec = {}) {
  const cluster = await startTestCluster(t, { pageservers: 2, spec });
  const { tenantId, timelineId } = await cluster.createTenant();
  const ep = await cluster.createEndpoint();
  await query(ep, 'CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  await query(ep, "INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 2000) g");
  const origin = (await cluster.attachedPageserver(tenantId)).id;
  return { cluster, tenantId, timelineId, ep, origin, dest: origin === 1 ? 2 : 1 };
}

async function settled(cluster: TestCluster, tenantId: string, node: number, ms = 60_000): Promise<TenantDescribeResponse['shards'][number]> {
  let shard: TenantDescribeResponse['shards'][number] | undefined;
  await waitUntil(`tenant settled on pageserver ${node}`, async () => {
    shard = (await cluster.storageController.tenant(tenantId)).shards[0]!;
    return shard.node_attached === node && !shard.is_reconciling;
  }, ms);
  return shard!;
}

function connstringPort(cluster: TestCluster, endpointId: string): number {
  const config = JSON.parse(fs.readFileSync(path.join(cluster.repoDir, 'endpoints', endpointId, 'config.json'), 'utf8'));
  return Number(/:(\d+)$/.exec(config.spec.pageserver_connstring as string)![1]);
}

t.test('a live migration moves the tenant, the compute follows, the origin is detached', async (t) => {
  const { cluster, tenantId, timelineId, ep, origin, dest } = await setup(t);
  const storcon = cluster.storageController.baseUrl;
  const answer = await call(`${storcon}/control/v1/tenant/${tenantId}/migrate`, 'PUT', { node_id: dest, migration_config: { prewarm: false } });
  t.same(answer, { status: 200, body: {} }, 'migrate: 200 {}');
  const shard = await settled(cluster, tenantId, dest);
  t.same([shard.node_attached, shard.last_error, shard.is_pending_compute_notification], [dest, '', false], 'describe: attached to the destination, nothing pending');
  t.same((await call(`${storcon}/debug/v1/inspect`, 'POST', { tenant_shard_id: tenantId })).body, { attachment: [2, dest] }, 'inspect: generation 2 on the destination');

  const destPs = cluster.pageserver(dest);
  const location = (await destPs.locationConfigs()).tenant_shards.find(([id]) => id === tenantId)?.[1];
  t.match(location, { mode: 'AttachedSingle', generation: 2 }, 'the destination holds it AttachedSingle in generation 2');
  await waitUntil('the origin lets go', async () => !(await cluster.pageserver(origin).locationConfigs()).tenant_shards.some(([id]) => id === tenantId), 10_000);
  t.pass('the origin no longer holds it (Attached(0) keeps no secondary)');

  const destPort = cluster.config.pageservers.find((p) => p.id === dest)!.listenPg.port;
  t.equal(connstringPort(cluster, ep.id), destPort, 'the endpoint was reconfigured to the destination');
  t.same((await query(ep, 'SELECT count(*) AS n FROM t')).rows[0].n, '2000', 'every row reads through the destination');
  await query(ep, "INSERT INTO t VALUES (5000, 'after')");
  const lsn = parseLsn((await query(ep, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string);
  await waitUntil('the destination ingests', async () => parseLsn((await destPs.timeline(tenantId, timelineId)).last_record_lsn) >= lsn, 15_000);
  t.pass('writes after the migration reach the destination');
  t.ok(fs.existsSync(path.join(cluster.layout.remoteStorageDir, `tenants/${tenantId}/timelines/${timelineId}/index_part.json-00000002`)), 'the destination uploads under generation 2');

  // Back again: the former origin attaches in generation 3.
  const back = await cluster.migrateTenant(origin, { prewarm: false });
  t.match(back, { tenantId, from: dest, to: origin }, 'tenant migrate (the operation) moves it back and waits');
  t.same((await call(`${storcon}/debug/v1/inspect`, 'POST', { tenant_shard_id: tenantId })).body, { attachment: [3, origin] }, 'generation 3 on the origin');
  t.same((await query(ep, 'SELECT count(*) AS n FROM t')).rows[0].n, '2001', 'and every row is still there');
  t.same(await cluster.storageController.migrateTenant(tenantId, origin), {}, 'migrating to where it already is: 200, nothing to do');

  // Prewarmed (the default): the destination is a secondary first, warmed from the origin's
  // heatmap, so its attach reuses those layers instead of downloading them.
  const destLog = path.join(cluster.layout.pageserverDir(dest), 'pageserver.log');
  const attachesBefore = fs.readFileSync(destLog, 'utf8').split('\n').filter((l) => l.includes(`attach of tenant ${tenantId}:`)).length;
  await cluster.migrateTenant(dest);
  const attaches = fs.readFileSync(destLog, 'utf8').split('\n').filter((l) => l.includes(`attach of tenant ${tenantId}:`));
  t.equal(attaches.length, attachesBefore + 1, 'the destination attached once more');
  const reused = Number(/(\d+) reused from local disk/.exec(attaches.at(-1)!)?.[1]);
  t.ok(reused > 0, `the prewarmed attach reused layers the secondary had downloaded: ${attaches.at(-1)!.replace(/^.*attach of/, 'attach of').slice(0, 160)}`);
  t.same((await query(ep, 'SELECT count(*) AS n FROM t')).rows[0].n, '2001', 'and serves every row');
});

t.test('bad migrate requests get Neon\'s status codes and change nothing', async (t) => {
  const { cluster, tenantId, origin, dest } = await setup(t, { storage_controller: { heartbeat_interval: 200, max_offline: 1000 } });
  const url = `${cluster.storageController.baseUrl}/control/v1/tenant/${tenantId}/migrate`;
  t.match(await call(url, 'PUT', { node_id: 9 }), { status: 400, body: { msg: /Node 9 not found/ } }, 'an unknown node: 400');
  t.match(await call(`${cluster.storageController.baseUrl}/control/v1/tenant/${'ab'.repeat(16)}/migrate`, 'PUT', { node_id: dest }), { status: 404, body: { msg: /not found/ } }, 'an unknown tenant: 404');
  t.match(await call(url, 'PUT', { node_id: dest, origin_node_id: dest }), { status: 412, body: { msg: /originate from/ } }, 'a wrong origin_node_id: 412');
  t.match(await call(url, 'PUT', { node_id: 'two' }), { status: 400, body: { msg: /node_id/ } }, 'a malformed body: 400 naming the field');
  t.match(await call(url, 'PUT', { node_id: dest, migration_config: { secondary_warmup_timeout: 'soon' } }), { status: 400, body: { msg: /secondary_warmup_timeout/ } }, 'a bad duration: 400 naming the field');
  await cluster.stopComponent(`ps${dest}`, 'immediate');
  await waitUntil('the destination goes Offline', async () => (await cluster.storageController.node(dest)).availability === 'Offline', 15_000);
  t.match(await call(url, 'PUT', { node_id: dest }), { status: 412, body: { msg: /not available/ } }, 'an unavailable destination: 412');
  const shard = (await cluster.storageController.tenant(tenantId)).shards[0]!;
  t.same([shard.node_attached, shard.is_reconciling], [origin, false], 'the tenant stayed where it was');
  t.same((await call(`${cluster.storageController.baseUrl}/debug/v1/inspect`, 'POST', { tenant_shard_id: tenantId })).body, { attachment: [1, origin] }, 'in generation 1');
});

t.test('a migration that fails midway is finished by the reconcile loop', async (t) => {
  const { cluster, tenantId, ep, dest, origin } = await setup(t);
  const destPs = cluster.pageserver(dest);
  await destPs.setFailpoint('put-location-conf-handler', 'return'); // the destination refuses location_config: 503
  await cluster.storageController.migrateTenant(tenantId, dest, { prewarm: false });
  await waitUntil('the failure is reported', async () => /failpoint put-location-conf-handler/.test((await cluster.storageController.tenant(tenantId)).shards[0]!.last_error), 15_000);
  const failing = (await cluster.storageController.tenant(tenantId)).shards[0]!;
  t.same([failing.node_attached, failing.is_reconciling, failing.is_pending_compute_notification], [dest, true, true], 'describe: the new generation is the destination\'s, reconciling, the compute not yet told');
  t.same((await query(ep, 'SELECT count(*) AS n FROM t')).rows[0].n, '2000', 'meanwhile the compute still reads from the origin');

  await destPs.setFailpoint('put-location-conf-handler', 'off');
  const shard = await settled(cluster, tenantId, dest);
  t.same(shard.last_error, '', 'settled, no error left');
  t.equal(connstringPort(cluster, ep.id), cluster.config.pageservers.find((p) => p.id === dest)!.listenPg.port, 'the compute was notified by the reconcile loop');
  await waitUntil('the origin lets go', async () => !(await cluster.pageserver(origin).locationConfigs()).tenant_shards.some(([id]) => id === tenantId), 10_000);
  t.pass('and the origin was detached');
  t.same((await query(ep, 'SELECT count(*) AS n FROM t')).rows[0].n, '2000', 'every row reads through the destination');
});
