// Wire types of the pageserver management API (neon pageserver/src/http/routes.rs,
// libs/pageserver_api/src/models.rs), with decoders for the bodies the emulator accepts.

import { bool, literal, nullable, optional, struct, u8, u32, u64, unknownValue, withDefault, type Decoded } from '../util/decode.ts';
import { hexIdDecoder } from './ids.ts';
import { lsnDecoder } from './safekeeper.ts';
import { tenantConfigDecoder, type TenantConfig } from './tenant-config.ts';

export interface PageserverStatus {
  id: number;
}

/** GET /v1/utilization; the storage controller's heartbeat. captured_at is RFC 3339 with millis. */
export interface PageserverUtilization {
  disk_usage_bytes: number;
  free_space_bytes: number;
  disk_wanted_bytes: number;
  disk_usable_pct: number;
  shard_count: number;
  max_shard_count: number;
  utilization_score: number | null;
  captured_at: string;
}

export const LOCATION_MODES = ['AttachedSingle', 'AttachedMulti', 'AttachedStale', 'Secondary', 'Detached'] as const;
export type LocationMode = (typeof LOCATION_MODES)[number];

/** PUT /v1/tenant/:tsid/location_config (LocationConfig flattened; deny_unknown_fields). */
export const locationConfigRequest = struct({
  mode: literal(...LOCATION_MODES),
  generation: withDefault(nullable(u32), null),
  secondary_conf: withDefault(nullable(struct({ warm: bool })), null),
  shard_number: withDefault(u8, 0),
  shard_count: withDefault(u8, 0),
  shard_stripe_size: withDefault(u32, 0),
  tenant_conf: tenantConfigDecoder,
});
export type LocationConfig = Decoded<typeof locationConfigRequest>;

export interface LocationConfigResponse {
  shards: { shard_id: string; node_id: number }[];
  stripe_size: number | null;
}

export interface LocationConfigListing {
  tenant_shards: [string, LocationConfig | null][];
}

/** POST /v1/tenant/:tsid/timeline: the mode (branch or bootstrap) follows from the fields present. */
export const timelineCreateRequest = struct(
  {
    new_timeline_id: hexIdDecoder,
    ancestor_timeline_id: optional(hexIdDecoder),
    ancestor_start_lsn: optional(lsnDecoder),
    read_only: withDefault(bool, false),
    pg_version: optional(u32),
    existing_initdb_timeline_id: optional(hexIdDecoder),
    import_pgdata: optional(unknownValue),
  },
  { denyUnknown: false },
);
export type TimelineCreateRequest = Decoded<typeof timelineCreateRequest>;

/** PUT .../do_gc: `gc_horizon` overrides the tenant's for this pass. */
export const doGcRequest = struct({ gc_horizon: withDefault(nullable(u64), null) });

/** PUT .../do_gc answers with this (neon's GcResult; elapsed in milliseconds). */
export interface GcResult {
  layers_total: number;
  layers_needed_by_cutoff: number;
  layers_needed_by_pitr: number;
  layers_needed_by_branches: number;
  layers_needed_by_leases: number;
  layers_not_updated: number;
  layers_removed: number;
  elapsed: number;
}

/** GET .../get_lsn_by_timestamp answers with this (neon's; valid_until only with a granted lease). */
export interface LsnByTimestampResponse {
  lsn: string;
  kind: 'present' | 'future' | 'past' | 'nodata';
  valid_until?: string;
}

/** neon-local's addition to TimelineInfo: how uploads to remote storage are doing (Neon shows this
 * only in metrics), so a failing remote storage is visible in status. */
export interface UploadQueueStatus {
  /** "ok", or "retrying" while uploads fail (remote_consistent_lsn then lags disk_consistent_lsn). */
  state: 'ok' | 'retrying';
  /** Uploads started and not yet finished (layers and the index). */
  pending: number;
  /** Failed attempts since the last success. */
  consecutive_failures: number;
  last_error: string | null;
  /** When the current run of failures began (RFC 3339), null while uploads succeed. */
  failing_since: string | null;
}

export type TimelineState = 'Loading' | 'Active' | 'Stopping' | { Broken: { reason: string; backtrace: string } };

export interface TimelineInfo {
  tenant_id: string;
  timeline_id: string;
  ancestor_timeline_id: string | null;
  ancestor_lsn: string | null;
  last_record_lsn: string;
  prev_record_lsn: string | null;
  applied_gc_cutoff_lsn: string;
  min_readable_lsn: string;
  disk_consistent_lsn: string;
  remote_consistent_lsn: string;
  remote_consistent_lsn_visible: string;
  initdb_lsn: string;
  current_logical_size: number;
  current_logical_size_is_accurate: boolean;
  directory_entries_counts: number[];
  current_physical_size: number | null;
  current_logical_size_non_incremental: number | null;
  pitr_history_size: number;
  within_ancestor_pitr: boolean;
  timeline_dir_layer_file_size_sum: number | null;
  wal_source_connstr: string | null;
  last_received_msg_lsn: string | null;
  last_received_msg_ts: number | null;
  pg_version: number;
  state: TimelineState;
  walreceiver_status: string;
  is_archived: boolean | null;
  rel_size_migration: string | null;
  rel_size_migrated_at: string | null;
  is_invisible: boolean | null;
  /** neon-local: null without remote storage. */
  upload_queue?: UploadQueueStatus | null;
}

export type TenantState =
  | { slug: 'Attaching' }
  | { slug: 'Activating'; data: 'Attaching' }
  | { slug: 'Active' }
  | { slug: 'Stopping' }
  | { slug: 'Broken'; data: { reason: string; backtrace: string } };

export type AttachmentStatus = { slug: 'maybe' } | { slug: 'attached' } | { slug: 'failed'; data: { reason: string } };

export interface TenantInfo {
  id: string;
  state: TenantState;
  current_physical_size: number | null;
  attachment_status: AttachmentStatus;
  generation: number;
}

/** GET /v1/tenant/:tsid/secondary/status and POST .../secondary/download (neon's SecondaryProgress). */
export interface SecondaryProgress {
  /** The remote heatmap's last-modified time (RFC 3339) as of the last download, null before one. */
  heatmap_mtime: string | null;
  layers_downloaded: number;
  layers_total: number;
  bytes_downloaded: number;
  bytes_total: number;
}

export interface TenantDetails extends TenantInfo {
  walredo: null;
  timelines: string[];
}

export type { TenantConfig };
