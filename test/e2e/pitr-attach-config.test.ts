// Seed 002 (attach-time tenant config): a tenant with a 30-day PITR, detached and attached on the
// other pageserver with its config, still reads a 10-day-old LSN after GC; attached without its
// config (the defaults: 7 days) the same GC makes that LSN unreadable. History "days old" is
// written through the compute's commit clock hook (failpoint compute-commit-timestamp); the
// pageserver finds the LSN for a time from the commit times stored in the timeline's layers, so
// the mapping comes back with them when the new pageserver restores the tenant from remote storage.

import t, { type Test } from 'tap';
import { exactly, PageClient } from '../../cluster/emulated/compute/storage/page-client.ts';
import { formatLsn, parseLsn } from '../../cluster/wal/lsn.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { callJson as call } from '../helpers/http.ts';
import { waitUntil } from '../helpers/processes.ts';
import { query } from '../helpers/sql.ts';

const DAY = 86_400_000;
const PITR_CONFIG = { pitr_interval: '30 days', gc_horizon: 1024, gc_period: '0s' };

t.test('PITR survives detach/attach with the tenant config, and only with it', async (t) => {
  const cluster = await startTestCluster(t, { pageservers: 2 });
  const storcon = cluster.storageController.baseUrl;
  const pgPort = (id: number) => cluster.config.pageservers.find((p) => p.id === id)!.listenPg.port;

  /**
   * A tenant with a 30-day PITR whose table was written 40 days ago, overwritten 10 days ago and
   * again now; flushed and uploaded, then detached from its pageserver and attached to the other
   * one (which never had it: it restores from remote storage) in a new generation with
   * `attachConf` as tenant_conf; then one GC pass there.
   */
  const relocate = async (t: Test, name: string, attachConf: Record<string, unknown>) => {
    const { tenantId, timelineId, pageserverId } = await cluster.createTenant({ config: PITR_CONFIG });
    const origin = cluster.pageserver(pageserverId!);
    const destId = pageserverId === 1 ? 2 : 1;
    const dest = cluster.pageserver(destId);
    const ep = await cluster.createEndpoint({ id: `ep-${name}`, tenantId });
    const write = async (label: string) => {
      const values = Array.from({ length: 50 }, (_, k) => `(${k}, '${label}')`).join(', ');
      return parseLsn((await ep.sql(`INSERT INTO t VALUES ${values} ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`)).commit_lsn!);
    };
    await ep.http.setFailpoint('compute-commit-timestamp', 'return(-40days)');
    await ep.sql('CREATE TABLE t (k bigint PRIMARY KEY, v text)');
    const fortyDaysAgo = await write('forty days ago');
    await ep.http.setFailpoint('compute-commit-timestamp', 'return(-10days)');
    const tenDaysAgo = await write('ten days ago');
    await ep.http.setFailpoint('compute-commit-timestamp', 'off');
    let last = 0;
    for (let round = 0; round < 3; round++) last = await write(`now ${round}`); // enough WAL for gc_horizon to pass both
    await cluster.stopEndpoint(ep.id);
    await waitUntil('ingest', async () => parseLsn((await origin.timeline(tenantId, timelineId)).last_record_lsn) >= last, 15_000);
    await origin.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });

    const before = await origin.lsnByTimestamp(tenantId, timelineId, new Date(Date.now() - 25 * DAY));
    t.equal(before.kind, 'present', `${name}: 25 days ago lies between the commits`);
    t.ok(parseLsn(before.lsn) >= fortyDaysAgo && parseLsn(before.lsn) < tenDaysAgo, `${name}: the LSN just before the 10-day-old commit (${before.lsn})`);

    // Detach, a new generation for the other pageserver, attach there.
    const location = { mode: 'Detached' as const, generation: null, secondary_conf: null, shard_number: 0, shard_count: 0, shard_stripe_size: 0, tenant_conf: {} };
    t.equal(await origin.setLocation(tenantId, location), null, `${name}: detached from pageserver ${pageserverId}`);
    t.same((await origin.tenants()).map((x) => x.id).filter((id) => id === tenantId), [], `${name}: the origin no longer has it`);
    const { body: hooked } = await call(`${storcon}/debug/v1/attach-hook`, 'POST', { tenant_shard_id: tenantId, node_id: destId });
    t.equal(hooked.gen, 2, `${name}: generation 2 for pageserver ${destId}`);
    const attached = await dest.setLocation(tenantId, { ...location, mode: 'AttachedSingle', generation: hooked.gen, tenant_conf: attachConf });
    t.same(attached, { shards: [{ shard_id: tenantId, node_id: destId }], stripe_size: null }, `${name}: attached to pageserver ${destId}`);
    const restored = await dest.timeline(tenantId, timelineId);
    t.ok(parseLsn(restored.disk_consistent_lsn) >= last, `${name}: restored from remote storage up to the last write`);
    t.same(await dest.lsnByTimestamp(tenantId, timelineId, new Date(Date.now() - 25 * DAY)), before,
      `${name}: the restored timeline maps times to LSNs as before (the commit times came with its layers)`);

    await dest.gc(tenantId, timelineId); // gc_horizon and pitr_interval from the tenant's config
    const cutoff = parseLsn((await dest.timeline(tenantId, timelineId)).applied_gc_cutoff_lsn);
    const page = new PageClient({ host: '127.0.0.1', port: pgPort(destId) }, { tenantId, timelineId }, 5000);
    t.teardown(() => page.close());
    return { tenantId, timelineId, destId, dest, fortyDaysAgo, tenDaysAgo, last, cutoff, page };
  };

  t.test('attached with its config: the 10-day-old LSN still reads after GC', async (t) => {
    const r = await relocate(t, 'with-conf', PITR_CONFIG);
    t.same((await r.dest.tenantConfig(r.tenantId)).effective_config['pitr_interval'], '30 days', 'the new pageserver runs with a 30-day PITR');
    t.ok(r.last - PITR_CONFIG.gc_horizon > r.tenDaysAgo, 'gc_horizon alone would remove the 10-day-old LSN');
    t.ok(r.cutoff > r.fortyDaysAgo, `GC ran: the cutoff (${r.cutoff}) passed the 40-day-old LSN (${r.fortyDaysAgo})`);
    t.ok(r.cutoff <= r.tenDaysAgo, `and stopped at the 30-day mark, before the 10-day-old LSN (${r.tenDaysAgo})`);
    await t.rejects(r.page.get(Buffer.from('any'), exactly(r.fortyDaysAgo)), { code: 'lsn-out-of-range', message: /garbage collected/ }, 'the 40-day-old LSN is gone');

    const past = await cluster.createEndpoint({ id: 'ep-ten-days-ago', tenantId: r.tenantId, lsn: formatLsn(r.tenDaysAgo), pageserverId: r.destId });
    const rows = await query(past, 'SELECT k, v FROM t WHERE k BETWEEN 0 AND 49');
    t.equal(rows.rows.length, 50, 'a static endpoint at the 10-day-old LSN reads the table');
    t.ok(rows.rows.every((row: { v: string }) => row.v === 'ten days ago'), 'as it was ten days ago, though it was overwritten since');

    // The route's other answers, and its refusals (Neon's statuses and messages).
    const lookup = (time: number) => r.dest.lsnByTimestamp(r.tenantId, r.timelineId, new Date(time));
    t.same(await lookup(Date.now() - 50 * DAY), { lsn: formatLsn(r.cutoff), kind: 'past' }, 'older than anything left above the cutoff: past, at the cutoff');
    t.same(await lookup(Date.now() + 3_600_000), { lsn: formatLsn(r.last), kind: 'future' }, 'after the last commit: future, at the last LSN');
    const url = `${r.dest.baseUrl}/v1/tenant/${r.tenantId}/timeline/${r.timelineId}/get_lsn_by_timestamp`;
    t.same(await call(`${url}?timestamp=${new Date().toISOString()}&with_lease=true`), { status: 200, body: { lsn: formatLsn(r.last), kind: 'future' } }, 'with_lease: no lease (not emulated), answered as Neon when granting one fails');
    t.same(await call(url), { status: 400, body: { msg: 'no timestamp specified in query parameters' } });
    t.same(await call(`${url}?timestamp=yesterday`), { status: 400, body: { msg: 'Invalid time: "yesterday"' } });
    t.same(await call(`${url}?timestamp=2024-05-01T00:00:00Z&with_lease=yes`), { status: 400, body: { msg: 'cannot parse query param with_lease: provided string was not `true` or `false`' } });
    t.equal((await call(url.replace(r.timelineId, 'f'.repeat(32)) + '?timestamp=2024-05-01T00:00:00Z')).status, 404, 'an unknown timeline: 404');
  });

  t.test('attached without its config (the defaults, 7 days): the same GC removes that LSN', async (t) => {
    const r = await relocate(t, 'without-conf', {});
    t.same((await r.dest.tenantConfig(r.tenantId)).effective_config['pitr_interval'], '7days', 'the new pageserver runs with the default PITR');
    t.ok(r.cutoff > r.tenDaysAgo, `the cutoff (${r.cutoff}) passed the 10-day-old LSN (${r.tenDaysAgo})`);
    await t.rejects(r.page.get(Buffer.from('any'), exactly(r.tenDaysAgo)), { code: 'lsn-out-of-range', message: /garbage collected/ }, 'a read at the 10-day-old LSN is refused: 23 days of PITR lost');
  });
});
