// Restores a timeline from remote storage into a local directory that holds no timeline: the
// newest index at or below the attachment's generation, every layer it lists, then the local
// commit point (store.json) and timeline.json — in that order, so a crash midway leaves a
// directory without timeline.json, which the tenant does not load and restores again.
// Layers already on disk as copies of the objects the index names (a warm secondary's downloads,
// or what this node kept from an earlier attachment; see secondary/resident-layers.ts) are used
// as they are, so only what is missing is downloaded.
// The restored timeline ends at the index's disk_consistent_lsn; the WAL receiver catches up from
// there through the safekeepers.

import fsp from 'node:fs/promises';
import path from 'node:path';
import { log } from '../../common/logger.ts';
import { measureRemote, metrics, shardLabels } from '../metrics.ts';
import { isResidentCopy, layersDir, readResidentLayers, removeUnrecorded, RESIDENT_LAYERS_FILE } from '../secondary/resident-layers.ts';
import { TEMP_SUFFIX } from '../storage/layer-name.ts';
import { DiskLayer, type LayerInfo } from '../storage/layer-reader.ts';
import { writeState } from '../storage/store-state.ts';
import { writeTimelineMeta, type TimelineMeta } from '../timeline/timeline-meta.ts';
import { readLatestIndex, type RemoteIndex } from './remote-timeline-client.ts';
import { layerKey, timelineIdsIn, timelinesPrefix } from './remote-paths.ts';
import type { RemoteStorage } from './remote-storage.ts';

/** Tries of one remote read before a restore gives up (Neon retries downloads too, then fails the attach). */
const READ_ATTEMPTS = 4;
const FIRST_RETRY_MS = 200;

/** What a restore took from local disk and what it downloaded. */
export interface RestoreStats {
  layersReused: number;
  bytesReused: number;
  layersDownloaded: number;
  bytesDownloaded: number;
}

/** Retries a remote read with backoff: a brief outage should not fail an attach. */
export async function withRetries<T>(what: string, op: () => Promise<T>): Promise<T> {
  for (let attempt = 1, delay = FIRST_RETRY_MS; ; attempt++, delay *= 4) {
    try {
      return await op();
    } catch (err) {
      if (attempt >= READ_ATTEMPTS) throw err;
      log.warn(`${what} failed (attempt ${attempt} of ${READ_ATTEMPTS}); retrying in ${delay} ms`, { error: (err as Error).message });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Timelines remote storage holds for a tenant shard. */
export async function remoteTimelineIds(storage: RemoteStorage, tenantShardId: string): Promise<string[]> {
  const objects = await withRetries(`listing the timelines of ${tenantShardId}`, () => storage.list(timelinesPrefix(tenantShardId)));
  return timelineIdsIn(objects.map((o) => o.key), tenantShardId);
}

/** Downloads one object to `file` through a temporary, so a partial file is never taken for a layer; null if there is no such object. */
export async function downloadLayerFile(storage: RemoteStorage, key: string, file: string, expectedSize: number): Promise<number | null> {
  const data = await measureRemote('layer', 'download', () => storage.get(key));
  if (!data) return null;
  if (data.length !== expectedSize) throw new Error(`${key}: ${data.length} bytes, the index says ${expectedSize}`);
  const temp = `${file}${TEMP_SUFFIX}`;
  await fsp.writeFile(temp, data);
  await fsp.rename(temp, file);
  return data.length;
}

/** Restores a timeline into `dir` (which must hold no timeline.json); null when remote storage has no index for it. */
export async function downloadTimeline(storage: RemoteStorage, tenantShardId: string, timelineId: string, generation: number, dir: string): Promise<(RemoteIndex & { restore: RestoreStats }) | null> {
  const index = await withRetries(`reading the index of ${tenantShardId}/${timelineId}`, () => readLatestIndex(storage, tenantShardId, timelineId, generation));
  if (!index) return null;
  const layers = layersDir(dir);
  const resident = await readResidentLayers(dir);
  // Anything else an earlier life of the directory left (an interrupted restore, WAL notes) goes.
  for (const name of await fsp.readdir(dir).catch(() => [])) {
    if (name !== 'layers' && name !== RESIDENT_LAYERS_FILE) await fsp.rm(path.join(dir, name), { recursive: true, force: true });
  }
  await fsp.mkdir(layers, { recursive: true });
  const stats: RestoreStats = { layersReused: 0, bytesReused: 0, layersDownloaded: 0, bytesDownloaded: 0 };
  const labels = { ...shardLabels(tenantShardId), timeline_id: timelineId, file_kind: 'layer', op_kind: 'download' };
  const infos: LayerInfo[] = [];
  for (const [name, remote] of index.layers) {
    const file = path.join(layers, name);
    let info = (await isResidentCopy(dir, resident, name, remote)) ? readInfo(file) : null;
    if (info) {
      stats.layersReused++;
      stats.bytesReused += remote.file_size;
    } else {
      const key = layerKey(tenantShardId, timelineId, name, remote.generation);
      metrics.callsStarted.inc(labels);
      metrics.bytesStarted.inc(labels, remote.file_size);
      try {
        const got = await withRetries(`downloading ${key}`, () => downloadLayerFile(storage, key, file, remote.file_size));
        if (got === null) throw new Error(`remote storage lists ${name} in the index of generation ${index.generation} but has no object ${key}`);
      } finally {
        metrics.callsFinished.inc(labels);
        metrics.bytesFinished.inc(labels, remote.file_size);
      }
      info = readInfo(file);
      if (!info) throw new Error(`${key}: the downloaded layer cannot be opened`);
      stats.layersDownloaded++;
      stats.bytesDownloaded += remote.file_size;
    }
    infos.push(info);
  }
  // Local layers the index does not list are not part of this timeline.
  await removeUnrecorded(dir, index.layers);
  const { metadata } = index;
  await writeState(layers, {
    diskConsistentLsn: metadata.disk_consistent_lsn,
    metadata: { prev_record_lsn: metadata.prev_record_lsn, applied_gc_cutoff_lsn: metadata.applied_gc_cutoff_lsn },
    layers: infos,
  });
  await fsp.rm(path.join(dir, RESIDENT_LAYERS_FILE), { force: true }); // the timeline owns its layers now
  const meta: TimelineMeta = {
    timeline_id: metadata.timeline_id, ancestor_timeline_id: metadata.ancestor_timeline_id, ancestor_lsn: metadata.ancestor_lsn,
    initdb_lsn: metadata.initdb_lsn, pg_version: metadata.pg_version,
  };
  await writeTimelineMeta(dir, meta);
  metrics.attachReusedLayers.inc(shardLabels(tenantShardId), stats.layersReused);
  metrics.attachReusedBytes.inc(shardLabels(tenantShardId), stats.bytesReused);
  return { ...index, restore: stats };
}

/** The ranges store.json records for a layer file, read from its footer; null if it cannot be opened. */
function readInfo(file: string): LayerInfo | null {
  try {
    const layer = DiskLayer.open(file);
    const info = layer.info();
    layer.close();
    return info;
  } catch {
    return null;
  }
}
