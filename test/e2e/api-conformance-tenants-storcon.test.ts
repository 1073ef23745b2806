// The storage controller's tenant routes answer with the field names, status codes and `{"msg"}`
// error bodies of neon-reference.md (§0 errors, §1.8 attach-hook/inspect, §2.8/§4.2 upcalls, §4.4
// tenants): POST /v1/tenant, re-attach and validate, describe/list/locate, tenant config, migrate
// and policy. One cluster with two pageservers; every JSON object a route returns is compared key
// by key (Object.keys(...).sort()) with the lists below. The pageserver's tenant routes are in
// api-conformance-tenants.test.ts.

import t from 'tap';
import { newHexId } from '../../cluster/api/ids.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { call, fields, isError, isNullOk } from '../helpers/conformance.ts';
import { waitUntil } from '../helpers/processes.ts';

// ---- Expected field lists (reference section in each comment; §0's {"msg"} in helpers/conformance.ts)

/** §2.1 / §4.4 GET /v1/tenant/:id/config. */
const TENANT_CONFIG_RESPONSE = ['effective_config', 'tenant_specific_overrides'];
/** §2.8 / §4.2 re-attach and validate. */
const RE_ATTACH_RESPONSE = ['tenants'];
const RE_ATTACH_TENANT = ['gen', 'id', 'mode', 'stripe_size'];
const VALIDATE_RESPONSE = ['tenants'];
const VALIDATE_TENANT = ['id', 'valid'];
/** §1.8 attach-hook and inspect. */
const ATTACH_HOOK_RESPONSE = ['gen'];
const INSPECT_RESPONSE = ['attachment'];
/** §4.4 POST /v1/tenant. */
const TENANT_CREATE_RESPONSE = ['shards'];
const TENANT_CREATE_SHARD = ['generation', 'node_id', 'shard_id'];
/** §4.4 TenantDescribeResponse (GET /control/v1/tenant[/:id]). */
const TENANT_DESCRIBE = ['config', 'policy', 'shards', 'stripe_size', 'tenant_id'];
const TENANT_DESCRIBE_SHARD = [
  'is_importing', 'is_pending_compute_notification', 'is_reconciling', 'is_splitting', 'last_error', 'node_attached',
  'node_secondary', 'preferred_az_id', 'scheduling_policy', 'tenant_shard_id',
];
/** §4.4 TenantLocateResponse. */
const TENANT_LOCATE = ['shard_params', 'shards'];
const TENANT_LOCATE_SHARD = [
  'listen_grpc_addr', 'listen_grpc_port', 'listen_http_addr', 'listen_http_port', 'listen_https_port', 'listen_pg_addr',
  'listen_pg_port', 'node_id', 'shard_id',
];
const SHARD_PARAMS = ['count', 'stripe_size'];

// ---- The cluster, the tenants, the routes ------------------------------------------------------

