// Wire types of the safekeeper HTTP API (neon safekeeper/src/http/routes.rs) used so far.

export interface SafekeeperStatus {
  id: number;
}

export interface SafekeeperUtilization {
  timeline_count: number;
}
