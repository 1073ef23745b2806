// Object keys in remote storage, as Neon lays them out (neon-reference §2.9), relative to the
// storage's root (LocalFs local_path, S3 prefix_in_bucket):
//
//   tenants/<tsid>/timelines/<timeline>/index_part.json-<generation %08x>
//   tenants/<tsid>/timelines/<timeline>/<layer file name>-<generation %08x>
//   tenants/<tsid>/heatmap-v1.json
//
// A generation suffix says which attachment wrote the object; a reader takes the newest index
// whose generation is at or below its own, so a stale attachment never reads a newer one's state.

import { isHexId } from '../../../api/ids.ts';

export const INDEX_PART = 'index_part.json';

export function generationSuffix(generation: number): string {
  return `-${generation.toString(16).padStart(8, '0')}`;
}

export function tenantPrefix(tenantShardId: string): string {
  return `tenants/${tenantShardId}/`;
}

export function timelinesPrefix(tenantShardId: string): string {
  return `${tenantPrefix(tenantShardId)}timelines/`;
}

export function timelinePrefix(tenantShardId: string, timelineId: string): string {
  return `${timelinesPrefix(tenantShardId)}${timelineId}/`;
}

export function indexPartKey(tenantShardId: string, timelineId: string, generation: number): string {
  return `${timelinePrefix(tenantShardId, timelineId)}${INDEX_PART}${generationSuffix(generation)}`;
}

export function layerKey(tenantShardId: string, timelineId: string, layerName: string, generation: number): string {
  return `${timelinePrefix(tenantShardId, timelineId)}${layerName}${generationSuffix(generation)}`;
}

export function heatmapKey(tenantShardId: string): string {
  return `${tenantPrefix(tenantShardId)}heatmap-v1.json`;
}

/** The generation of an index_part key (null: not one; legacy objects without suffix are generation 0). */
export function indexGeneration(key: string): number | null {
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (name === INDEX_PART) return 0;
  const m = /^index_part\.json-([0-9a-f]{8})$/.exec(name);
  return m ? parseInt(m[1]!, 16) : null;
}

/** The newest index_part key with a generation at or below `generation`, or null. */
export function latestIndexKey(keys: string[], generation: number): { key: string; generation: number } | null {
  let best: { key: string; generation: number } | null = null;
  for (const key of keys) {
    const g = indexGeneration(key);
    if (g !== null && g <= generation && (!best || g > best.generation)) best = { key, generation: g };
  }
  return best;
}

/** Timeline ids found under a tenant's `timelines/` prefix. */
export function timelineIdsIn(keys: string[], tenantShardId: string): string[] {
  const prefix = timelinesPrefix(tenantShardId);
  const ids = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const id = key.slice(prefix.length).split('/')[0]!;
    if (isHexId(id)) ids.add(id);
  }
  return [...ids].sort();
}
