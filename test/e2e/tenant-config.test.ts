// Tenant config (seed 002 and neon-reference §2.4, §4.4): GET config answers the overrides and,
// on the pageserver, the effective config over Neon's defaults; PUT replaces, PATCH changes keys
// (null removes); unknown keys and bad values are refused with 400 naming them and change nothing;
// the config survives restarts of the pageserver and the controller and is applied at attach time.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { newHexId } from '../../cluster/api/ids.ts';
import { TENANT_CONFIG_DEFAULTS, TENANT_CONFIG_FIELDS } from '../../cluster/api/tenant-config.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { cli } from '../helpers/cli.ts';
import { callJson } from '../helpers/http.ts';

const call = callJson;

t.test('GET, PUT and PATCH config through the controller and on the pageserver', async (t) => {
  const cluster = await startTestCluster(t);
  const storcon = cluster.storageController.baseUrl;
  const ps = cluster.pageserver(1).baseUrl;
  const tenantId = newHexId();
  t.equal((await call(`${storcon}/v1/tenant`, 'POST', { new_tenant_id: tenantId, pitr_interval: '30days', gc_horizon: 1024 })).status, 201);

  const onController = await call(`${storcon}/v1/tenant/${tenantId}/config`);
  t.same(onController, { status: 200, body: { tenant_specific_overrides: { pitr_interval: '30days', gc_horizon: 1024 }, effective_config: { pitr_interval: '30days', gc_horizon: 1024 } } },
    'the controller: the overrides twice (it has no global defaults)');
  const onPageserver = await call(`${ps}/v1/tenant/${tenantId}/config`);
  t.equal(onPageserver.status, 200);
  t.same(onPageserver.body.tenant_specific_overrides, { pitr_interval: '30days', gc_horizon: 1024 }, 'the pageserver holds the create-time config');
  t.same(onPageserver.body.effective_config, { ...TENANT_CONFIG_DEFAULTS, pitr_interval: '30days', gc_horizon: 1024 }, 'effective: the overrides over Neon\'s defaults');
  t.ok(Object.keys(onPageserver.body.effective_config).every((k) => k in TENANT_CONFIG_FIELDS), 'every effective key is a TenantConfig field');

  // PUT replaces: keys left out return to their defaults.
  t.same(await call(`${storcon}/v1/tenant/config`, 'PUT', { tenant_id: tenantId, gc_period: '10s' }), { status: 200, body: null }, 'PUT /v1/tenant/config: 200 null');
  const replaced = (await call(`${ps}/v1/tenant/${tenantId}/config`)).body;
  t.same(replaced.tenant_specific_overrides, { gc_period: '10s' }, 'the pageserver has the new overrides at once');
  t.equal(replaced.effective_config.pitr_interval, TENANT_CONFIG_DEFAULTS['pitr_interval'], 'a key left out is back to its default');

  // PATCH: a value sets, null removes, a missing key stays.
  t.same(await call(`${storcon}/v1/tenant/config`, 'PATCH', { tenant_id: tenantId, pitr_interval: '30days', gc_period: null }), { status: 200, body: null });
  t.same((await call(`${ps}/v1/tenant/${tenantId}/config`)).body.tenant_specific_overrides, { pitr_interval: '30days' }, 'PATCH set one key and removed another');
  t.same((await call(`${ps}/v1/tenant/config`, 'PATCH', { tenant_id: tenantId, gc_horizon: 2048 })).status, 200, 'the pageserver takes PATCH itself too');

  // Bad input: 400 naming the problem, nothing changes.
  const before = (await call(`${ps}/v1/tenant/${tenantId}/config`)).body;
  for (const [url, method] of [[`${storcon}/v1/tenant/config`, 'PUT'], [`${storcon}/v1/tenant/config`, 'PATCH'], [`${ps}/v1/tenant/config`, 'PUT'], [`${ps}/v1/tenant/config`, 'PATCH']] as const) {
    const unknown = await call(url, method, { tenant_id: tenantId, pitr_intervall: '1day' });
    t.equal(unknown.status, 400, `${method} ${url.includes(ps) ? 'pageserver' : 'controller'}: unknown key → 400`);
    t.match(unknown.body.msg, /unknown field `pitr_intervall`/, 'naming the key');
    t.match((await call(url, method, { tenant_id: tenantId, gc_period: 'soon' })).body.msg, /gc_period: .*"soon"/, 'a bad duration names the key and value');
    t.match((await call(url, method, { gc_period: '1s' })), { status: 400, body: { msg: /missing field `tenant_id`/ } }, 'no tenant_id → 400');
  }
  t.same((await call(`${ps}/v1/tenant/${tenantId}/config`)).body, before, 'refused requests changed nothing');
  t.equal((await call(`${storcon}/v1/tenant/config`, 'PUT', { tenant_id: newHexId() })).status, 404, 'an unknown tenant: 404');
  t.equal((await call(`${storcon}/v1/tenant/${newHexId()}/config`)).status, 404);

  // Attach-time config: location_config's tenant_conf is applied, unknown keys refused.
  const location = (await cluster.pageserver(1).locationConfigs()).tenant_shards.find(([id]) => id === tenantId)![1]!;
  const attach = await call(`${ps}/v1/tenant/${tenantId}/location_config`, 'PUT', { ...location, tenant_conf: { ...location.tenant_conf, lagging_wal_timez: '1s' } });
  t.match(attach, { status: 400, body: { msg: /unknown field `lagging_wal_timez`/ } }, 'location_config with an unknown tenant_conf key: 400 naming it');

  // Survives restarts of both.
  await cluster.restartComponent('ps1');
  await cluster.restartComponent('storcon');
  t.same((await call(`${ps}/v1/tenant/${tenantId}/config`)).body.tenant_specific_overrides, { pitr_interval: '30days', gc_horizon: 2048 }, 'after restarts, the pageserver re-attached with the config');
  t.same((await call(`${storcon}/v1/tenant/${tenantId}/config`)).body.tenant_specific_overrides, { pitr_interval: '30days' }, 'the controller keeps what went through it');
});

