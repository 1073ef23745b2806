// The files neon_local writes for an endpoint, in its formats: endpoint.json (what the endpoint is)
// and config.json (the compute spec compute_ctl starts from: which pageserver, which safekeepers).
// Real Neon tools that read a .neon directory (the storage controller's local compute hook) find
// what they expect.

import type { EndpointConfig } from '../config/types.ts';

export interface ComputeWiring {
  pageserver: { id: number; host: string; port: number };
  safekeepers: { id: number; host: string; port: number }[];
  /** Membership generation for `neon.safekeepers = 'g#N:...'`; null for the pre-membership form. */
  generation: number | null;
}

export const COMPUTE_PG_VERSION = 17;

function neonMode(ep: EndpointConfig): unknown {
  return ep.mode.kind === 'static' ? { Static: ep.mode.lsn } : 'Primary';
}

export function endpointJson(ep: EndpointConfig): Record<string, unknown> {
  return {
    endpoint_id: ep.id,
    tenant_id: ep.tenantId,
    timeline_id: ep.timelineId,
    mode: neonMode(ep),
    pg_port: ep.pgPort,
    external_http_port: ep.httpPort,
    internal_http_port: ep.httpPort,
    pg_version: COMPUTE_PG_VERSION,
    grpc: false,
    skip_pg_catalog_updates: true,
    reconfigure_concurrency: 1,
    drop_subscriptions_before_start: false,
    features: [],
    cluster: null,
    compute_ctl_config: { jwks: { keys: [] }, tls: null },
    privileged_role_name: null,
  };
}

/** config.json: `{"spec": ComputeSpec, "compute_ctl_config": ...}` as neon_local writes it (reference 5.5). */
export function computeConfigJson(ep: EndpointConfig, wiring: ComputeWiring): Record<string, unknown> {
  const libpqUrl = `postgres://no_user@${wiring.pageserver.host}:${wiring.pageserver.port}`;
  // Only a primary streams WAL; static endpoints read from the pageserver alone.
  const safekeepers = ep.mode.kind === 'primary' ? wiring.safekeepers.map((s) => `${s.host}:${s.port}`) : [];
  return {
    spec: {
      format_version: 1.0,
      operation_uuid: null,
      features: [],
      swap_size_bytes: null,
      disk_quota_bytes: null,
      disable_lfc_resizing: null,
      cluster: { cluster_id: null, name: null, state: null, roles: [], databases: [], settings: null, postgresql_conf: null },
      delta_operations: null,
      skip_pg_catalog_updates: true,
      tenant_id: ep.tenantId,
      timeline_id: ep.timelineId,
      project_id: null,
      branch_id: null,
      endpoint_id: ep.id,
      mode: neonMode(ep),
      pageserver_connection_info: {
        shard_count: 0,
        stripe_size: null,
        shards: { '0000': { pageservers: [{ id: wiring.pageserver.id, libpq_url: libpqUrl, grpc_url: null }] } },
        prefer_protocol: 'libpq',
      },
      pageserver_connstring: libpqUrl,
      safekeepers_generation: ep.mode.kind === 'primary' ? wiring.generation : null,
      safekeeper_connstrings: safekeepers,
      storage_auth_token: null,
      remote_extensions: null,
      pgbouncer_settings: null,
      shard_stripe_size: null,
      local_proxy_config: null,
      reconfigure_concurrency: 1,
      drop_subscriptions_before_start: false,
      audit_log_level: 'Disabled',
      logs_export_host: null,
    },
    compute_ctl_config: { jwks: { keys: [] }, tls: null },
  };
}
