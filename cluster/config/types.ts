// The cluster model as the harness uses it. cluster.yaml is its on-disk form (see schema.ts).

import type { S3Settings } from '../api/s3-settings.ts';

export type BackendName = 'emulated';
export const BACKEND_NAMES: readonly BackendName[] = ['emulated'];

export interface HostPort {
  host: string;
  port: number;
}

export interface BrokerConfig {
  backend: BackendName;
  listen: HostPort;
}

export interface StorageControllerConfig {
  backend: BackendName;
  listen: HostPort;
  /** A PostgreSQL URL, or null for the embedded PGlite database in storage_controller_db/. */
  databaseUrl: string | null;
  heartbeatIntervalMs: number;
  maxOfflineMs: number;
  maxWarmingUpMs: number;
}

export interface PageserverConfig {
  id: number;
  backend: BackendName;
  listenPg: HostPort;
  listenHttp: HostPort;
  availabilityZone: string;
  /** pageserver.toml [tenant_config]: tenant defaults on this pageserver; null: Neon's. */
  tenantConfig: Record<string, unknown> | null;
}

export interface SafekeeperConfig {
  id: number;
  backend: BackendName;
  listenAddr: string;
  pgPort: number;
  httpPort: number;
}

export type EndpointMode = { kind: 'primary' } | { kind: 'static'; lsn: string };

export interface EndpointConfig {
  /** Also its component name, e.g. ep-main. */
  id: string;
  tenantId: string;
  timelineId: string;
  branchName: string | null;
  mode: EndpointMode;
  pgPort: number;
  httpPort: number;
  /** Pinned pageserver; null: wherever the storage controller has the tenant. */
  pageserverId: number | null;
  /** Pinned safekeeper ids; null: the set the storage controller chose for the timeline. */
  safekeepers: number[] | null;
  safekeepersGeneration: number | null;
  /** Desired state: `start` brings up the endpoints that were running. */
  running: boolean;
}

export interface ClusterConfig {
  version: 1;
  defaultTenantId: string | null;
  /** Route component→component connections through the harness's fault proxies (default true). */
  linkProxies: boolean;
  /** Protocol violations switched on in the emulators, for testing the checker (cluster/bugs.ts). */
  bugSwitches: string[];
  /** Where pageservers keep remote storage: null for local_fs_remote_storage/pageserver/, else an
   * S3 bucket (pageserver.toml's table; credentials from AWS_* in the environment of `start`). */
  remoteStorage: S3Settings | null;
  broker: BrokerConfig;
  storageController: StorageControllerConfig;
  pageservers: PageserverConfig[];
  safekeepers: SafekeeperConfig[];
  /** neon_local's branch_name_mappings: branch name → (tenant, timeline) pairs. */
  branchMappings: Record<string, [string, string][]>;
  endpoints: EndpointConfig[];
}

export function formatHostPort(hp: HostPort): string {
  return `${hp.host}:${hp.port}`;
}

export function parseHostPort(text: string): HostPort {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new Error('host:port with a port between 1 and 65535, e.g. 127.0.0.1:9898');
  return { host: m[1]!, port };
}
