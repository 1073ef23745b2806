// The pageserver's tenant routes answer with the field names, status codes and `{"msg"}` error
// bodies of neon-reference.md (§0 errors, §2.1-2.7): TenantInfo and TenantDetails, location_config
// in every mode (GET and PUT, ?flush_ms), tenant config, checkpoint and TimelineInfo's
// remote_consistent_lsn fields, heatmap_upload, a secondary's download and status, and
// get_lsn_by_timestamp. One cluster with two pageservers; every JSON object a route returns is
// compared key by key (Object.keys(...).sort()) with the lists below. The storage controller's
// tenant routes are in api-conformance-tenants-storcon.test.ts.
//
// Known difference: LSN leases are not emulated, so get_lsn_by_timestamp?with_lease=true answers
// without valid_until (as Neon does when granting the lease fails).

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { newHexId } from '../../cluster/api/ids.ts';
import { parseLsn } from '../../cluster/wal/lsn.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { call, fields, isError, isNullOk, keys, LSN, sorted } from '../helpers/conformance.ts';
import { waitUntil } from '../helpers/processes.ts';
import { query } from '../helpers/sql.ts';

// ---- Expected field lists (reference section in each comment; §0's {"msg"} in helpers/conformance.ts)

/** §2.3 TenantInfo; `gc_blocking` is omitted unless set (and never set in the listing). */
const TENANT_INFO = ['attachment_status', 'current_physical_size', 'generation', 'id', 'state'];
/** §2.3 TenantDetails = TenantInfo + walredo, timelines. */
const TENANT_DETAILS = [...TENANT_INFO, 'timelines', 'walredo'];
/** §2.3 TenantState and attachment_status are adjacently tagged: `slug` (+ `data` for some). */
const TAG_WITHOUT_DATA = ['slug'];
/** §2.1 GET /v1/location_config. */
const LOCATION_CONFIG_LISTING = ['tenant_shards'];
/** §2.2 LocationConfig (the body of PUT location_config, and what GET location_config returns). */
const LOCATION_CONFIG = ['generation', 'mode', 'secondary_conf', 'shard_count', 'shard_number', 'shard_stripe_size', 'tenant_conf'];
/** §2.2 PUT location_config response, and its shards' entries. */
const LOCATION_CONFIG_RESPONSE = ['shards', 'stripe_size'];
const LOCATION_CONFIG_SHARD = ['node_id', 'shard_id'];
/** §2.1 / §4.4 GET /v1/tenant/:id/config. */
const TENANT_CONFIG_RESPONSE = ['effective_config', 'tenant_specific_overrides'];
/** §2.4 TenantConfig fields that have a built-in default (so are in effective_config). */
const TENANT_CONFIG_WITH_DEFAULT = [
  'checkpoint_distance', 'checkpoint_timeout', 'compaction_target_size', 'compaction_period', 'compaction_threshold',
  'compaction_upper_limit', 'compaction_algorithm', 'compaction_shard_ancestor', 'compaction_l0_first',
  'compaction_l0_semaphore', 'gc_horizon', 'gc_period', 'image_creation_threshold', 'pitr_interval',
  'walreceiver_connect_timeout', 'lagging_wal_timeout', 'max_lsn_wal_lag', 'eviction_policy',
  'evictions_low_residence_duration_metric_threshold', 'heatmap_period', 'lazy_slru_download', 'timeline_get_throttle',
  'image_layer_creation_check_threshold', 'image_creation_preempt_threshold', 'lsn_lease_length', 'lsn_lease_length_for_ts',
  'timeline_offloading', 'rel_size_v2_enabled', 'gc_compaction_enabled', 'gc_compaction_verification',
  'gc_compaction_initial_threshold_kb', 'gc_compaction_ratio_percent', 'sampling_ratio', 'relsize_snapshot_cache_capacity',
  'basebackup_cache_enabled',
];
/** §2.4 TenantConfig fields whose default is "none". */
const TENANT_CONFIG_WITHOUT_DEFAULT = ['l0_flush_delay_threshold', 'l0_flush_stall_threshold', 'image_layer_force_creation_period', 'min_resident_size_override'];
/** §2.4 every TenantConfig field (39). */
const TENANT_CONFIG_FIELDS = [...TENANT_CONFIG_WITH_DEFAULT, ...TENANT_CONFIG_WITHOUT_DEFAULT];
/** §2.5 TimelineInfo; `image_consistent_lsn` is omitted unless set. */
const TIMELINE_INFO = [
  'tenant_id', 'timeline_id', 'ancestor_timeline_id', 'ancestor_lsn', 'last_record_lsn', 'prev_record_lsn',
  'applied_gc_cutoff_lsn', 'min_readable_lsn', 'disk_consistent_lsn', 'remote_consistent_lsn', 'remote_consistent_lsn_visible',
  'initdb_lsn', 'current_logical_size', 'current_logical_size_is_accurate', 'directory_entries_counts', 'current_physical_size',
  'current_logical_size_non_incremental', 'pitr_history_size', 'within_ancestor_pitr', 'timeline_dir_layer_file_size_sum',
  'wal_source_connstr', 'last_received_msg_lsn', 'last_received_msg_ts', 'pg_version', 'state', 'walreceiver_status',
  'is_archived', 'rel_size_migration', 'rel_size_migrated_at', 'is_invisible',
];
/** neon-local additions to TimelineInfo (cluster/api/pageserver.ts UploadQueueStatus): known extras. */
const TIMELINE_INFO_NEON_LOCAL_EXTRAS = ['upload_queue'];
/** §2.1 SecondaryProgress (secondary/download and secondary/status). */
const SECONDARY_PROGRESS = ['bytes_downloaded', 'bytes_total', 'heatmap_mtime', 'layers_downloaded', 'layers_total'];
/** §2.1 get_lsn_by_timestamp; `valid_until` only with a lease. */
const LSN_BY_TIMESTAMP = ['kind', 'lsn'];

