// The pageserver's uploads to local-filesystem remote storage in a running cluster: layers and
// generation-suffixed index_part.json under local_fs_remote_storage/pageserver/tenants/...,
// remote_consistent_lsn caught up by checkpoint?wait_until_uploaded=true, a restart (re-attach in
// the next generation) reusing what is uploaded, and layers compaction and GC dropped deleted
// remotely once the storage controller confirmed the generation.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { readLatestIndex } from '../../cluster/emulated/pageserver/remote/remote-timeline-client.ts';
import { LocalFsRemoteStorage } from '../../cluster/emulated/pageserver/remote/local-fs.ts';
import { timelinePrefix } from '../../cluster/emulated/pageserver/remote/remote-paths.ts';
import { parseLsn } from '../../cluster/wal/lsn.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { waitUntil } from '../helpers/processes.ts';
import { query } from '../helpers/sql.ts';

t.test('layers and index_part go to remote storage; generations and deletions follow the attachment', async (t) => {
  const cluster = await startTestCluster(t);
  const { tenantId, timelineId } = await cluster.createTenant({ config: { pitr_interval: '0s', gc_horizon: 0, gc_period: '0s' } });
  const ep = await cluster.createEndpoint();
  const ps = cluster.pageserver(1);
  const remote = new LocalFsRemoteStorage(cluster.layout.remoteStorageDir);
  const objects = async () => (await remote.list(timelinePrefix(tenantId, timelineId))).map((o) => o.key.slice(o.key.lastIndexOf('/') + 1));

  await waitUntil('the new timeline\'s first index', async () => (await objects()).includes('index_part.json-00000001'), 10_000);
  await query(ep, 'CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  const write = async (round: number) => {
    await query(ep, `INSERT INTO t VALUES ${Array.from({ length: 100 }, (_, i) => `(${i}, 'round ${round}')`).join(',')} ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`);
    const lsn = parseLsn((await query(ep, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string);
    await waitUntil('ingest', async () => parseLsn((await ps.timeline(tenantId, timelineId)).last_record_lsn) >= lsn, 10_000);
  };
  await write(1);
  await ps.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });
  const info = await ps.timeline(tenantId, timelineId);
  t.equal(info.remote_consistent_lsn, info.disk_consistent_lsn, 'checkpoint?wait_until_uploaded=true: remote_consistent_lsn reached disk_consistent_lsn');
  t.ok(parseLsn(info.remote_consistent_lsn) > parseLsn(info.initdb_lsn), 'past the timeline\'s start');
  const index1 = await readLatestIndex(remote, tenantId, timelineId, 1);
  t.equal(index1!.metadata.disk_consistent_lsn, parseLsn(info.disk_consistent_lsn), 'index_part.json-00000001 records it');
  const layers1 = [...index1!.layers.keys()];
  t.ok(layers1.length > 0, 'with the layers');
  for (const name of layers1) {
    const file = path.join(cluster.layout.remoteStorageDir, timelinePrefix(tenantId, timelineId), `${name}-00000001`);
    t.equal(fs.statSync(file).size, index1!.layers.get(name)!.file_size, `${name}: uploaded whole`);
  }

  // A restart re-attaches in generation 2: new objects carry -00000002, the old layers are reused.
  await cluster.restartComponent('ps1');
  await waitUntil('the tenant in generation 2', async () => (await ps.get<{ generation: number }>(`/v1/tenant/${tenantId}`).catch(() => null))?.generation === 2, 15_000);
  await write(2);
  await ps.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });
  const index2 = await readLatestIndex(remote, tenantId, timelineId, 2);
  t.equal(index2!.generation, 2, 'index_part.json-00000002');
  t.ok(layers1.every((name) => index2!.layers.get(name)?.generation === 1), 'earlier layers stay referenced with generation 1, not uploaded again');
  t.ok([...index2!.layers.values()].some((m) => m.generation === 2), 'the new layer has generation 2');
  t.equal((await readLatestIndex(remote, tenantId, timelineId, 1))!.generation, 1, 'generation 1\'s index is still there for a reader of that generation');

  // Compaction and GC drop layers; the controller confirms generation 2, so they go remotely too.
  for (let round = 3; round <= 14; round++) {
    await write(round);
    await ps.checkpoint(tenantId, timelineId);
  }
  const gc = await ps.gc(tenantId, timelineId, 0);
  t.ok(gc.layers_removed > 0, `GC removed layers (${JSON.stringify(gc)})`);
  await ps.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });
  const final = await readLatestIndex(remote, tenantId, timelineId, 2);
  const expected = new Set([...final!.layers].map(([name, m]) => `${name}-${m.generation.toString(16).padStart(8, '0')}`));
  await waitUntil('remote layers no index lists are deleted', async () => (await objects()).filter((k) => !k.startsWith('index_part')).every((k) => expected.has(k)), 10_000);
  t.same(new Set((await objects()).filter((k) => !k.startsWith('index_part'))), expected, 'remote storage holds exactly the layers of the newest index');
  t.same((await query(ep, 'SELECT v FROM t WHERE k = 7')).rows, [{ v: 'round 14' }], 'the data is all there');
});

