// Remote storage that stops working (here the LocalFs directory of the timeline replaced by a
// file, so every put fails): the pageserver keeps ingesting and flushing, retries its uploads with
// backoff, and says so — TimelineInfo's upload_queue (retrying, failed attempts, last error) with
// remote_consistent_lsn held back, and Neon's remote timeline client metrics (failed attempts,
// calls started but not finished). Once storage is back everything is uploaded and nothing is
// lost: a pageserver that then loses its disk restores every row from remote storage.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readLatestIndex } from '../../cluster/emulated/pageserver/remote/remote-timeline-client.ts';
import { LocalFsRemoteStorage } from '../../cluster/emulated/pageserver/remote/local-fs.ts';
import { timelinePrefix } from '../../cluster/emulated/pageserver/remote/remote-paths.ts';
import { parseLsn } from '../../cluster/wal/lsn.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { metricValue as metric } from '../helpers/metrics.ts';
import { waitUntil } from '../helpers/processes.ts';
import { query } from '../helpers/sql.ts';

t.test('uploads failing: retried, visible in status and metrics, nothing lost once storage is back', async (t) => {
  const cluster = await startTestCluster(t);
  const { tenantId, timelineId } = await cluster.createTenant();
  const ep = await cluster.createEndpoint();
  const ps = cluster.pageserver(1);
  const remoteDir = cluster.layout.remoteStorageDir;
  const timelineDir = path.join(remoteDir, timelinePrefix(tenantId, timelineId)).replace(/\/$/, '');
  const labels = { tenant_id: tenantId, timeline_id: timelineId };
  type Info = Awaited<ReturnType<typeof ps.timeline>>;
  const timeline = () => ps.timeline(tenantId, timelineId) as Promise<Info>;

  await query(ep, 'CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  let round = 0;
  const write = async () => {
    round++;
    await query(ep, `INSERT INTO t VALUES ${Array.from({ length: 100 }, (_, i) => `(${round * 1000 + i}, 'round ${round}')`).join(',')}`);
    const lsn = parseLsn((await query(ep, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string);
    await waitUntil('ingest', async () => parseLsn((await timeline()).last_record_lsn) >= lsn, 15_000);
    await ps.checkpoint(tenantId, timelineId); // flushed locally; the upload is up to remote storage
  };
  await write();
  await ps.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });
  t.same((await timeline()).upload_queue, { state: 'ok', pending: 0, consecutive_failures: 0, last_error: null, failing_since: null }, 'healthy: upload_queue ok');
  t.equal(await metric(ps.baseUrl, 'pageserver_remote_timeline_client_calls_started', labels), await metric(ps.baseUrl, 'pageserver_remote_timeline_client_calls_finished', labels), 'every started upload finished');

  // The outage: the timeline's directory in remote storage becomes a file.
  fs.renameSync(timelineDir, `${timelineDir}.away`);
  fs.writeFileSync(timelineDir, 'remote storage is down');
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    fs.rmSync(timelineDir, { force: true });
    fs.renameSync(`${timelineDir}.away`, timelineDir);
  };
  t.teardown(restore);

  await write();
  await waitUntil('failed upload attempts', async () => ((await timeline()).upload_queue?.consecutive_failures ?? 0) >= 2, 15_000);
  await write(); // writes and flushes go on meanwhile
  const failing = await timeline();
  t.match(failing.upload_queue, { state: 'retrying', last_error: /remote storage put tenants\/.*(EEXIST|ENOTDIR)/, failing_since: /^\d{4}-\d\d-\d\dT/ }, 'upload_queue: retrying, with the last error and since when');
  t.ok(failing.upload_queue!.pending >= 1, `uploads pending: ${failing.upload_queue!.pending}`);
  t.ok(parseLsn(failing.remote_consistent_lsn) < parseLsn(failing.disk_consistent_lsn), `remote_consistent_lsn ${failing.remote_consistent_lsn} lags disk_consistent_lsn ${failing.disk_consistent_lsn}`);
  t.ok(await metric(ps.baseUrl, 'pageserver_remote_timeline_client_seconds_global_count', { op_kind: 'upload', status: 'failure' }) >= 2, 'failed attempts counted (status="failure")');
  t.ok(await metric(ps.baseUrl, 'pageserver_remote_upload_consecutive_failures', labels) >= 2, 'pageserver_remote_upload_consecutive_failures');
  t.ok(await metric(ps.baseUrl, 'pageserver_remote_timeline_client_calls_started', labels) > await metric(ps.baseUrl, 'pageserver_remote_timeline_client_calls_finished', labels), 'calls started but not finished: the queue is not draining');
  t.ok(await metric(ps.baseUrl, 'pageserver_projected_remote_consistent_lsn', labels) < await metric(ps.baseUrl, 'pageserver_disk_consistent_lsn', labels), 'the LSN gauges show the lag');

  restore();
  await waitUntil('uploads catch up', async () => {
    const info = await timeline();
    return info.upload_queue?.state === 'ok' && info.remote_consistent_lsn === info.disk_consistent_lsn;
  }, 20_000);
  const recovered = await timeline();
  t.same(recovered.upload_queue, { state: 'ok', pending: 0, consecutive_failures: 0, last_error: null, failing_since: null }, 'back to ok');
  t.equal(await metric(ps.baseUrl, 'pageserver_remote_timeline_client_calls_started', labels), await metric(ps.baseUrl, 'pageserver_remote_timeline_client_calls_finished', labels), 'the queue drained');
  t.equal(await metric(ps.baseUrl, 'pageserver_remote_upload_consecutive_failures', labels), 0);
  const index = (await readLatestIndex(new LocalFsRemoteStorage(remoteDir), tenantId, timelineId, 1))!;
  const local = fs.readdirSync(path.join(cluster.layout.pageserverDir(1), 'tenants', tenantId, 'timelines', timelineId, 'layers')).filter((f) => f !== 'store.json');
  t.same(new Set(index.layers.keys()), new Set(local), 'the index lists every local layer');
  t.equal(index.metadata.disk_consistent_lsn, parseLsn(recovered.disk_consistent_lsn));

  // Nothing lost: the disk goes, the pageserver restores from remote storage alone.
  await cluster.stopEndpoint('ep-main');
  await cluster.stopComponent('ps1', 'immediate');
  fs.rmSync(path.join(cluster.layout.pageserverDir(1), 'tenants', tenantId), { recursive: true, force: true });
  await cluster.startComponent('ps1');
  await cluster.startEndpoint('ep-main');
  t.equal(Number((await query(ep, 'SELECT count(*) AS n FROM t')).rows[0].n), round * 100, `all ${round * 100} rows, written before, during and after the outage`);
});