t.test('CLI: tenant config replaces or patches, and refuses unknown keys naming them', async (t) => {
  const cluster = await startTestCluster(t);
  await cluster.createTenant();
  const repo = ['--repo-dir', cluster.layout.root];
  const set = await cli([...repo, 'tenant', 'config', '-c', 'pitr_interval:30days', '-c', 'gc_horizon:1024', '--json']);
  t.equal(set.exitCode, 0, set.stderr);
  const result = JSON.parse(set.stdout);
  t.same(result.overrides, { pitr_interval: '30days', gc_horizon: 1024 });
  t.equal(result.effective.pitr_interval, '30days', 'the pageserver runs with it');
  const patched = await cli([...repo, 'tenant', 'config', '--patch', '-c', 'gc_horizon:null']);
  t.equal(patched.exitCode, 0, patched.stderr);
  t.match(patched.stdout, /overrides: pitr_interval="30days"\./, 'null removed a key, the rest stayed');
  const bad = await cli([...repo, 'tenant', 'config', '-c', 'no_such_setting:1']);
  t.not(bad.exitCode, 0, 'an unknown key exits non-zero');
  t.match(bad.stderr, /unknown field `no_such_setting`/, 'naming it');
});

t.test('pageserver.toml [tenant_config]: defaults for every tenant on that pageserver, below the tenant\'s own', async (t) => {
  const cluster = await startTestCluster(t, { spec: { pageservers: [{ tenant_config: { pitr_interval: '1h', gc_period: '0s', gc_horizon: 4096 } }] } });
  const toml = fs.readFileSync(path.join(cluster.layout.pageserverDir(1), 'pageserver.toml'), 'utf8');
  t.match(toml, /\[tenant_config\][^[]*pitr_interval = "1h"/, 'cluster.yaml\'s tenant_config is written to pageserver.toml');
  const ps = cluster.pageserver(1).baseUrl;
  const plain = newHexId();
  const own = newHexId();
  t.equal((await call(`${cluster.storageController.baseUrl}/v1/tenant`, 'POST', { new_tenant_id: plain })).status, 201);
  t.equal((await call(`${cluster.storageController.baseUrl}/v1/tenant`, 'POST', { new_tenant_id: own, pitr_interval: '30days' })).status, 201);
  const plainConfig = (await call(`${ps}/v1/tenant/${plain}/config`)).body;
  t.same(plainConfig.tenant_specific_overrides, {}, 'no overrides of its own');
  t.match(plainConfig.effective_config, { pitr_interval: '1h', gc_period: '0s', gc_horizon: 4096, checkpoint_distance: TENANT_CONFIG_DEFAULTS['checkpoint_distance'] }, 'effective: the pageserver\'s defaults over Neon\'s');
  t.match((await call(`${ps}/v1/tenant/${own}/config`)).body.effective_config, { pitr_interval: '30days', gc_period: '0s' }, 'a tenant\'s own value wins over the pageserver\'s');

  const spec = writeSpec(t, 'pageservers:\n  - tenant_config: { pitr_intervall: 1h }\n');
  const bad = await cli(['init', '--repo-dir', path.join(path.dirname(spec), 'repo'), '--config', spec]);
  t.equal(bad.exitCode, 1, 'an unknown key in cluster.yaml\'s tenant_config: init exits 1');
  t.match(bad.stderr, /pitr_intervall/, 'naming the key');
});

function writeSpec(t: Test, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-spec-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'cluster.yaml');
  fs.writeFileSync(file, text);
  return file;
}
