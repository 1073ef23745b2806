// Typed client for a safekeeper's HTTP API.

import type { SafekeeperStatus, SafekeeperTimelineStatus, SafekeeperUtilization } from '../api/safekeeper.ts';
import type { FailpointConfig, FailpointStatus } from '../api/failpoints.ts';
import { JsonClient } from './http.ts';

export class SafekeeperClient extends JsonClient {
  constructor(baseUrl: string, readonly id: number) {
    super(baseUrl, `safekeeper ${id}`);
  }

  status(): Promise<SafekeeperStatus> { return this.get('/v1/status'); }
  utilization(): Promise<SafekeeperUtilization> { return this.get('/v1/utilization'); }
  timeline(tenantId: string, timelineId: string): Promise<SafekeeperTimelineStatus> { return this.get(`/v1/tenant/${tenantId}/timeline/${timelineId}`); }
  timelines(): Promise<{ tenant_id: string; timeline_id: string }[]> { return this.get('/v1/tenant/timeline'); }

  /** PUT /v1/failpoints (neon's failpoints API): [{name, actions}] in the `fail` crate's syntax. */
  failpoints(list: FailpointConfig[]): Promise<null> { return this.put('/v1/failpoints', list); }
  setFailpoint(name: string, actions: string): Promise<null> { return this.failpoints([{ name, actions }]); }
  /** GET /v1/failpoints (neon-local's): what is set, and how often each was hit. */
  listFailpoints(): Promise<FailpointStatus[]> { return this.get('/v1/failpoints'); }
}
