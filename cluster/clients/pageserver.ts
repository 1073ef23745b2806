// Typed client for a pageserver's management API.

import type { TenantConfigResponse } from '../api/tenant-config.ts';
import type { GcResult, LocationConfigListing, PageserverStatus, PageserverUtilization, TenantInfo, TimelineInfo } from '../api/pageserver.ts';
import type { FailpointConfig, FailpointStatus } from '../api/failpoints.ts';
import { JsonClient } from './http.ts';

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
  locationConfigs(): Promise<LocationConfigListing> { return this.get('/v1/location_config'); }
  tenantConfig(tenantShardId: string): Promise<TenantConfigResponse> { return this.get(`/v1/tenant/${tenantShardId}/config`); }

  /** PUT /v1/failpoints (neon's failpoints API): [{name, actions}] in the `fail` crate's syntax. */
  failpoints(list: FailpointConfig[]): Promise<null> { return this.put('/v1/failpoints', list); }
  setFailpoint(name: string, actions: string): Promise<null> { return this.failpoints([{ name, actions }]); }
  /** GET /v1/failpoints (neon-local's): what is set, and how often each was hit. */
  listFailpoints(): Promise<FailpointStatus[]> { return this.get('/v1/failpoints'); }
}
