// Tenant and timeline creation through the storage controller's routes (placement with generation
// 1, safekeeper membership generation 1), the timeline APIs of pageserver and safekeepers, their
// errors, and garbage collection: reads and branches below the GC cutoff are refused, while what
// children need at their branch points is kept.

import t from 'tap';
import { newHexId } from '../../cluster/api/ids.ts';
import { PageClient, exactly } from '../../cluster/emulated/compute/storage/page-client.ts';
import { parseLsn } from '../../cluster/wal/lsn.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { waitUntil } from '../helpers/processes.ts';
import { keysBetween, query } from '../helpers/sql.ts';
import { callJson } from '../helpers/http.ts';

const call = callJson;

t.test('creation through the storage controller, and bad input', async (t) => {
  const cluster = await startTestCluster(t);
  const storcon = cluster.storageController.baseUrl;
  const ps = cluster.pageserver(1);
  const tenantId = newHexId();
  const timelineId = newHexId();

  const created = await call(`${storcon}/v1/tenant`, 'POST', { new_tenant_id: tenantId, gc_horizon: 1024 });
  t.same(created, { status: 201, body: { shards: [{ shard_id: tenantId, node_id: 1, generation: 1 }] } }, 'POST /v1/tenant: 201, placed with generation 1');
  const location = (await ps.locationConfigs()).tenant_shards.find(([id]) => id === tenantId)?.[1];
  t.match(location, { mode: 'AttachedSingle', generation: 1, tenant_conf: { gc_horizon: 1024 } }, 'the pageserver holds it AttachedSingle, with its config');

  const tl = await call(`${storcon}/v1/tenant/${tenantId}/timeline`, 'POST', { new_timeline_id: timelineId, pg_version: 17 });
  t.equal(tl.status, 201, 'POST timeline: 201');
  t.match(tl.body, { timeline_id: timelineId, ancestor_timeline_id: null, last_record_lsn: '0/1000000', safekeepers: { generation: 1 } });
  t.equal(tl.body.safekeepers.safekeepers.length, 3, 'placed on 3 safekeepers');
  for (const sk of cluster.safekeepers) {
    const status = await sk.timeline(tenantId, timelineId);
    t.match(status, { mconf: { generation: 1, new_members: null }, flush_lsn: '0/1000000', timeline_start_lsn: '0/1000000' }, `safekeeper ${sk.id} has it with membership generation 1`);
    t.equal(status.mconf.members.length, 3);
  }
  t.equal((await call(`${storcon}/v1/tenant/${tenantId}/timeline`, 'POST', { new_timeline_id: timelineId, pg_version: 17 })).status, 201, 'the same creation again: 201 (idempotent)');
  const different = await call(`${storcon}/v1/tenant/${tenantId}/timeline`, 'POST', { new_timeline_id: timelineId, ancestor_timeline_id: newHexId() });
  t.equal(different.status, 409, 'the same id with other parameters: 409');
  t.match(different.body, { msg: /already exists with different parameters/ });

  const detail = await ps.timeline(tenantId, timelineId);
  for (const field of ['last_record_lsn', 'disk_consistent_lsn', 'remote_consistent_lsn', 'applied_gc_cutoff_lsn', 'prev_record_lsn', 'initdb_lsn'] as const) {
    t.ok(field in detail, `timeline detail has ${field}`);
  }

  const unknownTenant = await call(`${storcon}/v1/tenant/${newHexId()}/timeline`);
  t.equal(unknownTenant.status, 404, 'unknown tenant: 404');
  t.match(unknownTenant.body, { msg: /not found/ });
  const unknownTimeline = await call(`${ps.baseUrl}/v1/tenant/${tenantId}/timeline/${newHexId()}`);
  t.same([unknownTimeline.status, typeof unknownTimeline.body.msg], [404, 'string'], 'unknown timeline: 404 with msg');
  t.equal((await call(`${ps.baseUrl}/v1/tenant/not-a-tenant/timeline`)).status, 400, 'malformed tenant id: 400');
  t.equal((await call(`${storcon}/v1/tenant/${tenantId}/timeline`, 'POST', { new_timeline_id: 'xyz' })).status, 400, 'malformed timeline id: 400');
  const badConfig = await call(`${storcon}/v1/tenant`, 'POST', { new_tenant_id: newHexId(), gc_horizonn: 1 });
  t.same([badConfig.status, badConfig.body.msg.includes('unknown field `gc_horizonn`')], [400, true], 'unknown tenant config key: 400 naming it');
  const beyond = await call(`${storcon}/v1/tenant/${tenantId}/timeline`, 'POST', { new_timeline_id: newHexId(), ancestor_timeline_id: timelineId, ancestor_start_lsn: '1/0' });
  t.equal(beyond.status, 406, 'branching above the ancestor’s last LSN: 406 (neon’s status)');
  t.match(beyond.body.msg, /beyond the end of ancestor timeline/);
  const sk404 = await call(`${cluster.safekeepers[0]!.baseUrl}/v1/tenant/${tenantId}/timeline/${newHexId()}`);
  t.equal(sk404.status, 404, 'safekeeper: unknown timeline 404');
});

