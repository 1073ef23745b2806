// Neon's per-tenant configuration (libs/pageserver_api/src/models.rs TenantConfig): every field
// optional, durations as humantime strings. Requests that carry it (tenant create, config,
// location_config) flatten it and deny unknown fields, so an unknown key is an error naming it.

import { isHexId } from './ids.ts';
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

/** `GET /v1/tenant/:id/config` on the pageserver and the storage controller. */
export interface TenantConfigResponse {
  tenant_specific_overrides: TenantConfig;
  effective_config: TenantConfig;
}

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

/**
 * Neon's built-in defaults (tenant_conf_defaults, libs/pageserver_api/src/config.rs) as the
 * pageserver reports them in `effective_config` (TenantConfigToml): every field with a default,
 * durations in humantime form; the four without one (thresholds that are off, the size override)
 * as null; basebackup_cache_enabled only when true (Neon skips it while false).
 */
export const TENANT_CONFIG_DEFAULTS: Readonly<TenantConfig> = Object.freeze({
  checkpoint_distance: 256 * 1024 * 1024,
  checkpoint_timeout: '10m',
  compaction_target_size: 128 * 1024 * 1024,
  compaction_period: '20s',
  compaction_threshold: 10,
  compaction_upper_limit: 10,
  compaction_algorithm: { kind: 'legacy' },
  compaction_shard_ancestor: true,
  compaction_l0_first: true,
  compaction_l0_semaphore: true,
  gc_horizon: 64 * 1024 * 1024,
  gc_period: '1h',
  image_creation_threshold: 3,
  pitr_interval: '7days',
  walreceiver_connect_timeout: '10s',
  lagging_wal_timeout: '10s',
  max_lsn_wal_lag: 1024 * 1024 * 1024,
  eviction_policy: { kind: 'NoEviction' },
  evictions_low_residence_duration_metric_threshold: '1day',
  heatmap_period: '0s',
  lazy_slru_download: false,
  timeline_get_throttle: { task_kinds: [], initial: 0, refill_interval: '1s', refill_amount: 0, max: 0 },
  image_layer_creation_check_threshold: 2,
  image_creation_preempt_threshold: 3,
  lsn_lease_length: '10m',
  lsn_lease_length_for_ts: '1m',
  timeline_offloading: true,
  rel_size_v2_enabled: false,
  gc_compaction_enabled: true,
  gc_compaction_verification: true,
  gc_compaction_initial_threshold_kb: 5 * 1024 * 1024,
  gc_compaction_ratio_percent: 100,
  sampling_ratio: null,
  relsize_snapshot_cache_capacity: 1000,
  l0_flush_delay_threshold: null,
  l0_flush_stall_threshold: null,
  image_layer_force_creation_period: null,
  min_resident_size_override: null,
});

/** What a tenant runs with: its overrides over the pageserver's `[tenant_config]` over the defaults. */
export function effectiveTenantConfig(overrides: TenantConfig, pageserverDefaults: TenantConfig = {}): TenantConfig {
  const effective: TenantConfig = { ...TENANT_CONFIG_DEFAULTS, ...pageserverDefaults, ...overrides };
  if (effective['basebackup_cache_enabled'] !== true) delete effective['basebackup_cache_enabled'];
  return effective;
}

/** `PUT /v1/tenant/config`: `{"tenant_id", ...TenantConfig}`; the config replaces the overrides. */
export function decodeTenantConfigRequest(body: unknown): { tenantId: string; config: TenantConfig } {
  const { own, config } = decodeWithTenantConfig(body, ['tenant_id'], tenantIdField);
  return { tenantId: own, config };
}

/** `PATCH /v1/tenant/config`: a value sets its key, `null` removes it, a missing key stays as it is. */
export function decodeTenantConfigPatch(body: unknown): { tenantId: string; set: TenantConfig; remove: string[] } {
  const { own, config } = decodeWithTenantConfig(body, ['tenant_id'], tenantIdField);
  const remove = Object.entries(body as Record<string, unknown>).filter(([k, v]) => k !== 'tenant_id' && v === null).map(([k]) => k);
  return { tenantId: own, set: config, remove };
}

/** Applies a patch to a config (a new object). */
export function patchTenantConfig(current: TenantConfig, patch: { set: TenantConfig; remove: string[] }): TenantConfig {
  const next: TenantConfig = { ...current, ...patch.set };
  for (const key of patch.remove) delete next[key];
  return next;
}

const tenantIdField: Decoder<string> = (v, path) => {
  const id = (v as Record<string, unknown>)['tenant_id'];
  if (id === undefined) throw new DecodeError(path, 'missing field `tenant_id`');
  if (typeof id !== 'string' || !isHexId(id)) throw new DecodeError([...path, 'tenant_id'], `invalid tenant id ${JSON.stringify(id)}: expected 32 lower-case hex digits`);
  return id;
};
