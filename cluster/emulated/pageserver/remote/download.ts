// Restores a timeline from remote storage into an empty local directory: the newest index at or
// below the attachment's generation, every layer it lists (from the object its generation names),
// then the local commit point (store.json) and timeline.json — in that order, so a crash midway
// leaves a directory without timeline.json, which the tenant does not load and downloads again.
// The restored timeline ends at the index's disk_consistent_lsn; the WAL receiver catches up from
// there through the safekeepers.

import fsp from 'node:fs/promises';
import path from 'node:path';
import { DiskLayer } from '../storage/layer-reader.ts';
import { writeState } from '../storage/store-state.ts';
import { Timeline, type TimelineMeta } from '../timeline/timeline.ts';
import { readLatestIndex, type RemoteIndex } from './remote-timeline-client.ts';
import { layerKey, timelineIdsIn, timelinesPrefix } from './remote-paths.ts';
import type { RemoteStorage } from './remote-storage.ts';

/** Timelines remote storage holds for a tenant shard. */
export async function remoteTimelineIds(storage: RemoteStorage, tenantShardId: string): Promise<string[]> {
  return timelineIdsIn((await storage.list(timelinesPrefix(tenantShardId))).map((o) => o.key), tenantShardId);
}

/** Downloads a timeline into `dir` (which must not hold one); null when remote storage has no index for it. */
export async function downloadTimeline(storage: RemoteStorage, tenantShardId: string, timelineId: string, generation: number, dir: string): Promise<RemoteIndex | null> {
  const index = await readLatestIndex(storage, tenantShardId, timelineId, generation);
  if (!index) return null;
  const layersDir = path.join(dir, 'layers');
  await fsp.rm(dir, { recursive: true, force: true }); // what an interrupted download left
  await fsp.mkdir(layersDir, { recursive: true });
  const infos = [];
  for (const [name, remote] of index.layers) {
    const key = layerKey(tenantShardId, timelineId, name, remote.generation);
    const data = await storage.get(key);
    if (!data) throw new Error(`remote storage lists ${name} in the index of generation ${index.generation} but has no object ${key}`);
    if (data.length !== remote.file_size) throw new Error(`${key}: ${data.length} bytes, the index says ${remote.file_size}`);
    const file = path.join(layersDir, name);
    await fsp.writeFile(file, data);
    const layer = DiskLayer.open(file); // reads its footer: the ranges store.json records
    infos.push(layer.info());
    layer.close();
  }
  const { metadata } = index;
  await writeState(layersDir, {
    diskConsistentLsn: metadata.disk_consistent_lsn,
    metadata: { prev_record_lsn: metadata.prev_record_lsn, applied_gc_cutoff_lsn: metadata.applied_gc_cutoff_lsn },
    layers: infos,
  });
  const meta: TimelineMeta = {
    timeline_id: metadata.timeline_id, ancestor_timeline_id: metadata.ancestor_timeline_id, ancestor_lsn: metadata.ancestor_lsn,
    initdb_lsn: metadata.initdb_lsn, pg_version: metadata.pg_version,
  };
  await Timeline.writeMeta(dir, meta);
  return index;
}
