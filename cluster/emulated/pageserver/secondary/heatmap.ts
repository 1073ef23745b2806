// The heatmap: what an attached location tells its secondaries to keep (neon-reference §2.7, Neon's
// HeatMapTenant). Stored without a generation suffix at tenants/<tsid>/heatmap-v1.json:
//
//   {"generation": 2, "upload_period_ms": 60000,
//    "timelines": [{"timeline_id": "...", "layers": [{"name": "...",
//      "metadata": {"file_size": 8192, "generation": 1, "shard": "0000"}, "access_time": 1700000000, "cold": false}]}]}
//
// A layer is listed once remote storage has it (it is in the last uploaded index), with that
// index's metadata, so a secondary can fetch <name>-<generation>. Our pageserver keeps every layer
// resident (no eviction), so every listed layer is hot, and its access time is when it was written.

import type { LayerInfo } from '../storage/layer-reader.ts';
import type { LayerRemoteMetadata } from '../remote/index-part.ts';

export interface HeatMapLayer {
  name: string;
  metadata: LayerRemoteMetadata;
  /** Unix seconds. */
  access_time: number;
  /** Secondaries do not download cold layers. */
  cold: boolean;
}

export interface HeatMapTimeline {
  timeline_id: string;
  layers: HeatMapLayer[];
}

export interface HeatMapTenant {
  /** Of the attachment that uploaded it: a hint, not needed for correctness. */
  generation: number;
  timelines: HeatMapTimeline[];
  /** The uploader's heatmap_period: how often a secondary should look again (null: not periodic). */
  upload_period_ms: number | null;
}

/**
 * One timeline's part: its local layers that remote storage holds, newest first, so a secondary
 * that is interrupted has the layers most reads need (Neon also puts cold layers and L0s last).
 */
export function heatmapTimeline(timelineId: string, local: LayerInfo[], uploaded: ReadonlyMap<string, LayerRemoteMetadata>, accessTime: (name: string) => number): HeatMapTimeline {
  const layers = local
    .filter((l) => uploaded.has(l.name))
    .sort((a, b) => b.lsnEnd - a.lsnEnd || (a.kind === b.kind ? (a.name < b.name ? -1 : 1) : a.kind === 'image' ? -1 : 1))
    .map((l) => ({ name: l.name, metadata: { ...uploaded.get(l.name)! }, access_time: Math.floor(accessTime(l.name) / 1000), cold: false }));
  return { timeline_id: timelineId, layers };
}

/** The layers a secondary downloads, and their bytes (cold layers do not count). */
export function heatmapStats(heatmap: HeatMapTenant): { layers: number; bytes: number } {
  let layers = 0;
  let bytes = 0;
  for (const t of heatmap.timelines) {
    for (const l of t.layers) {
      if (l.cold) continue;
      layers++;
      bytes += l.metadata.file_size;
    }
  }
  return { layers, bytes };
}

/** Parses a heatmap, refusing (by name) one that is not usable rather than guessing. */
export function parseHeatmap(data: Buffer, key: string): HeatMapTenant {
  const fail = (why: string): never => {
    throw new Error(`${key}: not a usable heatmap: ${why}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString('utf8'));
  } catch {
    return fail('not JSON');
  }
  const h = raw as Partial<HeatMapTenant> | null;
  if (typeof h !== 'object' || h === null) return fail('not an object');
  if (!Number.isSafeInteger(h.generation)) fail('generation missing');
  if (!Array.isArray(h.timelines)) fail('timelines missing');
  for (const t of h.timelines!) {
    if (typeof t?.timeline_id !== 'string' || !Array.isArray(t.layers)) fail('a timeline without timeline_id or layers');
    for (const l of t.layers) {
      if (typeof l?.name !== 'string' || !Number.isSafeInteger(l.metadata?.file_size) || !Number.isSafeInteger(l.metadata?.generation)) fail(`a layer of timeline ${t.timeline_id} without name, file_size or generation`);
    }
  }
  return {
    generation: h.generation!,
    // `cold` arrived later in Neon's format and defaults to false there too.
    timelines: h.timelines!.map((t) => ({ timeline_id: t.timeline_id, layers: t.layers.map((l) => ({ ...l, cold: l.cold === true })) })),
    upload_period_ms: typeof h.upload_period_ms === 'number' ? h.upload_period_ms : null,
  };
}
