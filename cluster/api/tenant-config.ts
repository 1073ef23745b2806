// Neon's per-tenant configuration (libs/pageserver_api/src/models.rs TenantConfig): every field
// optional, durations as humantime strings. Requests that carry it (tenant create, config,
// location_config) flatten it and deny unknown fields, so an unknown key is an error naming it.

import { bool, nullable, parsed, u8, u64, unknownValue, type Decoder, type PathSegment, DecodeError } from '../util/decode.ts';
import { parseDuration } from '../util/duration.ts';

const duration: Decoder<string> = parsed('a duration such as 10s or 7days', (s) => {
  parseDuration(s);
  return s;
});
const object: Decoder<unknown> = (v, path) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DecodeError(path, 'invalid type: expected a map');
  return v;
};
const nonZero: Decoder<number> = (v, path) => {
  const n = u64(v, path);
  if (n === 0) throw new DecodeError(path, 'invalid value: integer `0`, expected a nonzero u64');
  return n;
};

/** Field name → decoder for its value. */
export const TENANT_CONFIG_FIELDS: Record<string, Decoder<unknown>> = {
  checkpoint_distance: u64,
  checkpoint_timeout: duration,
  compaction_target_size: u64,
  compaction_period: duration,
  compaction_threshold: u64,
  compaction_upper_limit: u64,
  compaction_algorithm: object,
  compaction_shard_ancestor: bool,
  compaction_l0_first: bool,
  compaction_l0_semaphore: bool,
  l0_flush_delay_threshold: u64,
  l0_flush_stall_threshold: u64,
  gc_horizon: u64,
  gc_period: duration,
  image_creation_threshold: u64,
  image_layer_force_creation_period: duration,
  pitr_interval: duration,
  walreceiver_connect_timeout: duration,
  lagging_wal_timeout: duration,
  max_lsn_wal_lag: nonZero,
  eviction_policy: object,
  min_resident_size_override: u64,
  evictions_low_residence_duration_metric_threshold: duration,
  heatmap_period: duration,
  lazy_slru_download: bool,
  timeline_get_throttle: object,
  image_layer_creation_check_threshold: u8,
  image_creation_preempt_threshold: u64,
  lsn_lease_length: duration,
  lsn_lease_length_for_ts: duration,
  timeline_offloading: bool,
  rel_size_v2_enabled: bool,
  gc_compaction_enabled: bool,
  gc_compaction_verification: bool,
  gc_compaction_initial_threshold_kb: u64,
  gc_compaction_ratio_percent: u64,
  sampling_ratio: nullable(object),
  relsize_snapshot_cache_capacity: u64,
  basebackup_cache_enabled: bool,
};

export type TenantConfig = Record<string, unknown>;

export function isTenantConfigField(name: string): boolean {
  return Object.hasOwn(TENANT_CONFIG_FIELDS, name);
}

/**
 * Splits a request body into its own fields (decoded by `own`) and the flattened TenantConfig;
 * a key that is neither is refused like serde's deny_unknown_fields: "unknown field `x`".
 */
export function decodeWithTenantConfig<T>(
  body: unknown,
  ownFields: readonly string[],
  own: Decoder<T>,
  basePath: PathSegment[] = [],
): { own: T; config: TenantConfig } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new DecodeError(basePath, 'invalid type: expected a map');
  const ownPart: Record<string, unknown> = {};
  const config: TenantConfig = {};
  for (const [key, value] of Object.entries(body)) {
    const path: PathSegment[] = [...basePath, key];
    if (ownFields.includes(key)) ownPart[key] = value;
    else if (isTenantConfigField(key)) {
      if (value !== null) config[key] = TENANT_CONFIG_FIELDS[key]!(value, path);
    } else throw new DecodeError(path, `unknown field \`${key}\``);
  }
  return { own: own(ownPart, basePath), config };
}

/** A whole TenantConfig object (location_config's tenant_conf). */
export const tenantConfigDecoder: Decoder<TenantConfig> = (v, path) => decodeWithTenantConfig(v, [], unknownValue, path).config;