t.test('disk loss: a pageserver whose tenant directory is gone restores every timeline from remote storage', async (t) => {
  const cluster = await startTestCluster(t);
  const { tenantId, timelineId } = await cluster.createTenant({ config: { pitr_interval: '30days' } });
  const ep = await cluster.createEndpoint();
  const ps = cluster.pageserver(1);
  await query(ep, 'CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  await query(ep, `INSERT INTO t VALUES ${Array.from({ length: 200 }, (_, i) => `(${i}, 'main ${i}')`).join(',')}`);
  // At the LSN main flushed: without one the branch point is what the pageserver has ingested so far.
  const branchPoint = (await query(ep, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string;
  const child = await cluster.createBranch('child', { lsn: branchPoint });
  const childEp = await cluster.createEndpoint({ branchName: 'child' });
  await query(childEp, `INSERT INTO t VALUES ${Array.from({ length: 50 }, (_, i) => `(${1000 + i}, 'child ${i}')`).join(',')}`);
  await query(ep, `INSERT INTO t VALUES ${Array.from({ length: 50 }, (_, i) => `(${2000 + i}, 'late ${i}')`).join(',')}`); // WAL after the upload below
  for (const tl of [timelineId, child.timelineId]) {
    await waitUntil('ingest', async () => parseLsn((await ps.timeline(tenantId, tl)).last_record_lsn) > parseLsn((await ps.timeline(tenantId, tl)).initdb_lsn), 10_000);
    await ps.checkpoint(tenantId, tl, { waitUntilUploaded: true });
  }
  await query(ep, `INSERT INTO t VALUES ${Array.from({ length: 50 }, (_, i) => `(${3000 + i}, 'after upload ${i}')`).join(',')}`);
  await cluster.stopEndpoint('ep-child');
  await cluster.stopEndpoint('ep-main');

  await cluster.stopComponent('ps1', 'immediate');
  fs.rmSync(path.join(cluster.layout.pageserverDir(1), 'tenants', tenantId), { recursive: true, force: true });
  await cluster.startComponent('ps1');
  await waitUntil('the tenant re-attached', async () => (await ps.get<{ generation: number }>(`/v1/tenant/${tenantId}`).catch(() => null)) !== null, 15_000);
  const timelines = (await ps.get<{ timeline_id: string; ancestor_timeline_id: string | null }[]>(`/v1/tenant/${tenantId}/timeline`)).map((x) => [x.timeline_id, x.ancestor_timeline_id] as const);
  t.same(new Map(timelines), new Map([[timelineId, null], [child.timelineId, timelineId]]), 'both timelines are back, the branch under its ancestor');
  await waitUntil('the config reconciled back', async () => (await ps.tenantConfig(tenantId)).tenant_specific_overrides['pitr_interval'] === '30days', 10_000);
  t.pass('the tenant config is back from the storage controller, not replaced by defaults');

  await cluster.startEndpoint('ep-main');
  await cluster.startEndpoint('ep-child');
  const mainRows = await query(ep, 'SELECT count(*) AS n FROM t');
  t.equal(Number(mainRows.rows[0].n), 300, 'main: uploaded rows plus the WAL after the upload, caught up from the safekeepers');
  t.same((await query(ep, 'SELECT v FROM t WHERE k = 3049')).rows, [{ v: 'after upload 49' }]);
  const childRows = await query(childEp, 'SELECT count(*) AS n FROM t');
  t.equal(Number(childRows.rows[0].n), 250, 'the branch: its ancestor\'s rows at the branch point plus its own');
});