// ---- The cluster, the tenants, the routes ------------------------------------------------------

t.test('pageserver tenant routes: field names and status codes as the reference has them', async (t) => {
  const cluster = await startTestCluster(t, { pageservers: 2 });
  const storcon = cluster.storageController.baseUrl;
  const ps = (id: number) => cluster.pageserver(id).baseUrl;
  const unknownTenant = newHexId();

  // Tenant A: created with a timeline through the storage controller and written to through an endpoint.
  const { tenantId: a, timelineId } = await cluster.createTenant({ config: { pitr_interval: '1h' } });
  const x = (await cluster.attachedPageserver(a)).id; // holds A
  const y = x === 1 ? 2 : 1;
  const ep = await cluster.createEndpoint();
  await query(ep, 'CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  let round = 0;
  const write = async () => {
    round++;
    await query(ep, `INSERT INTO t VALUES ${Array.from({ length: 200 }, (_, i) => `(${i}, 'round ${round}')`).join(',')} ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`);
    const lsn = parseLsn((await query(ep, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string);
    await waitUntil('ingest on the pageserver', async () => parseLsn((await cluster.pageserver(x).timeline(a, timelineId)).last_record_lsn) >= lsn, 15_000);
    return lsn;
  };
  const timelineUrl = `${ps(x)}/v1/tenant/${a}/timeline/${timelineId}`;

  await t.test('pageserver: GET /v1/tenant and /v1/tenant/:tsid (§2.1, §2.3)', async (t) => {
    await write();
    isNullOk(t, await call(`${timelineUrl}/checkpoint`, 'PUT'), 'PUT checkpoint (a layer, so a physical size)');
    const list = await call(`${ps(x)}/v1/tenant`);
    t.equal(list.status, 200);
    const entry = list.body.find((e: { id: string }) => e.id === a);
    fields(t, entry, TENANT_INFO, 'TenantInfo in the listing (no gc_blocking)');
    t.same(entry.state, { slug: 'Active' }, 'state: {"slug":"Active"}');
    t.same(entry.attachment_status, { slug: 'attached' }, 'attachment_status: {"slug":"attached"} when Active');
    const generation = (await call(`${storcon}/debug/v1/inspect`, 'POST', { tenant_shard_id: a })).body.attachment[0];
    t.equal(entry.generation, generation, 'generation: the one the controller issued');
    t.equal(entry.current_physical_size, null, 'current_physical_size: null in the listing (§2.1; only the detail has it)');

    const detail = await call(`${ps(x)}/v1/tenant/${a}`);
    t.equal(detail.status, 200);
    fields(t, detail.body, TENANT_DETAILS, 'TenantDetails');
    fields(t, detail.body.state, TAG_WITHOUT_DATA, 'state');
    fields(t, detail.body.attachment_status, TAG_WITHOUT_DATA, 'attachment_status');
    t.same(detail.body.timelines, [timelineId], 'timelines: the ids');
    t.ok(Number.isInteger(detail.body.current_physical_size) && detail.body.current_physical_size > 0, 'current_physical_size: a u64 in the detail');
    t.ok(detail.body.walredo === null || typeof detail.body.walredo === 'object', 'walredo: object or null');
    isError(t, await call(`${ps(y)}/v1/tenant/${a}`), 404, /^NotFound: /, 'GET /v1/tenant/:tsid where it is not attached');
    isError(t, await call(`${ps(x)}/v1/tenant/${unknownTenant}`), 404, /^NotFound: /, 'an unknown tenant');
  });

  await t.test('pageserver: GET /v1/location_config[/:tsid] (§2.1, §2.2)', async (t) => {
    const listing = await call(`${ps(x)}/v1/location_config`);
    t.equal(listing.status, 200);
    fields(t, listing.body, LOCATION_CONFIG_LISTING, 'the listing');
    const pair = listing.body.tenant_shards.find(([id]: [string]) => id === a);
    t.equal(pair.length, 2, 'entries are [tsid, LocationConfig] pairs');
    fields(t, pair[1], LOCATION_CONFIG, 'LocationConfig');
    t.match(pair[1], { mode: 'AttachedSingle', generation: Number, secondary_conf: null, shard_number: 0, shard_count: 0, tenant_conf: { pitr_interval: '1h' } });
    const one = await call(`${ps(x)}/v1/location_config/${a}`);
    t.same([one.status, one.body], [200, pair[1]], 'GET /v1/location_config/:tsid: the same LocationConfig');
    isError(t, await call(`${ps(y)}/v1/location_config/${a}`), 404, /^NotFound: /, 'an unknown slot');
  });

  await t.test('pageserver: checkpoint, remote_consistent_lsn, location_config ?flush_ms (§2.1, §2.2, §2.5)', async (t) => {
    const lsn = await write();
    isNullOk(t, await call(`${timelineUrl}/checkpoint?wait_until_uploaded=true`, 'PUT'), 'PUT checkpoint?wait_until_uploaded=true');
    const info = await call(timelineUrl);
    t.equal(info.status, 200);
    t.same(keys(info.body), sorted([...TIMELINE_INFO, ...TIMELINE_INFO_NEON_LOCAL_EXTRAS]), 'TimelineInfo: the reference\'s fields (image_consistent_lsn omitted, not set) plus neon-local\'s upload_queue');
    for (const f of ['last_record_lsn', 'disk_consistent_lsn', 'remote_consistent_lsn', 'remote_consistent_lsn_visible', 'initdb_lsn', 'applied_gc_cutoff_lsn', 'min_readable_lsn']) t.match(info.body[f], LSN, `${f}: "X/Y"`);
    t.ok(parseLsn(info.body.disk_consistent_lsn) >= lsn, 'the checkpoint flushed the write');
    t.equal(info.body.remote_consistent_lsn, info.body.disk_consistent_lsn, 'wait_until_uploaded: remote_consistent_lsn caught up with disk_consistent_lsn');
    await waitUntil('remote_consistent_lsn_visible', async () => (await call(timelineUrl)).body.remote_consistent_lsn_visible === info.body.remote_consistent_lsn, 10_000);
    t.pass('remote_consistent_lsn_visible follows once validated');
    isError(t, await call(`${ps(x)}/v1/tenant/${a}/timeline/${newHexId()}`), 404, /^NotFound: /, 'an unknown timeline');

    // A migration's origin: AttachedStale in the same generation with ?flush_ms flushes, uploads,
    // and uploads a heatmap (§2.2); then back to AttachedSingle (an in-place update).
    const flushed = await write();
    const location = (await call(`${ps(x)}/v1/location_config/${a}`)).body;
    const heatmap = path.join(cluster.layout.remoteStorageDir, 'tenants', a, 'heatmap-v1.json');
    t.notOk(fs.existsSync(heatmap), 'no heatmap yet (heatmap_period is 0)');
    const stale = await call(`${ps(x)}/v1/tenant/${a}/location_config?flush_ms=10000`, 'PUT', { ...location, mode: 'AttachedStale' });
    t.same([stale.status, stale.body], [200, { shards: [{ shard_id: a, node_id: x }], stripe_size: null }], 'AttachedStale: 200, still attached here');
    const after = (await call(timelineUrl)).body;
    t.ok(parseLsn(after.remote_consistent_lsn) >= flushed, `flush_ms: the write is uploaded (remote_consistent_lsn ${after.remote_consistent_lsn})`);
    t.ok(fs.existsSync(heatmap), 'flush_ms: and a heatmap uploaded');
    const back = await call(`${ps(x)}/v1/tenant/${a}/location_config`, 'PUT', location);
    t.same([back.status, back.body], [200, { shards: [{ shard_id: a, node_id: x }], stripe_size: null }], 'back to AttachedSingle');
  });

  await t.test('pageserver: heatmap_upload and a secondary\'s download/status (§2.1, §2.7)', async (t) => {
    isNullOk(t, await call(`${ps(x)}/v1/tenant/${a}/heatmap_upload`, 'POST'), 'POST heatmap_upload');
    isError(t, await call(`${ps(y)}/v1/tenant/${a}/heatmap_upload`, 'POST'), 404, /^NotFound: /, 'heatmap_upload where not attached');
    isError(t, await call(`${ps(y)}/v1/tenant/${a}/secondary/status`), 404, /^NotFound: /, 'secondary/status where not a secondary');
    isError(t, await call(`${ps(y)}/v1/tenant/${a}/secondary/download`, 'POST'), 404, /^NotFound: /, 'secondary/download where not a secondary');

    const location = (await call(`${ps(x)}/v1/location_config/${a}`)).body;
    const secondary = { ...location, mode: 'Secondary', generation: null, secondary_conf: { warm: false } };
    const made = await call(`${ps(y)}/v1/tenant/${a}/location_config`, 'PUT', secondary);
    t.same([made.status, made.body], [200, { shards: [], stripe_size: null }], 'Secondary: 200, shards empty (not attached here)');
    const status = await call(`${ps(y)}/v1/tenant/${a}/secondary/status`);
    t.equal(status.status, 200);
    fields(t, status.body, SECONDARY_PROGRESS, 'secondary/status SecondaryProgress');
    t.same(status.body, { heatmap_mtime: null, layers_downloaded: 0, layers_total: 0, bytes_downloaded: 0, bytes_total: 0 }, 'nothing downloaded yet');
    // A fresh secondary has layers to fetch: not done within wait_ms=0.
    const running = await call(`${ps(y)}/v1/tenant/${a}/secondary/download?wait_ms=0`, 'POST');
    t.equal(running.status, 202, 'download?wait_ms=0: 202 while it runs');
    fields(t, running.body, SECONDARY_PROGRESS, '202 body: SecondaryProgress');
    const done = await call(`${ps(y)}/v1/tenant/${a}/secondary/download?wait_ms=30000`, 'POST');
    t.equal(done.status, 200, 'download: 200 once complete');
    fields(t, done.body, SECONDARY_PROGRESS, '200 body: SecondaryProgress');
    t.match(done.body, { heatmap_mtime: /^\d{4}-\d\d-\d\dT/, layers_total: Number, bytes_total: Number });
    t.ok(done.body.layers_total > 0 && done.body.layers_downloaded === done.body.layers_total && done.body.bytes_downloaded === done.body.bytes_total, 'everything the heatmap lists');
    isError(t, await call(`${ps(y)}/v1/tenant/${a}/secondary/download?wait_ms=soon`, 'POST'), 400, /^cannot parse query param wait_ms/, 'a bad wait_ms');
    isError(t, await call(`${ps(y)}/v1/tenant/${a}`), 404, /^NotFound: /, 'a secondary is not an attached tenant');

    isNullOk(t, await call(`${ps(y)}/v1/tenant/${a}/location_config`, 'PUT', { ...secondary, mode: 'Detached' }), 'Detached');
    isError(t, await call(`${ps(y)}/v1/tenant/${a}/secondary/status`), 404, /^NotFound: /, 'secondary/status after the detach');
  });

  await t.test('pageserver: get_lsn_by_timestamp (§2.1)', async (t) => {
    const url = `${timelineUrl}/get_lsn_by_timestamp`;
    const future = await call(`${url}?timestamp=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    t.equal(future.status, 200);
    fields(t, future.body, LSN_BY_TIMESTAMP, 'LsnByTimestamp without a lease (no valid_until)');
    t.match(future.body, { lsn: LSN, kind: 'future' }, 'after the last commit: future');
    const now = encodeURIComponent(new Date().toISOString());
    const leased = await call(`${url}?timestamp=${now}&with_lease=true`);
    t.equal(leased.status, 200);
    // §2.1 adds "valid_until" when a lease (lsn_lease_length_for_ts) is granted. neon-local does not
    // emulate LSN leases yet, so it answers as Neon does when granting fails: no valid_until.
    t.same(keys(leased.body), sorted(LSN_BY_TIMESTAMP), 'with_lease=true: no lease granted (leases are not emulated), so no valid_until');
    isError(t, await call(url), 400, 'no timestamp specified in query parameters', 'no timestamp');
    isError(t, await call(`${url}?timestamp=yesterday`), 400, /^Invalid time/, 'a bad timestamp');
  });

  // Tenant C: attached by the test itself through every mode; the storage controller's
  // attach-hook hands out its generations.
  const c = newHexId();
  const hook = async () => (await call(`${storcon}/debug/v1/attach-hook`, 'POST', { tenant_shard_id: c, node_id: y })).body.gen as number;
  t.equal(await hook(), 1);

  await t.test('pageserver: PUT location_config in every mode, and its 400s (§2.2)', async (t) => {
    const url = `${ps(y)}/v1/tenant/${c}/location_config`;
    const base = { mode: 'AttachedSingle', generation: 1, secondary_conf: null, shard_number: 0, shard_count: 0, shard_stripe_size: 0, tenant_conf: {} };
    const attachedHere = { shards: [{ shard_id: c, node_id: y }], stripe_size: null };
    for (const mode of ['AttachedSingle', 'AttachedMulti', 'AttachedStale']) {
      const res = await call(url, 'PUT', { ...base, mode });
      t.equal(res.status, 200, `${mode}: 200`);
      fields(t, res.body, LOCATION_CONFIG_RESPONSE, `${mode} response`);
      fields(t, res.body.shards[0], LOCATION_CONFIG_SHARD, `${mode} shards[]`);
      t.same(res.body, attachedHere, `${mode}: attached here, stripe_size null (unsharded)`);
    }
    t.equal(await hook(), 2, 'attach-hook: generation 2');
    t.same((await call(url, 'PUT', { ...base, generation: 2 })).body, attachedHere, 'a newer generation: attached');
    const { generation: _, ...withoutGeneration } = base;
    isError(t, await call(url, 'PUT', { ...base, generation: 1 }), 400, /Generation 1 is less than existing 2/, 'an older generation');
    isError(t, await call(url, 'PUT', null), 400, /^Failed to parse json request: /, 'a null body');
    isError(t, await call(url, 'PUT'), 400, 'missing request body', 'no body');
    isError(t, await call(url, 'PUT', { ...base, generation: null }), 400, /Generation must be set when attaching/, 'generation null in an attached mode');
    isError(t, await call(url, 'PUT', withoutGeneration), 400, /Generation must be set when attaching/, 'generation missing in an attached mode');
    isError(t, await call(url, 'PUT', { ...base, mode: 'Attached' }), 400, /^Failed to parse json request: mode: .*Attached/, 'an unknown mode');
    isError(t, await call(url, 'PUT', { ...base, colour: 'blue' }), 400, /^Failed to parse json request: .*unknown field `colour`/, 'an unknown field (deny_unknown_fields)');
    const { tenant_conf: __, ...withoutConf } = base;
    isError(t, await call(url, 'PUT', { ...withoutConf, generation: 2 }), 400, /missing field `tenant_conf`/, 'tenant_conf is required');
    isError(t, await call(url, 'PUT', { ...base, mode: 'Secondary', generation: 2 }), 400, /generation/, 'Secondary with a generation');
    t.match((await call(`${ps(y)}/v1/location_config/${c}`)).body, { mode: 'AttachedSingle', generation: 2 }, 'refused requests changed nothing');

    // Tenant config on the pageserver (§2.1, §2.4), while C is attached here.
    const config = await call(`${ps(y)}/v1/tenant/${c}/config`);
    t.equal(config.status, 200);
    fields(t, config.body, TENANT_CONFIG_RESPONSE, 'GET /v1/tenant/:tsid/config');
    t.same(config.body.tenant_specific_overrides, {}, 'no overrides');
    const effective = keys(config.body.effective_config);
    t.same(effective.filter((k) => !TENANT_CONFIG_FIELDS.includes(k)), [], 'effective_config: TenantConfig fields only');
    t.same(TENANT_CONFIG_WITH_DEFAULT.filter((k) => k !== 'basebackup_cache_enabled' && !effective.includes(k)), [], 'effective_config: every field with a default');
    // The reference only says "effective_config: TenantConfigToml"; neon's TenantConfigToml at the
    // reference's commit serialises the four default-less Option fields as null and skips
    // basebackup_cache_enabled while false.
    t.same(effective, sorted(TENANT_CONFIG_FIELDS.filter((k) => k !== 'basebackup_cache_enabled')), 'effective_config: TenantConfigToml\'s fields');
    for (const k of TENANT_CONFIG_WITHOUT_DEFAULT) t.equal(config.body.effective_config[k], null, `effective_config.${k}: null`);
    isNullOk(t, await call(`${ps(y)}/v1/tenant/config`, 'PUT', { tenant_id: c, gc_horizon: 1024, min_resident_size_override: 1 }), 'PUT /v1/tenant/config');
    const replaced = (await call(`${ps(y)}/v1/tenant/${c}/config`)).body;
    t.same(replaced.tenant_specific_overrides, { gc_horizon: 1024, min_resident_size_override: 1 }, 'overrides: what was PUT');
    t.match(replaced.effective_config, { gc_horizon: 1024, min_resident_size_override: 1 }, 'effective_config: the overrides over the defaults');
    isNullOk(t, await call(`${ps(y)}/v1/tenant/config`, 'PATCH', { tenant_id: c, gc_horizon: null, pitr_interval: '1h' }), 'PATCH /v1/tenant/config');
    t.same((await call(`${ps(y)}/v1/tenant/${c}/config`)).body.tenant_specific_overrides, { min_resident_size_override: 1, pitr_interval: '1h' }, 'PATCH: null removes, a value sets, the rest stays');
    isError(t, await call(`${ps(y)}/v1/tenant/config`, 'PUT', { tenant_id: c, colour: 'blue' }), 400, /unknown field `colour`/, 'an unknown config key');
    isError(t, await call(`${ps(y)}/v1/tenant/config`, 'PATCH', { tenant_id: c, gc_period: 'often' }), 400, /gc_period/, 'a bad duration');
    isError(t, await call(`${ps(x)}/v1/tenant/${c}/config`), 404, /^NotFound: /, 'GET config where not attached');
    isError(t, await call(`${ps(y)}/v1/tenant/config`, 'PUT', { tenant_id: unknownTenant }), 404, /^NotFound: /, 'PUT config of a tenant not attached here');

    const secondary = await call(url, 'PUT', { ...base, mode: 'Secondary', generation: null, secondary_conf: { warm: false } });
    t.same([secondary.status, secondary.body], [200, { shards: [], stripe_size: null }], 'Secondary: 200, shards empty');
    const stored = (await call(`${ps(y)}/v1/location_config/${c}`)).body;
    fields(t, stored, LOCATION_CONFIG, 'a secondary\'s LocationConfig');
    t.match(stored, { mode: 'Secondary', generation: null, secondary_conf: { warm: false } });
    for (const attempt of ['Detached', 'Detached again (idempotent)']) isNullOk(t, await call(url, 'PUT', { ...base, mode: 'Detached', generation: null }), attempt);
    isError(t, await call(`${ps(y)}/v1/location_config/${c}`), 404, /^NotFound: /, 'a detached slot is unknown');
  });
});
