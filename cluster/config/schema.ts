// cluster.yaml: the on-disk form of ClusterConfig. Keys follow neon_local's config names
// (listen_pg_addr, pg_port, heartbeat_interval, ...) so a Neon developer recognises them.
// `initSpecDecoder` accepts the same shape with everything optional, for `init --config FILE`.

import {
  DecodeError, array, bool, exactly, intRange, literal, nullable, optional, parsed, partialStruct, record, string, struct, tuple2, u16, u64, withDefault,
  type Decoded, type Decoder,
} from '../util/decode.ts';
import { parseLsn } from '../wal/lsn.ts';
import { BUG_SWITCHES } from '../bugs.ts';
import { parseS3Settings, type S3Settings } from '../api/s3-settings.ts';
import { tenantConfigDecoder } from '../api/tenant-config.ts';
import { formatDuration, parseDuration } from '../util/duration.ts';
import { BACKEND_NAMES, parseHostPort, formatHostPort, type ClusterConfig, type EndpointMode, type HostPort } from './types.ts';

const backend = literal(...BACKEND_NAMES);
const hostPort: Decoder<HostPort> = parsed('host:port', parseHostPort);
const duration: Decoder<number> = parsed('a duration such as 10s or 500ms', parseDuration);
const port = intRange(u16, 1, 65535);
const nodeId = intRange(u64, 1);
export const tenantIdDecoder = parsed('a tenant id of 32 lowercase hex digits', (s) => {
  if (!/^[0-9a-f]{32}$/.test(s)) throw new Error('');
  return s;
});

const brokerFields = {
  backend: withDefault(backend, 'emulated' as const),
  listen_addr: hostPort,
};
const storconFields = {
  backend: withDefault(backend, 'emulated' as const),
  listen_addr: hostPort,
  database_url: withDefault(nullable(string), null),
  heartbeat_interval: withDefault(duration, 1000),
  max_offline: withDefault(duration, 10_000),
  max_warming_up: withDefault(duration, 30_000),
};
const pageserverFields = {
  id: nodeId,
  backend: withDefault(backend, 'emulated' as const),
  listen_pg_addr: hostPort,
  listen_http_addr: hostPort,
  availability_zone: withDefault(string, 'local'),
  /** pageserver.toml's [tenant_config]: defaults for every tenant on this pageserver (a tenant's own config wins). */
  tenant_config: withDefault(nullable(tenantConfigDecoder), null),
};
const safekeeperFields = {
  id: nodeId,
  backend: withDefault(backend, 'emulated' as const),
  listen_addr: withDefault(string, '127.0.0.1'),
  pg_port: port,
  http_port: port,
};

const endpointMode: Decoder<EndpointMode> = parsed('"primary" or "static:<LSN>"', (text) => {
  if (text === 'primary') return { kind: 'primary' };
  const m = /^static:(\S+)$/.exec(text);
  if (!m) throw new Error('');
  parseLsn(m[1]!);
  return { kind: 'static', lsn: m[1]! };
});
const endpointFields = {
  id: parsed('an endpoint id (letters, digits, - and _)', (s) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(s)) throw new Error('');
    return s;
  }),
  tenant_id: tenantIdDecoder,
  timeline_id: tenantIdDecoder,
  branch_name: withDefault(nullable(string), null),
  mode: withDefault(endpointMode, { kind: 'primary' } as EndpointMode),
  pg_port: port,
  http_port: port,
  pageserver_id: withDefault(nullable(nodeId), null),
  safekeepers: withDefault(nullable(array(nodeId)), null),
  safekeepers_generation: withDefault(nullable(u64), null),
  running: withDefault(bool, false),
};

export const CLUSTER_FILE_VERSION = 1;

const branchMappingsDecoder = record(array(tuple2(tenantIdDecoder, tenantIdDecoder)));

/** `remote_storage`: null (local_fs_remote_storage/pageserver/) or pageserver.toml's S3 table. */
const s3RemoteStorage: Decoder<S3Settings> = (v, path) => {
  try {
    return parseS3Settings(v);
  } catch (err) {
    throw new DecodeError(path, `${(err as Error).message.replace(/^remote_storage\.?\s*/, '')} (an S3 table: bucket_name, bucket_region, prefix_in_bucket, endpoint, ...)`);
  }
};

const bugSwitchDecoder = literal(...(BUG_SWITCHES.map((b) => b.name) as [string, ...string[]]));

export const clusterFileDecoder = struct({
  version: exactly(CLUSTER_FILE_VERSION),
  default_tenant_id: withDefault(nullable(tenantIdDecoder), null),
  link_proxies: withDefault(bool, true),
  bug_switches: withDefault(array(bugSwitchDecoder), []),
  remote_storage: withDefault(nullable(s3RemoteStorage), null),
  storage_broker: struct(brokerFields),
  storage_controller: struct(storconFields),
  pageservers: array(struct(pageserverFields)),
  safekeepers: array(struct(safekeeperFields)),
  branch_name_mappings: withDefault(branchMappingsDecoder, {}),
  endpoints: withDefault(array(struct(endpointFields)), []),
});
export type ClusterFile = Decoded<typeof clusterFileDecoder>;

