// A pageserver: `pageserver -D <dir>`, configured through the three files neon_local writes into
// its directory (identity.toml, pageserver.toml, metadata.json). They are regenerated from
// cluster.yaml before every launch, so cluster.yaml stays the one place to change a port.

import path from 'node:path';
import { stringify as toToml } from 'smol-toml';
import { formatHostPort, type ClusterConfig, type PageserverConfig } from '../../config/types.ts';
import type { RepoLayout } from '../../repo/layout.ts';
import type { ComponentSpec } from '../spec.ts';
import { brokerUrl } from './storage-broker.ts';
import { controlPlaneApi } from './storage-controller.ts';

/** metadata.json: how the pageserver describes itself when it registers with the storage controller. */
export function pageserverMetadata(ps: PageserverConfig): Record<string, unknown> {
  return {
    host: ps.listenPg.host,
    port: ps.listenPg.port,
    grpc_host: null,
    grpc_port: null,
    http_host: ps.listenHttp.host,
    http_port: ps.listenHttp.port,
    https_port: null,
    availability_zone_id: ps.availabilityZone,
  };
}

function tenantConfigTable(conf: Record<string, unknown>): { tenant_config?: Record<string, unknown> } {
  const set = Object.fromEntries(Object.entries(conf).filter(([, v]) => v !== null));
  return Object.keys(set).length ? { tenant_config: set } : {};
}

function pageserverToml(config: ClusterConfig, ps: PageserverConfig, layout: RepoLayout): string {
  return toToml({
    broker_endpoint: brokerUrl(config),
    control_plane_api: controlPlaneApi(config),
    listen_pg_addr: formatHostPort(ps.listenPg),
    listen_http_addr: formatHostPort(ps.listenHttp),
    pg_auth_type: 'Trust',
    http_auth_type: 'Trust',
    grpc_auth_type: 'Trust',
    availability_zone: ps.availabilityZone,
    // Every pageserver shares one remote storage, as in Neon: that is what relocation relies on.
    remote_storage: config.remoteStorage ?? { local_path: path.relative(layout.pageserverDir(ps.id), layout.remoteStorageDir) },
    // TOML has no null: a null value is an unset key, which is what Neon reads from absence.
    ...(ps.tenantConfig ? tenantConfigTable(ps.tenantConfig) : {}),
  }) + '\n';
}

export function pageserverSpec(config: ClusterConfig, ps: PageserverConfig, layout: RepoLayout): ComponentSpec {
  const dir = layout.pageserverDir(ps.id);
  const httpUrl = `http://${formatHostPort(ps.listenHttp)}`;
  return {
    name: `ps${ps.id}`,
    kind: 'pageserver',
    id: ps.id,
    displayName: `pageserver ${ps.id}`,
    backend: ps.backend,
    program: 'pageserver',
    args: ['-D', dir],
    env: {},
    workDir: dir,
    logFile: path.join(dir, 'pageserver.log'),
    pidFile: null,
    ports: [
      { name: 'pg', ...ps.listenPg },
      { name: 'http', ...ps.listenHttp },
    ],
    httpUrl,
    probe: { url: `${httpUrl}/v1/status`, httpErrorIsFatal: true },
    stopGroup: 1,
    files: [
      { path: path.join(dir, 'identity.toml'), content: `id = ${ps.id}\n` },
      { path: path.join(dir, 'pageserver.toml'), content: pageserverToml(config, ps, layout) },
      { path: path.join(dir, 'metadata.json'), content: JSON.stringify(pageserverMetadata(ps)) + '\n' },
    ],
  };
}