t.test('storage controller tenant routes: field names and status codes as the reference has them', async (t) => {
  const cluster = await startTestCluster(t, { pageservers: 2, safekeepers: 1 });
  const storcon = cluster.storageController.baseUrl;
  const ps = (id: number) => cluster.pageserver(id).baseUrl;
  const unknownTenant = newHexId();
  const a = newHexId(); // created with pitr_interval 1h
  const b = newHexId(); // created with pitr_interval 2h; migrated, detached and attached again
  const c = newHexId(); // attached by attach-hook only
  let x = 0; // the pageserver A is placed on
  let y = 0; // the other one

  await t.test('storage controller: POST /v1/tenant (§4.4)', async (t) => {
    const created = await call(`${storcon}/v1/tenant`, 'POST', { new_tenant_id: a, pitr_interval: '1h' });
    t.equal(created.status, 201, '201 Created');
    fields(t, created.body, TENANT_CREATE_RESPONSE, 'TenantCreateResponse');
    t.equal(created.body.shards.length, 1);
    fields(t, created.body.shards[0], TENANT_CREATE_SHARD, 'shards[]');
    t.match(created.body.shards[0], { shard_id: a, node_id: Number, generation: 1 }, 'unsharded id, initial generation 1');
    x = created.body.shards[0].node_id;
    y = x === 1 ? 2 : 1;
    const again = await call(`${storcon}/v1/tenant`, 'POST', { new_tenant_id: a, pitr_interval: '1h' });
    t.same([again.status, again.body], [201, created.body], 'idempotent: 201 and the same answer');
    isError(t, await call(`${storcon}/v1/tenant`, 'POST', { new_tenant_id: newHexId(), colour: 'blue' }), 400, /^Failed to parse json request: .*unknown field `colour`/, 'an unknown field (deny_unknown_fields)');
    isError(t, await call(`${storcon}/v1/tenant`, 'POST', { new_tenant_id: `${newHexId()}-0102` }), 400, /new_tenant_id/, 'a sharded new_tenant_id');
    isError(t, await call(`${storcon}/v1/tenant`, 'POST'), 400, 'missing request body', 'no body');
    isError(t, await call(`${storcon}/v1/tenant`, 'POST', {}), 400, /missing field `new_tenant_id`/, 'no new_tenant_id');
    t.equal((await call(`${storcon}/v1/tenant`, 'POST', { new_tenant_id: b, pitr_interval: '2h' })).status, 201, 'tenant B');
  });

  await t.test('storage controller: attach-hook and inspect (§1.8)', async (t) => {
    const hooked = await call(`${storcon}/debug/v1/attach-hook`, 'POST', { tenant_shard_id: c, node_id: y });
    t.equal(hooked.status, 200);
    fields(t, hooked.body, ATTACH_HOOK_RESPONSE, 'attach-hook');
    t.same(hooked.body, { gen: 1 }, 'a new tenant: generation 1');
    const inspected = await call(`${storcon}/debug/v1/inspect`, 'POST', { tenant_shard_id: c });
    fields(t, inspected.body, INSPECT_RESPONSE, 'inspect');
    t.same(inspected.body, { attachment: [1, y] }, 'attachment: [generation, node_id]');
    t.same((await call(`${storcon}/debug/v1/inspect`, 'POST', { tenant_shard_id: unknownTenant })).body, { attachment: null }, 'unknown: attachment null');
    isError(t, await call(`${storcon}/debug/v1/attach-hook`, 'POST', { node_id: y }), 400, /missing field `tenant_shard_id`/, 'attach-hook without tenant_shard_id');
  });

  await t.test('storage controller: re-attach and validate upcalls (§2.8, §4.2)', async (t) => {
    // A node nobody serves (port 9): it registers through re-attach, then holds C in a generation.
    const register = { node_id: 77, listen_pg_addr: '127.0.0.1', listen_pg_port: 9, listen_http_addr: '127.0.0.1', listen_http_port: 9, availability_zone_id: 'az-77' };
    const first = await call(`${storcon}/upcall/v1/re-attach`, 'POST', { node_id: 77, register, empty_local_disk: true });
    t.same([first.status, first.body], [200, { tenants: [] }], 're-attach with register: the node is registered, holds nothing');
    t.same((await call(`${storcon}/debug/v1/attach-hook`, 'POST', { tenant_shard_id: c, node_id: 77 })).body, { gen: 2 });
    const res = await call(`${storcon}/upcall/v1/re-attach`, 'POST', { node_id: 77 });
    t.equal(res.status, 200);
    fields(t, res.body, RE_ATTACH_RESPONSE, 'ReAttachResponse');
    t.equal(res.body.tenants.length, 1);
    fields(t, res.body.tenants[0], RE_ATTACH_TENANT, 'ReAttachResponse tenants[]');
    t.match(res.body.tenants[0], { id: c, gen: 3, mode: 'AttachedSingle', stripe_size: Number }, 'the next generation, AttachedSingle');
    isError(t, await call(`${storcon}/upcall/v1/re-attach`, 'POST', { node_id: 12345 }), 404, /^NotFound: /, 're-attach of an unknown node');

    const valid = await call(`${storcon}/upcall/v1/validate`, 'POST', { tenants: [{ id: c, gen: 3 }, { id: c, gen: 2 }, { id: unknownTenant, gen: 1 }] });
    t.equal(valid.status, 200);
    fields(t, valid.body, VALIDATE_RESPONSE, 'ValidateResponse');
    for (const entry of valid.body.tenants) fields(t, entry, VALIDATE_TENANT, 'ValidateResponse tenants[]');
    t.same(valid.body.tenants, [{ id: c, valid: true }, { id: c, valid: false }], 'the current generation is valid, an older one not, unknown shards left out');
    isError(t, await call(`${storcon}/upcall/v1/validate`, 'POST', { tenants: [{ id: c }] }), 400, /missing field `gen`/, 'validate without gen');
  });

  await t.test('storage controller: describe, list, locate, config (§4.4)', async (t) => {
    const described = await call(`${storcon}/control/v1/tenant/${a}`);
    t.equal(described.status, 200);
    fields(t, described.body, TENANT_DESCRIBE, 'TenantDescribeResponse');
    fields(t, described.body.shards[0], TENANT_DESCRIBE_SHARD, 'TenantDescribeResponse shards[]');
    t.match(described.body, { tenant_id: a, stripe_size: Number, policy: { Attached: 0 }, config: { pitr_interval: '1h' } });
    t.match(described.body.shards[0], { tenant_shard_id: a, node_attached: x, node_secondary: [], last_error: '', is_splitting: false, is_importing: false, scheduling_policy: 'Active' });
    isError(t, await call(`${storcon}/control/v1/tenant/${unknownTenant}`), 404, /^NotFound: /, 'describe an unknown tenant');

    const all = await call(`${storcon}/control/v1/tenant`);
    t.equal(all.status, 200);
    for (const d of all.body) fields(t, d, TENANT_DESCRIBE, `list entry ${d.tenant_id}`);
    const ids = all.body.map((d: { tenant_id: string }) => d.tenant_id);
    t.same(ids, [...ids].sort(), 'in tenant id order');
    t.ok(ids.includes(a) && ids.includes(c) && ids.length === 3, 'A, B and C');
    t.same((await call(`${storcon}/control/v1/tenant?limit=2`)).body.map((d: { tenant_id: string }) => d.tenant_id), ids.slice(0, 2), '?limit=2');
    t.same((await call(`${storcon}/control/v1/tenant?start_after=${ids[0]}`)).body.map((d: { tenant_id: string }) => d.tenant_id), ids.slice(1), '?start_after');
    isError(t, await call(`${storcon}/control/v1/tenant?limit=many`), 400, /^cannot parse query param limit/, 'a bad limit');

    const located = await call(`${storcon}/debug/v1/tenant/${a}/locate`);
    t.equal(located.status, 200);
    fields(t, located.body, TENANT_LOCATE, 'TenantLocateResponse');
    fields(t, located.body.shards[0], TENANT_LOCATE_SHARD, 'TenantLocateResponse shards[]');
    fields(t, located.body.shard_params, SHARD_PARAMS, 'shard_params');
    t.match(located.body.shards[0], { shard_id: a, node_id: x, listen_http_port: Number, listen_pg_port: Number });
    isError(t, await call(`${storcon}/debug/v1/tenant/${unknownTenant}/locate`), 404, /^NotFound: /, 'locate an unknown tenant');

    const config = await call(`${storcon}/v1/tenant/${a}/config`);
    t.equal(config.status, 200);
    fields(t, config.body, TENANT_CONFIG_RESPONSE, 'GET /v1/tenant/:id/config');
    t.same(config.body, { tenant_specific_overrides: { pitr_interval: '1h' }, effective_config: { pitr_interval: '1h' } }, 'the overrides, twice (no global defaults in storcon)');
    isNullOk(t, await call(`${storcon}/v1/tenant/config`, 'PUT', { tenant_id: a, pitr_interval: '2h', gc_horizon: 4096 }), 'PUT /v1/tenant/config');
    isNullOk(t, await call(`${storcon}/v1/tenant/config`, 'PATCH', { tenant_id: a, gc_horizon: null }), 'PATCH /v1/tenant/config');
    t.same((await call(`${storcon}/v1/tenant/${a}/config`)).body.tenant_specific_overrides, { pitr_interval: '2h' });
    await waitUntil('the pageserver has the new config', async () => (await call(`${ps(x)}/v1/tenant/${a}/config`)).body.tenant_specific_overrides.pitr_interval === '2h', 10_000);
    t.same((await call(`${ps(x)}/v1/tenant/${a}/config`)).body.tenant_specific_overrides, { pitr_interval: '2h' }, 'pushed to the pageserver');
    isError(t, await call(`${storcon}/v1/tenant/${unknownTenant}/config`), 404, /^NotFound: /, 'config of an unknown tenant');
    isError(t, await call(`${storcon}/v1/tenant/config`, 'PUT', { tenant_id: a, colour: 'blue' }), 400, /unknown field `colour`/, 'an unknown config key');
  });

  await t.test('storage controller: migrate and policy (§4.4)', async (t) => {
    const from = (await call(`${storcon}/control/v1/tenant/${b}`)).body.shards[0].node_attached as number;
    const to = from === 1 ? 2 : 1;
    const url = `${storcon}/control/v1/tenant/${b}/migrate`;
    isError(t, await call(url, 'PUT', { node_id: 9 }), 400, /Node 9 not found/, 'an unknown node');
    isError(t, await call(`${storcon}/control/v1/tenant/${unknownTenant}/migrate`, 'PUT', { node_id: to }), 404, /^NotFound: /, 'an unknown shard');
    isError(t, await call(url, 'PUT', { node_id: 77 }), 412, /^Precondition failed: /, 'an unavailable node (77 never answers)');
    isError(t, await call(url, 'PUT', { node_id: to, origin_node_id: to }), 412, /originate from/, 'an origin_node_id that is not where it is');
    const same = await call(url, 'PUT', { node_id: from });
    t.same([same.status, same.body], [200, {}], 'to where it already is: 200 {}');
    const moved = await call(url, 'PUT', { node_id: to, origin_node_id: from, migration_config: { prewarm: false } });
    t.same([moved.status, moved.body], [200, {}], 'a migration: 200 {}');
    await waitUntil('B settled on the destination', async () => {
      const shard = (await call(`${storcon}/control/v1/tenant/${b}`)).body.shards[0];
      return shard.node_attached === to && !shard.is_reconciling;
    }, 30_000);
    t.pass('B moved');

    const policy = `${storcon}/control/v1/tenant/${b}/policy`;
    const describeB = async () => (await call(`${storcon}/control/v1/tenant/${b}`)).body;
    isNullOk(t, await call(policy, 'PUT', { scheduling: 'Pause' }), 'policy scheduling Pause');
    t.match(await describeB(), { policy: { Attached: 0 }, shards: [{ scheduling_policy: 'Pause', node_attached: to }] }, 'describe: scheduling_policy Pause, placement unchanged');
    isError(t, await call(policy, 'PUT', { scheduling: 'Sideways' }), 400, /^Failed to parse json request: scheduling: unknown variant `Sideways`/, 'an unknown scheduling policy');
    // Stop: no location_config calls for B, so a config change waits on the controller.
    isNullOk(t, await call(policy, 'PUT', { placement: null, scheduling: 'Stop' }), 'policy scheduling Stop');
    isNullOk(t, await call(`${storcon}/v1/tenant/config`, 'PUT', { tenant_id: b, gc_horizon: 2048 }), 'config while Stop');
    await new Promise((r) => setTimeout(r, 1500)); // more than the reconcile loop's interval
    t.same((await call(`${ps(to)}/v1/tenant/${b}/config`)).body.tenant_specific_overrides, { pitr_interval: '2h' }, 'Stop: the pageserver was not told');
    t.match(await describeB(), { shards: [{ scheduling_policy: 'Stop', is_reconciling: false }] });
    isError(t, await call(url, 'PUT', { node_id: from }), 412, /^Precondition failed: /, 'migrate under Stop (neon-local: no intent kept apart from the attachment)');
    // Detaching turns scheduling on when the request leaves it out (as Neon's tenant_update_policy).
    isNullOk(t, await call(policy, 'PUT', { placement: 'Detached' }), 'policy Detached');
    t.match(await describeB(), { policy: 'Detached', shards: [{ node_attached: null, scheduling_policy: 'Active' }] }, 'describe: Detached, attached nowhere, scheduling Active again');
    isError(t, await call(`${storcon}/debug/v1/tenant/${b}/locate`), 400, /no attached location/, 'locate a tenant attached nowhere');
    isNullOk(t, await call(policy, 'PUT', { placement: { Attached: 0 }, scheduling: null }), 'policy Attached(0)');
    const again = await describeB();
    t.match(again, { policy: { Attached: 0 }, shards: [{ node_attached: Number }] }, 'attached again');
    const node = again.shards[0].node_attached as number;
    await waitUntil('B attached with its config', async () => (await call(`${ps(node)}/v1/tenant/${b}/config`)).body?.tenant_specific_overrides?.gc_horizon === 2048, 15_000);
    t.pass('attached with the config set while Stop');
    isError(t, await call(`${storcon}/control/v1/tenant/${unknownTenant}/policy`, 'PUT', { placement: 'Detached' }), 404, /^NotFound: /, 'policy of an unknown tenant');
    isError(t, await call(policy, 'PUT', { placement: 'Detached', colour: 'blue' }), 400, /unknown field `colour`/, 'an unknown field');

    t.same((await call(`${storcon}/debug/v1/attach-hook`, 'POST', { tenant_shard_id: c, node_id: null })).body, { gen: null }, 'attach-hook without node: detached, gen null');
    t.same((await call(`${storcon}/debug/v1/inspect`, 'POST', { tenant_shard_id: c })).body, { attachment: null });
  });
});