/**
 * What a user may give to `init --config FILE`: the same keys, all optional. Ports left out are
 * allocated. `branch_name_mappings` and `endpoints` are accepted so that another cluster's
 * cluster.yaml is a valid spec, but they describe that cluster's tenants and are not copied.
 */
export const initSpecDecoder = struct({
  version: optional(exactly(CLUSTER_FILE_VERSION)),
  default_tenant_id: optional(tenantIdDecoder),
  link_proxies: optional(bool),
  bug_switches: optional(array(bugSwitchDecoder)),
  remote_storage: optional(nullable(s3RemoteStorage)),
  storage_broker: optional(partialStruct(brokerFields)),
  storage_controller: optional(partialStruct(storconFields)),
  pageservers: optional(array(partialStruct(pageserverFields))),
  safekeepers: optional(array(partialStruct(safekeeperFields))),
  branch_name_mappings: optional(branchMappingsDecoder),
  endpoints: optional(array(struct(endpointFields))),
});
export type InitSpec = Decoded<typeof initSpecDecoder>;

export function fromFile(file: ClusterFile): ClusterConfig {
  return {
    version: 1,
    defaultTenantId: file.default_tenant_id,
    linkProxies: file.link_proxies,
    bugSwitches: file.bug_switches,
    remoteStorage: file.remote_storage,
    broker: { backend: file.storage_broker.backend, listen: file.storage_broker.listen_addr },
    storageController: {
      backend: file.storage_controller.backend,
      listen: file.storage_controller.listen_addr,
      databaseUrl: file.storage_controller.database_url,
      heartbeatIntervalMs: file.storage_controller.heartbeat_interval,
      maxOfflineMs: file.storage_controller.max_offline,
      maxWarmingUpMs: file.storage_controller.max_warming_up,
    },
    pageservers: file.pageservers.map((ps) => ({
      id: ps.id,
      backend: ps.backend,
      listenPg: ps.listen_pg_addr,
      listenHttp: ps.listen_http_addr,
      availabilityZone: ps.availability_zone,
      tenantConfig: ps.tenant_config,
    })),
    safekeepers: file.safekeepers.map((sk) => ({
      id: sk.id,
      backend: sk.backend,
      listenAddr: sk.listen_addr,
      pgPort: sk.pg_port,
      httpPort: sk.http_port,
    })),
    branchMappings: file.branch_name_mappings,
    endpoints: file.endpoints.map((e) => ({
      id: e.id,
      tenantId: e.tenant_id,
      timelineId: e.timeline_id,
      branchName: e.branch_name,
      mode: e.mode,
      pgPort: e.pg_port,
      httpPort: e.http_port,
      pageserverId: e.pageserver_id,
      safekeepers: e.safekeepers,
      safekeepersGeneration: e.safekeepers_generation,
      running: e.running,
    })),
  };
}

/** The plain object written to cluster.yaml. */
export function toFile(config: ClusterConfig): Record<string, unknown> {
  const sc = config.storageController;
  return {
    version: CLUSTER_FILE_VERSION,
    default_tenant_id: config.defaultTenantId,
    link_proxies: config.linkProxies,
    bug_switches: config.bugSwitches,
    remote_storage: config.remoteStorage,
    storage_broker: { backend: config.broker.backend, listen_addr: formatHostPort(config.broker.listen) },
    storage_controller: {
      backend: sc.backend,
      listen_addr: formatHostPort(sc.listen),
      database_url: sc.databaseUrl,
      heartbeat_interval: formatDuration(sc.heartbeatIntervalMs),
      max_offline: formatDuration(sc.maxOfflineMs),
      max_warming_up: formatDuration(sc.maxWarmingUpMs),
    },
    pageservers: config.pageservers.map((ps) => ({
      id: ps.id,
      backend: ps.backend,
      listen_pg_addr: formatHostPort(ps.listenPg),
      listen_http_addr: formatHostPort(ps.listenHttp),
      availability_zone: ps.availabilityZone,
      ...(ps.tenantConfig ? { tenant_config: ps.tenantConfig } : {}),
    })),
    safekeepers: config.safekeepers.map((sk) => ({
      id: sk.id,
      backend: sk.backend,
      listen_addr: sk.listenAddr,
      pg_port: sk.pgPort,
      http_port: sk.httpPort,
    })),
    branch_name_mappings: config.branchMappings,
    endpoints: config.endpoints.map((e) => ({
      id: e.id,
      tenant_id: e.tenantId,
      timeline_id: e.timelineId,
      branch_name: e.branchName,
      mode: e.mode.kind === 'primary' ? 'primary' : `static:${e.mode.lsn}`,
      pg_port: e.pgPort,
      http_port: e.httpPort,
      pageserver_id: e.pageserverId,
      safekeepers: e.safekeepers,
      safekeepers_generation: e.safekeepersGeneration,
      running: e.running,
    })),
  };
}
