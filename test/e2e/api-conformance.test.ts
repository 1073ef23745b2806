// The emulators answer Neon's routes with Neon's JSON field names, status codes and `{"msg"}` error
// bodies (neon-reference.md §2-4, checked against neon's http.rs / routes.rs).

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { httpRequest } from '../../cluster/clients/http.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { waitUntil } from '../helpers/processes.ts';

async function call(url: string, method = 'GET', body?: unknown, raw?: string) {
  const res = raw === undefined
    ? await httpRequest(url, { method, ...(body === undefined ? {} : { body }) })
    : await rawRequest(url, method, raw);
  let json: unknown = undefined;
  try {
    json = JSON.parse(res.body);
  } catch {
    // not JSON
  }
  return { status: res.status, body: res.body, json };
}

async function rawRequest(url: string, method: string, text: string) {
  const res = await fetch(url, { method, body: text, headers: { 'content-type': 'application/json' } });
  return { status: res.status, body: await res.text() };
}

t.test('storage controller', async (t) => {
  const cluster = await startTestCluster(t, {
    safekeepers: 1,
    spec: { storage_controller: { heartbeat_interval: 100, max_offline: 500 } },
  });
  const base = cluster.component('storcon').httpUrl;
  const ps1 = (await cluster.storageController.node(1));

  t.same(await call(`${base}/status`), { status: 200, body: 'null', json: null });
  t.same(await call(`${base}/ready`), { status: 200, body: 'null', json: null });
  t.same((await call(`${base}/nope`)).json, { msg: 'page not found' });

  t.test('node registration', async (t) => {
    const same = {
      node_id: 1, listen_pg_addr: ps1.listen_pg_addr, listen_pg_port: ps1.listen_pg_port,
      listen_http_addr: ps1.listen_http_addr, listen_http_port: ps1.listen_http_port, availability_zone_id: 'local',
    };
    t.same(await call(`${base}/control/v1/node`, 'POST', same), { status: 200, body: 'null', json: null }, 'identical re-registration is fine');
    const moved = await call(`${base}/control/v1/node`, 'POST', { ...same, listen_http_port: 1 });
    t.same([moved.status, moved.json], [409, { msg: 'Conflict: Node is already registered with different address' }]);
    const { listen_http_port: _, ...partial } = same;
    const missing = await call(`${base}/control/v1/node`, 'POST', partial);
    t.same([missing.status, missing.json], [400, { msg: 'Failed to parse json request: missing field `listen_http_port`' }]);
    const unknown = await call(`${base}/control/v1/node`, 'POST', { ...same, colour: 'blue' });
    t.equal(unknown.status, 400);
    t.match((unknown.json as { msg: string }).msg, /^Failed to parse json request: colour: unknown field `colour`, expected one of `node_id`/);
    const wrongType = await call(`${base}/control/v1/node`, 'POST', { ...same, node_id: 'one' });
    t.same(wrongType.json, { msg: 'Failed to parse json request: node_id: invalid type: string "one", expected u64' });
    t.same((await call(`${base}/control/v1/node`, 'POST', undefined, '')).json, { msg: 'missing request body' });
    t.match((await call(`${base}/control/v1/node`, 'POST', undefined, '{"node_id":')).json, { msg: /^Failed to parse json request/ });
    const grpc = await call(`${base}/control/v1/node`, 'POST', { ...same, node_id: 50, listen_grpc_addr: '127.0.0.1' });
    t.same([grpc.status, grpc.json], [400, { msg: 'must specify both gRPC address and port' }]);
  });

  t.test('node lookup and configuration', async (t) => {
    const described = await call(`${base}/control/v1/node/1`);
    t.equal(described.status, 200);
    t.same(Object.keys(described.json as object).sort(), [
      'availability', 'availability_zone_id', 'id', 'listen_grpc_addr', 'listen_grpc_port', 'listen_http_addr',
      'listen_http_port', 'listen_https_port', 'listen_pg_addr', 'listen_pg_port', 'scheduling',
    ]);
    t.same(await call(`${base}/control/v1/node/7`), { status: 404, body: '{"msg":"NotFound: Node 7 not registered"}', json: { msg: 'NotFound: Node 7 not registered' } });
    t.same((await call(`${base}/control/v1/node/abc`)).json, { msg: 'failed to parse node_id' });
    const mismatch = await call(`${base}/control/v1/node/1/config`, 'PUT', { node_id: 2 });
    t.same([mismatch.status, mismatch.json], [400, { msg: 'Path and body node_id differ' }]);
    const badPolicy = await call(`${base}/control/v1/node/1/config`, 'PUT', { node_id: 1, scheduling: 'Sleeping' });
    t.match(badPolicy.json, { msg: /unknown variant `Sleeping`, expected one of `Active`, `Filling`, `Pause`/ });
    t.same(await call(`${base}/control/v1/node/1/config`, 'PUT', { node_id: 1, scheduling: 'Draining' }), { status: 200, body: 'null', json: null });
    t.match(await cluster.storageController.node(1), { scheduling: 'Draining' });
    // A node nobody answers for: an operator may declare it Active; failing heartbeats take it
    // Offline again after max_offline (500 ms here).
    await cluster.storageController.registerNode({
      node_id: 77, listen_pg_addr: '127.0.0.1', listen_pg_port: 9, listen_http_addr: '127.0.0.1', listen_http_port: 9, availability_zone_id: 'az',
    });
    t.equal((await cluster.storageController.node(77)).availability, 'Offline', 'a new node is Offline until a heartbeat succeeds');
    await cluster.storageController.configureNode({ node_id: 77, availability: 'Active' });
    t.equal((await cluster.storageController.node(77)).availability, 'Active', 'an operator can set availability');
    await waitUntil('node 77 to go Offline', async () => (await cluster.storageController.node(77)).availability === 'Offline', 5000);
    t.pass('failing heartbeats take it Offline after max_offline');
  });

  t.test('availability follows heartbeats', async (t) => {
    await cluster.stopComponent('ps1', 'immediate');
    await waitUntil('node 1 to go Offline after max_offline', async () => (await cluster.storageController.node(1)).availability === 'Offline', 5000);
    t.pass('a dead pageserver goes Offline');
    await cluster.startComponent('ps1');
    await waitUntil('node 1 to be Active again', async () => (await cluster.storageController.node(1)).availability === 'Active', 5000);
    t.equal((await cluster.storageController.node(1)).scheduling, 'Active', 're-attach resets scheduling from Draining to Active');
  });

  t.test('safekeeper registry', async (t) => {
    const body = { id: 6, region_id: 'r1', version: 1, host: '127.0.0.1', port: 5454, http_port: 7676, availability_zone_id: 'az-6', created_at: 'ignored' };
    t.same((await call(`${base}/control/v1/safekeeper/5`, 'POST', body)).json, { msg: 'id mismatch: url=5, body=6' });
    t.same(await call(`${base}/control/v1/safekeeper/6`, 'POST', body), { status: 204, body: '', json: undefined }, '204 with an empty body');
    t.match((await call(`${base}/control/v1/safekeeper/6`)).json, { id: 6, scheduling_policy: 'Activating', https_port: null });
    t.same(await call(`${base}/control/v1/safekeeper/6/scheduling_policy`, 'POST', { scheduling_policy: 'Pause' }), { status: 200, body: 'null', json: null });
    t.match((await call(`${base}/control/v1/safekeeper/6`, 'POST', { ...body, host: 'localhost' })).status, 204);
    t.match((await call(`${base}/control/v1/safekeeper/6`)).json, { host: 'localhost', scheduling_policy: 'Pause' }, 'an upsert never changes the policy');
    t.match(await call(`${base}/control/v1/safekeeper/6/scheduling_policy`, 'POST', { scheduling_policy: 'Asleep' }), { status: 400 });
    t.match(await call(`${base}/control/v1/safekeeper/60/scheduling_policy`, 'POST', { scheduling_policy: 'Active' }), { status: 500, json: { msg: /unexpected number of rows \(0\)/ } });
    t.same(await call(`${base}/control/v1/safekeeper/60`), { status: 404, body: '{"msg":"NotFound: unknown instance id"}', json: { msg: 'NotFound: unknown instance id' } });
    const list = (await call(`${base}/control/v1/safekeeper`)).json as { id: number }[];
    t.same(list.map((s) => s.id), [1, 6]);
    t.same(Object.keys(list[0]!).sort(), ['availability_zone_id', 'host', 'http_port', 'https_port', 'id', 'port', 'region_id', 'scheduling_policy', 'version']);
  });

  t.test('upcalls', async (t) => {
    t.match(await call(`${base}/upcall/v1/re-attach`, 'POST', { node_id: 12345 }), { status: 404, json: { msg: 'NotFound: Node 12345 not registered' } });
    t.same((await call(`${base}/upcall/v1/validate`, 'POST', { tenants: [] })).json, { tenants: [] });
    t.match(await call(`${base}/upcall/v1/validate`, 'POST', { tenants: [{ id: 'x' }] }), { status: 400, json: { msg: /missing field `gen`/ } });
  });
});

