// Typed client for a pageserver's management API.

import type { TenantConfigResponse } from '../api/tenant-config.ts';
import type { GcResult, LocationConfig, LocationConfigListing, LocationConfigResponse, LsnByTimestampResponse, PageserverStatus, SecondaryProgress, PageserverUtilization, TenantInfo, TimelineInfo } from '../api/pageserver.ts';
import type { FailpointConfig, FailpointStatus } from '../api/failpoints.ts';
import { JsonClient } from './http.ts';
import { metricValue } from './metrics.ts';

export class PageserverClient extends JsonClient {
  constructor(baseUrl: string, readonly id: number) {
    super(baseUrl, `pageserver ${id}`);
  }

  status(): Promise<PageserverStatus> { return this.get('/v1/status'); }
  utilization(): Promise<PageserverUtilization> { return this.get('/v1/utilization'); }
  tenants(): Promise<TenantInfo[]> { return this.get('/v1/tenant'); }
  timelines(tenantShardId: string): Promise<TimelineInfo[]> { return this.get(`/v1/tenant/${tenantShardId}/timeline`); }
  timeline(tenantShardId: string, timelineId: string): Promise<TimelineInfo> { return this.get(`/v1/tenant/${tenantShardId}/timeline/${timelineId}`); }
  gc(tenantShardId: string, timelineId: string, gcHorizon: number | null = null): Promise<GcResult> { return this.put(`/v1/tenant/${tenantShardId}/timeline/${timelineId}/do_gc`, { gc_horizon: gcHorizon }); }
  /** Flushes to a layer file; with waitUntilUploaded, also until remote storage holds it. */
  checkpoint(tenantShardId: string, timelineId: string, options: { waitUntilUploaded?: boolean } = {}): Promise<null> {
    return this.put(`/v1/tenant/${tenantShardId}/timeline/${timelineId}/checkpoint${options.waitUntilUploaded ? '?wait_until_uploaded=true' : ''}`, undefined);
  }
  /** The LSN of the commits before `timestamp` (RFC 3339, e.g. `2024-05-01T12:00:00Z`). */
  lsnByTimestamp(tenantShardId: string, timelineId: string, timestamp: string | Date): Promise<LsnByTimestampResponse> {
    const ts = typeof timestamp === 'string' ? timestamp : timestamp.toISOString();
    return this.get(`/v1/tenant/${tenantShardId}/timeline/${timelineId}/get_lsn_by_timestamp?timestamp=${encodeURIComponent(ts)}`);
  }
  locationConfigs(): Promise<LocationConfigListing> { return this.get('/v1/location_config'); }
  location(tenantShardId: string): Promise<LocationConfig> { return this.get(`/v1/location_config/${tenantShardId}`); }
  /** PUT location_config; flushMs: flush and upload first, waiting at most that long (neon's flush_ms). */
  setLocation(tenantShardId: string, conf: LocationConfig, options: { flushMs?: number } = {}): Promise<LocationConfigResponse | null> {
    return this.put(`/v1/tenant/${tenantShardId}/location_config${options.flushMs !== undefined ? `?flush_ms=${options.flushMs}` : ''}`, conf);
  }
  /** POST secondary/download: 200 when the secondary holds everything its heatmap lists, 202 while it downloads. */
  async secondaryDownload(tenantShardId: string, waitMs: number): Promise<{ complete: boolean; progress: SecondaryProgress }> {
    const res = await this.requestWithStatus<SecondaryProgress>('POST', `/v1/tenant/${tenantShardId}/secondary/download?wait_ms=${waitMs}`);
    return { complete: res.status === 200, progress: res.body };
  }
  tenantConfig(tenantShardId: string): Promise<TenantConfigResponse> { return this.get(`/v1/tenant/${tenantShardId}/config`); }

  /** A /metrics value: the sum of the samples whose labels include `labels` (0 when none). */
  metricValue(name: string, labels: Record<string, string> = {}): Promise<number> { return metricValue(this.baseUrl, name, labels); }

  /** PUT /v1/failpoints (neon's failpoints API): [{name, actions}] in the `fail` crate's syntax. */
  failpoints(list: FailpointConfig[]): Promise<null> { return this.put('/v1/failpoints', list); }
  setFailpoint(name: string, actions: string): Promise<null> { return this.failpoints([{ name, actions }]); }
  /** GET /v1/failpoints (neon-local's): what is set, and how often each was hit. */
  listFailpoints(): Promise<FailpointStatus[]> { return this.get('/v1/failpoints'); }
}
