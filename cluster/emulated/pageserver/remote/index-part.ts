// index_part.json: a timeline's manifest in remote storage, written after the layers it lists are
// uploaded, so whatever index a reader finds, its layers are there. Field names as Neon's (version,
// layer_metadata {name → file_size, generation, shard}, disk_consistent_lsn, metadata_bytes,
// lineage); `metadata_bytes` carries our own encoding of the timeline metadata — the JSON of
// TimelineMeta plus the LSNs a restore needs — as bytes, where Neon has its binary struct.

import { formatLsn, parseLsn, type Lsn } from '../../../wal/lsn.ts';
import type { TimelineMeta } from '../timeline/timeline-meta.ts';

export const INDEX_PART_VERSION = 15;
/** Unsharded: Neon's ShardIndex of shard 0 of 0. */
export const UNSHARDED = '0000';

export interface LayerRemoteMetadata {
  file_size: number;
  /** The generation whose attachment uploaded the layer: part of its object key. */
  generation: number;
  shard: string;
}

export interface RemoteTimelineMetadata extends TimelineMeta {
  disk_consistent_lsn: Lsn;
  prev_record_lsn: Lsn;
  applied_gc_cutoff_lsn: Lsn;
}

export interface IndexPart {
  version: number;
  layer_metadata: Record<string, LayerRemoteMetadata>;
  /** "X/Y" */
  disk_consistent_lsn: string;
  metadata_bytes: number[];
  lineage: Record<string, unknown>;
}

export function buildIndexPart(layers: Map<string, LayerRemoteMetadata>, metadata: RemoteTimelineMetadata): IndexPart {
  return {
    version: INDEX_PART_VERSION,
    layer_metadata: Object.fromEntries([...layers].sort(([a], [b]) => (a < b ? -1 : 1))),
    disk_consistent_lsn: formatLsn(metadata.disk_consistent_lsn),
    metadata_bytes: [...Buffer.from(JSON.stringify(metadata), 'utf8')],
    lineage: {},
  };
}

export function serializeIndexPart(index: IndexPart): Buffer {
  return Buffer.from(JSON.stringify(index), 'utf8');
}

/** Parses an index_part.json; throws naming what is wrong (a corrupt object is not silently skipped). */
export function parseIndexPart(data: Buffer, key: string): { index: IndexPart; metadata: RemoteTimelineMetadata } {
  const fail = (why: string): never => {
    throw new Error(`${key}: not a usable index_part.json: ${why}`);
  };
  let index: IndexPart;
  try {
    index = JSON.parse(data.toString('utf8')) as IndexPart;
  } catch {
    return fail('not JSON');
  }
  if (typeof index !== 'object' || index === null) fail('not an object');
  if (typeof index.layer_metadata !== 'object' || index.layer_metadata === null) fail('layer_metadata missing');
  if (!Array.isArray(index.metadata_bytes)) fail('metadata_bytes missing');
  let metadata: RemoteTimelineMetadata;
  try {
    metadata = JSON.parse(Buffer.from(index.metadata_bytes).toString('utf8')) as RemoteTimelineMetadata;
  } catch {
    return fail('metadata_bytes is not the metadata neon-local writes');
  }
  if (typeof metadata.timeline_id !== 'string' || typeof metadata.disk_consistent_lsn !== 'number') fail('metadata_bytes lacks timeline_id or disk_consistent_lsn');
  if (parseLsn(index.disk_consistent_lsn) !== metadata.disk_consistent_lsn) fail('disk_consistent_lsn disagrees with metadata_bytes');
  return { index, metadata };
}