t.test('pageserver, safekeeper and broker', async (t) => {
  const cluster = await startTestCluster(t, { safekeepers: 1 });
  const ps = cluster.component('ps1').httpUrl;
  const status = await fetch(`${ps}/v1/status`);
  t.same(await status.json(), { id: 1 });
  t.match(status.headers.get('pageserver_launch_timestamp'), /^\d{4}-\d\d-\d\dT/, 'every pageserver answer carries PAGESERVER_LAUNCH_TIMESTAMP');
  const utilization = await cluster.pageserver(1).utilization();
  t.same(Object.keys(utilization).sort(), ['captured_at', 'disk_usable_pct', 'disk_usage_bytes', 'disk_wanted_bytes', 'free_space_bytes', 'max_shard_count', 'shard_count', 'utilization_score']);
  t.match(utilization, { shard_count: 0, max_shard_count: 2500, disk_usable_pct: 100, utilization_score: 0, captured_at: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/ });
  t.ok(utilization.free_space_bytes > 0 && utilization.disk_usage_bytes > 0);
  t.same(await cluster.pageserver(1).tenants(), []);
  t.same(await cluster.pageserver(1).locationConfigs(), { tenant_shards: [] });
  t.same((await call(`${ps}/v1/nope`)), { status: 404, body: '{"msg":"page not found"}', json: { msg: 'page not found' } });
  const unknown = 'f'.repeat(32);
  t.match(await call(`${ps}/v1/tenant/${unknown}/heatmap_upload`, 'POST'), { status: 404, json: { msg: `NotFound: tenant ${unknown}` } }, 'heatmap_upload of an unknown tenant: 404');
  t.match(await call(`${ps}/v1/tenant/${unknown}/secondary/download`, 'POST'), { status: 404, json: { msg: `NotFound: Shard ${unknown} not found` } }, 'secondary/download where it is no secondary: 404');
  t.match(await call(`${ps}/v1/tenant/${unknown}/secondary/status`), { status: 404, json: { msg: `NotFound: Shard ${unknown} not found` } });
  t.equal(fs.readFileSync(path.join(cluster.repoDir, 'pageserver_1', 'pageserver.pid'), 'utf8').trim(), String((await cluster.status()).components.find((c) => c.name === 'ps1')!.pid), 'pageserver.pid where neon_local has it');
  for (const file of ['identity.toml', 'pageserver.toml', 'metadata.json']) t.ok(fs.existsSync(path.join(cluster.repoDir, 'pageserver_1', file)), `pageserver_1/${file}`);

  t.same(await cluster.safekeeper(1).status(), { id: 1 });
  t.same(await cluster.safekeeper(1).utilization(), { timeline_count: 0 });
  t.equal(fs.readFileSync(path.join(cluster.repoDir, 'safekeepers', 'sk1', 'safekeeper.id'), 'utf8').trim(), '1');

  const broker = await call(`${cluster.component('broker').httpUrl}/status`);
  t.same([broker.status, broker.body], [200, ''], 'broker /status: 200, empty body');
  t.ok(fs.existsSync(path.join(cluster.repoDir, 'storage_broker.pid')), 'the broker pid file sits in the repo root, as neon_local has it');

  // The page service speaks neon-local's framed protocol; a Postgres client gets a clear error.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ host: '127.0.0.1', port: cluster.config.pageservers[0]!.listenPg.port, user: 'cloud_admin', database: 'postgres' });
  await t.rejects(client.connect(), { code: '0A000', message: /neon-local pageserver's page service, not a Postgres server/ });
});
