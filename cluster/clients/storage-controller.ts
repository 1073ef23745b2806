// Typed client for the storage controller's HTTP API.

import type { TenantConfigResponse } from '../api/tenant-config.ts';
import type {
  NodeConfigureRequest, NodeDescribeResponse, NodeRegisterRequest, SafekeeperDescribeResponse,
  SafekeeperSchedulingPolicy, SafekeeperUpsertRequest,
} from '../api/storage-controller.ts';
import type { TimelineInfo } from '../api/pageserver.ts';
import type { FailpointConfig, FailpointStatus } from '../api/failpoints.ts';
import { JsonClient } from './http.ts';

export interface TimelineSafekeepers {
  tenant_id: string;
  timeline_id: string;
  generation: number;
  safekeepers: { id: number; hostname: string | null }[];
}

export interface TenantLocateResponse {
  shards: { shard_id: string; node_id: number; listen_pg_addr: string; listen_pg_port: number; listen_http_addr: string; listen_http_port: number }[];
  shard_params: { count: number; stripe_size: number };
}

export interface TenantDescribeResponse {
  tenant_id: string;
  shards: { tenant_shard_id: string; node_attached: number | null; node_secondary: number[]; last_error: string; is_reconciling: boolean; is_pending_compute_notification: boolean }[];
  policy: unknown;
  config: Record<string, unknown>;
}

export class StorageControllerClient extends JsonClient {
  constructor(baseUrl: string) {
    super(baseUrl, 'storage controller');
  }

  status(): Promise<null> { return this.get('/status'); }
  ready(): Promise<null> { return this.get('/ready'); }

  nodes(): Promise<NodeDescribeResponse[]> { return this.get('/control/v1/node'); }
  node(id: number): Promise<NodeDescribeResponse> { return this.get(`/control/v1/node/${id}`); }
  registerNode(request: NodeRegisterRequest): Promise<null> { return this.post('/control/v1/node', request); }
  configureNode(request: NodeConfigureRequest): Promise<null> { return this.put(`/control/v1/node/${request.node_id}/config`, request); }

  createTenant(tenantId: string, config: Record<string, unknown> = {}): Promise<{ shards: { shard_id: string; node_id: number; generation: number }[] }> {
    return this.post('/v1/tenant', { new_tenant_id: tenantId, ...config });
  }
  createTimeline(tenantId: string, request: Record<string, unknown>): Promise<TimelineInfo & { safekeepers: TimelineSafekeepers | null }> {
    return this.post(`/v1/tenant/${tenantId}/timeline`, request);
  }
  /** PUT /v1/tenant/config: replaces the tenant's config overrides. */
  setTenantConfig(tenantId: string, config: Record<string, unknown>): Promise<null> { return this.put('/v1/tenant/config', { tenant_id: tenantId, ...config }); }
  /** PATCH /v1/tenant/config: a value sets a key, null removes it. */
  patchTenantConfig(tenantId: string, patch: Record<string, unknown>): Promise<null> { return this.patch('/v1/tenant/config', { tenant_id: tenantId, ...patch }); }
  tenantConfig(tenantId: string): Promise<TenantConfigResponse> { return this.get(`/v1/tenant/${tenantId}/config`); }
  /** PUT /control/v1/tenant/:tsid/migrate: starts a live migration (watch `tenant()` for its end). */
  migrateTenant(tenantShardId: string, nodeId: number, config: { prewarm?: boolean; override_scheduler?: boolean; secondary_warmup_timeout?: string } = {}): Promise<Record<string, never>> {
    return this.put(`/control/v1/tenant/${tenantShardId}/migrate`, { node_id: nodeId, migration_config: config });
  }
  /** PUT /control/v1/tenant/:id/policy: placement "Detached" or {"Attached": 0}. */
  setTenantPlacement(tenantId: string, placement: 'Detached' | { Attached: number }): Promise<null> {
    return this.put(`/control/v1/tenant/${tenantId}/policy`, { placement, scheduling: null });
  }
  tenants(): Promise<TenantDescribeResponse[]> { return this.get('/control/v1/tenant'); }
  tenant(tenantId: string): Promise<TenantDescribeResponse> { return this.get(`/control/v1/tenant/${tenantId}`); }
  timelines(tenantId: string): Promise<TimelineInfo[]> { return this.get(`/v1/tenant/${tenantId}/timeline`); }
  timeline(tenantId: string, timelineId: string): Promise<TimelineInfo> { return this.get(`/v1/tenant/${tenantId}/timeline/${timelineId}`); }
  locateTenant(tenantId: string): Promise<TenantLocateResponse> { return this.get(`/debug/v1/tenant/${tenantId}/locate`); }
  locateTimeline(tenantId: string, timelineId: string): Promise<{ generation: number; sk_set: number[]; new_sk_set: number[] | null }> {
    return this.get(`/debug/v1/tenant/${tenantId}/timeline/${timelineId}/locate`);
  }

  safekeepers(): Promise<SafekeeperDescribeResponse[]> { return this.get('/control/v1/safekeeper'); }
  safekeeper(id: number): Promise<SafekeeperDescribeResponse> { return this.get(`/control/v1/safekeeper/${id}`); }
  upsertSafekeeper(request: SafekeeperUpsertRequest): Promise<null> { return this.post(`/control/v1/safekeeper/${request.id}`, request); }
  setSafekeeperSchedulingPolicy(id: number, policy: SafekeeperSchedulingPolicy): Promise<null> {
    return this.post(`/control/v1/safekeeper/${id}/scheduling_policy`, { scheduling_policy: policy });
  }

  /** PUT /debug/v1/failpoints (neon's failpoints API): [{name, actions}] in the `fail` crate's syntax. */
  failpoints(list: FailpointConfig[]): Promise<null> { return this.put('/debug/v1/failpoints', list); }
  setFailpoint(name: string, actions: string): Promise<null> { return this.failpoints([{ name, actions }]); }
  /** GET /debug/v1/failpoints (neon-local's): what is set, and how often each was hit. */
  listFailpoints(): Promise<FailpointStatus[]> { return this.get('/debug/v1/failpoints'); }
}
