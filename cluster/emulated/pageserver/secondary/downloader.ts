// One download pass of a secondary location (Neon's TenantDownloader): read the heatmap the
// attached location uploaded, drop local layers and timelines it no longer lists, then download
// the hot layers that are missing, each through a temporary file and recorded as the copy of its
// remote object (resident-layers.ts), so an attach here later uses them instead of downloading.
// Progress is updated as it goes, for secondary/status while the pass runs.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { SecondaryProgress } from '../../../api/pageserver.ts';
import { writeFileAtomic } from '../../../util/atomic-write.ts';
import { log } from '../../common/logger.ts';
import { metrics } from '../metrics.ts';
import { downloadLayerFile, withRetries } from '../remote/download.ts';
import { heatmapKey, layerKey } from '../remote/remote-paths.ts';
import type { RemoteStorage } from '../remote/remote-storage.ts';
import { heatmapStats, parseHeatmap, type HeatMapTenant } from './heatmap.ts';
import { LOCAL_HEATMAP_FILE } from './heatmap-uploader.ts';
import { isResidentCopy, layersDir, readResidentLayers, removeUnrecorded, timelineDirs, writeResidentLayers } from './resident-layers.ts';

export function emptyProgress(): SecondaryProgress {
  return { heatmap_mtime: null, layers_downloaded: 0, layers_total: 0, bytes_downloaded: 0, bytes_total: 0 };
}

export interface PassContext {
  storage: RemoteStorage;
  tenantShardId: string;
  dir: string;
  /** Updated in place while the pass runs. */
  progress: SecondaryProgress;
  /** Checked between layers: the location is changing, stop. */
  cancelled(): boolean;
}

/** Runs one pass; resolves with the heatmap (null when there is none yet) and whether everything it lists is here. */
export async function downloadPass(ctx: PassContext): Promise<{ heatmap: HeatMapTenant | null; complete: boolean }> {
  const { storage, tenantShardId, dir } = ctx;
  const key = heatmapKey(tenantShardId);
  const head = await withRetries(`reading the heatmap of ${tenantShardId}`, async () => (storage.head ? storage.head(key) : null));
  const data = await withRetries(`reading the heatmap of ${tenantShardId}`, () => storage.get(key));
  metrics.downloadHeatmap.inc();
  if (!data) {
    log.info(`no heatmap for tenant ${tenantShardId} yet; nothing to download (fine if it is new)`);
    return { heatmap: null, complete: true };
  }
  const heatmap = parseHeatmap(data, key);
  const mtime = head?.lastModified ?? new Date();
  const localHeatmap = path.join(dir, LOCAL_HEATMAP_FILE);
  await writeFileAtomic(localHeatmap, data);
  await fsp.utimes(localHeatmap, mtime, mtime); // so a restart knows which heatmap this was

  // Deletions first: timelines and layers the heatmap no longer lists.
  const listed = new Set(heatmap.timelines.map((t) => t.timeline_id));
  for (const { id, dir: tlDir } of timelineDirs(dir)) {
    if (!listed.has(id)) await fsp.rm(tlDir, { recursive: true, force: true });
  }
  Object.assign(ctx.progress, await progressOf(dir, heatmap, mtime));

  for (const timeline of heatmap.timelines) {
    const tlDir = path.join(dir, 'timelines', timeline.timeline_id);
    await fsp.mkdir(layersDir(tlDir), { recursive: true });
    const resident = await readResidentLayers(tlDir);
    for (const layer of timeline.layers) {
      if (layer.cold || (await isResidentCopy(tlDir, resident, layer.name, layer.metadata))) continue;
      if (ctx.cancelled()) return { heatmap, complete: false };
      const objectKey = layerKey(tenantShardId, timeline.timeline_id, layer.name, layer.metadata.generation);
      const bytes = await withRetries(`downloading ${objectKey}`, () => downloadLayerFile(storage, objectKey, path.join(layersDir(tlDir), layer.name), layer.metadata.file_size));
      if (bytes === null) {
        // Gone since the heatmap was written (compacted or GC'd there): not needed any more.
        log.info(`secondary ${tenantShardId}: ${objectKey} is gone from remote storage; skipping it`);
        ctx.progress.layers_total--;
        ctx.progress.bytes_total -= layer.metadata.file_size;
        continue;
      }
      resident.set(layer.name, { file_size: layer.metadata.file_size, generation: layer.metadata.generation });
      await writeResidentLayers(tlDir, resident);
      ctx.progress.layers_downloaded++;
      ctx.progress.bytes_downloaded += bytes;
      metrics.downloadLayer.inc();
      metrics.downloadLayerBytes.inc({}, bytes);
    }
  }
  return { heatmap, complete: true };
}

/**
 * What the local disk holds of a heatmap; drops (from disk and record) the layers it does not list
 * as hot, or lists in another generation.
 */
async function progressOf(dir: string, heatmap: HeatMapTenant, mtime: Date): Promise<SecondaryProgress> {
  const stats = heatmapStats(heatmap);
  const progress: SecondaryProgress = { heatmap_mtime: mtime.toISOString(), layers_downloaded: 0, layers_total: stats.layers, bytes_downloaded: 0, bytes_total: stats.bytes };
  for (const timeline of heatmap.timelines) {
    const tlDir = path.join(dir, 'timelines', timeline.timeline_id);
    const resident = await readResidentLayers(tlDir);
    const wanted = new Map(timeline.layers.filter((l) => !l.cold).map((l) => [l.name, l.metadata]));
    const kept = new Map([...resident].filter(([name, m]) => wanted.get(name)?.generation === m.generation));
    for (const [name, m] of kept) {
      if (await isResidentCopy(tlDir, kept, name, m)) {
        progress.layers_downloaded++;
        progress.bytes_downloaded += m.file_size;
      }
    }
    if (kept.size !== resident.size) await writeResidentLayers(tlDir, kept);
    await removeUnrecorded(tlDir, kept);
  }
  return progress;
}

/** Progress from what is on disk (after a restart): the local heatmap copy and the recorded layers. */
export async function localProgress(dir: string): Promise<SecondaryProgress> {
  const file = path.join(dir, LOCAL_HEATMAP_FILE);
  if (!fs.existsSync(file)) return emptyProgress();
  try {
    const heatmap = parseHeatmap(await fsp.readFile(file), file);
    const stats = heatmapStats(heatmap);
    const progress: SecondaryProgress = { heatmap_mtime: (await fsp.stat(file)).mtime.toISOString(), layers_downloaded: 0, layers_total: stats.layers, bytes_downloaded: 0, bytes_total: stats.bytes };
    for (const timeline of heatmap.timelines) {
      const tlDir = path.join(dir, 'timelines', timeline.timeline_id);
      const resident = await readResidentLayers(tlDir);
      for (const l of timeline.layers) {
        if (!l.cold && (await isResidentCopy(tlDir, resident, l.name, l.metadata))) {
          progress.layers_downloaded++;
          progress.bytes_downloaded += l.metadata.file_size;
        }
      }
    }
    return progress;
  } catch (err) {
    log.warn(`local heatmap ${file} is not usable; progress starts from nothing`, { error: (err as Error).message });
    return emptyProgress();
  }
}
