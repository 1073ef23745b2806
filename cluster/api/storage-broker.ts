// What safekeepers publish through the storage broker: neon's SafekeeperTimelineInfo
// (storage_broker/proto/broker.proto) as JSON, LSNs as "X/Y". The emulated broker relays it over
// HTTP (POST /v1/publish, GET /v1/subscribe as NDJSON) instead of gRPC; the fields are Neon's.

export interface SafekeeperTimelineInfo {
  safekeeper_id: number;
  tenant_id: string;
  timeline_id: string;
  term: number;
  last_log_term: number;
  flush_lsn: string;
  commit_lsn: string;
  backup_lsn: string;
  remote_consistent_lsn: string;
  peer_horizon_lsn: string;
  local_start_lsn: string;
  standby_horizon: string;
  /** host:port of the WAL service. */
  safekeeper_connstr: string;
  http_connstr: string;
  availability_zone: string | null;
}

export interface PublishRequest {
  infos: SafekeeperTimelineInfo[];
}
