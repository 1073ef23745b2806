// A cluster whose cluster.yaml names an S3 bucket (`remote_storage:`), against moto_server: the
// pageserver uploads layers and index_part.json under prefix_in_bucket in Neon's layout, and after
// losing its disk restores the tenant from the bucket; nothing goes to local_fs_remote_storage.

import fs from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import t from 'tap';
import { parseLsn } from '../../cluster/wal/lsn.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { startMoto } from '../helpers/moto.ts';
import { waitUntil } from '../helpers/processes.ts';
import { query } from '../helpers/sql.ts';

const BUCKET = 'neon-local-e2e';
const PREFIX = 'pageserver';

t.test('S3 remote storage: uploads in Neon\'s layout, and a lost disk restored from the bucket', async (t) => {
  const moto = await startMoto();
  t.teardown(() => moto.stop());
  const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true });
  t.teardown(() => s3.destroy());
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const keys = async (prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

  const cluster = await startTestCluster(t, { spec: { remote_storage: { bucket_name: BUCKET, bucket_region: 'us-east-1', endpoint: moto.endpoint, prefix_in_bucket: PREFIX } } });
  const { tenantId, timelineId } = await cluster.createTenant();
  const ep = await cluster.createEndpoint();
  const ps = cluster.pageserver(1);
  await query(ep, 'CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  await query(ep, `INSERT INTO t VALUES ${Array.from({ length: 300 }, (_, i) => `(${i}, 'v${i}')`).join(',')}`);
  const flushed = parseLsn((await query(ep, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string);
  await waitUntil('ingest', async () => parseLsn((await ps.timeline(tenantId, timelineId)).last_record_lsn) >= flushed, 10_000);
  await ps.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });
  const info = await ps.timeline(tenantId, timelineId);
  t.equal(info.remote_consistent_lsn, info.disk_consistent_lsn, 'remote_consistent_lsn caught up');

  const timelineKeys = await keys(`${PREFIX}/tenants/${tenantId}/timelines/${timelineId}/`);
  t.ok(timelineKeys.includes(`${PREFIX}/tenants/${tenantId}/timelines/${timelineId}/index_part.json-00000001`), 'index_part.json-00000001 under prefix_in_bucket');
  t.ok(timelineKeys.some((k) => /__[0-9A-F]{16}-[0-9A-F]{16}-00000001$/.test(k)), 'and a delta layer with its generation suffix');
  t.notOk(fs.existsSync(path.join(cluster.layout.remoteStorageDir, 'tenants')), 'nothing went to local_fs_remote_storage');

  await cluster.stopEndpoint('ep-main');
  await cluster.stopComponent('ps1', 'immediate');
  fs.rmSync(path.join(cluster.layout.pageserverDir(1), 'tenants', tenantId), { recursive: true, force: true });
  await cluster.startComponent('ps1');
  await waitUntil('the timeline restored', async () => (await ps.timeline(tenantId, timelineId).catch(() => null)) !== null, 15_000);
  await cluster.startEndpoint('ep-main');
  t.equal(Number((await query(ep, 'SELECT count(*) AS n FROM t')).rows[0].n), 300, 'every row is back after the disk loss');
  await waitUntil('generation 2\'s index', async () => (await keys(`${PREFIX}/tenants/${tenantId}/timelines/${timelineId}/index_part.json-00000002`)).length === 1, 10_000);
  t.pass('the re-attached pageserver wrote index_part.json-00000002 to the bucket');
});
