// Typed client for a safekeeper's HTTP API.

import type { SafekeeperStatus, SafekeeperTimelineStatus, SafekeeperUtilization } from '../api/safekeeper.ts';
import { JsonClient } from './http.ts';

export class SafekeeperClient extends JsonClient {
  constructor(baseUrl: string, readonly id: number) {
    super(baseUrl, `safekeeper ${id}`);
  }

  status(): Promise<SafekeeperStatus> { return this.get('/v1/status'); }
  utilization(): Promise<SafekeeperUtilization> { return this.get('/v1/utilization'); }
  timeline(tenantId: string, timelineId: string): Promise<SafekeeperTimelineStatus> { return this.get(`/v1/tenant/${tenantId}/timeline/${timelineId}`); }
  timelines(): Promise<{ tenant_id: string; timeline_id: string }[]> { return this.get('/v1/tenant/timeline'); }
}
