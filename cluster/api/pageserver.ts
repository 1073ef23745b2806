// Wire types of the pageserver management API (neon pageserver/src/http/routes.rs,
// libs/pageserver_api/src/models.rs) used so far.

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

export interface LocationConfigListing {
  tenant_shards: [string, unknown][];
}