t.test('garbage collection', async (t) => {
  const cluster = await startTestCluster(t);
  const { tenantId, timelineId } = await cluster.createTenant({ config: { pitr_interval: '0s', gc_horizon: 0, gc_period: '0s' } });
  const ep = await cluster.createEndpoint();
  const ps = cluster.pageserver(1);
  await query(ep, 'CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  await query(ep, `INSERT INTO t VALUES ${Array.from({ length: 100 }, (_, i) => `(${i}, 'first')`).join(',')}`);
  const early = (await query(ep, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string;
  const child = await cluster.createBranch('child', { lsn: early });
  // Enough rewrites and flushes that compaction thins history and GC has layers to drop.
  for (let round = 1; round <= 12; round++) {
    await query(ep, `INSERT INTO t VALUES ${Array.from({ length: 100 }, (_, i) => `(${i}, 'round ${round}')`).join(',')} ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`);
    const lsn = (await query(ep, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string;
    while (parseLsn((await ps.timeline(tenantId, timelineId)).last_record_lsn) < parseLsn(lsn)) await new Promise((r) => setTimeout(r, 20));
    await ps.checkpoint(tenantId, timelineId);
  }
  const result = await ps.gc(tenantId, timelineId, 0);
  t.match(result, { layers_total: Number, layers_removed: Number, elapsed: Number }, 'do_gc answers with a GcResult');
  t.ok(result.layers_total < 12, `compaction merged the 12 flushed layers (${JSON.stringify(result)})`);
  t.ok(result.layers_needed_by_branches > 0, 'the child’s branch point holds layers back');
  const after = await ps.timeline(tenantId, timelineId);
  t.equal(after.applied_gc_cutoff_lsn, after.disk_consistent_lsn, 'with gc_horizon 0 and no PITR the cutoff reaches disk_consistent_lsn');
  t.ok(parseLsn(after.applied_gc_cutoff_lsn) > parseLsn(early), 'the cutoff passed the early LSN');

  const page = new PageClient({ host: '127.0.0.1', port: cluster.config.pageservers[0]!.listenPg.port }, { tenantId, timelineId }, 5000);
  t.teardown(() => page.close());
  await t.rejects(page.get(Buffer.from('any'), exactly(parseLsn(early))), { code: 'lsn-out-of-range', message: /garbage collected/ }, 'a read below the cutoff is refused');
  const below = await call(`${cluster.storageController.baseUrl}/v1/tenant/${tenantId}/timeline`, 'POST', { new_timeline_id: newHexId(), ancestor_timeline_id: timelineId, ancestor_start_lsn: early });
  t.equal(below.status, 406, 'branching below the cutoff: 406');
  t.match(below.body.msg, /less than latest GC cutoff/);

  t.same((await query(ep, 'SELECT v FROM t WHERE k = 7')).rows, [{ v: 'round 12' }], 'main reads its latest rows after GC');
  const childEp = await cluster.createEndpoint({ branchName: 'child' });
  const childRows = await query(childEp, 'SELECT k, v FROM t WHERE k BETWEEN 0 AND 99');
  t.equal(childRows.rows.length, 100, 'the child created before GC still reads its branch point');
  t.ok(childRows.rows.every((r: { v: string }) => r.v === 'first'), 'as of its branch point: nothing GC or compaction dropped');
  t.equal(child.ancestorLsn, early, 'the child’s branch point');

  await cluster.restartComponent('ps1');
  // As the real one, a restarted pageserver answers 503 for its tenants until re-attach is done.
  let reloaded: Awaited<ReturnType<typeof ps.timeline>> | null = null;
  await waitUntil('the timeline after the restart', async () => (reloaded = await ps.timeline(tenantId, timelineId).catch(() => null)) !== null, 10_000);
  t.equal(reloaded!.applied_gc_cutoff_lsn, after.applied_gc_cutoff_lsn, 'the cutoff survives a pageserver restart');
  t.same(await keysBetween(ep, 't', 0, 99), new Set(Array.from({ length: 100 }, (_, i) => i)), 'and main still reads every row');
});
