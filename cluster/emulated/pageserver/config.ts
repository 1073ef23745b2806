// The pageserver's configuration, read from its work directory exactly as the real binary reads
// it: identity.toml (id), pageserver.toml (addresses, control_plane_api, ...), metadata.json (how it
// registers). Unknown pageserver.toml keys are ignored, as in neon.

import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { NodeRegisterRequest } from '../../api/storage-controller.ts';
import { parseDuration } from '../../util/duration.ts';
import { tenantConfigDecoder, type TenantConfig } from '../../api/tenant-config.ts';

export interface PageserverSettings {
  id: number;
  workdir: string;
  listenHttp: { host: string; port: number };
  listenPg: { host: string; port: number };
  controlPlaneApi: string;
  brokerEndpoint: string;
  availabilityZone: string | null;
  registration: NodeRegisterRequest;
  /** How long a read waits for WAL to arrive (pageserver.toml wait_lsn_timeout; neon: 300s). */
  waitLsnTimeoutMs: number;
  /** pageserver.toml remote_storage: LocalFs (local_path, relative to the workdir) or S3 (bucket_name, ...); null: none. */
  remoteStorage: { kind: 'local-fs'; path: string } | { kind: 's3'; table: Record<string, unknown> } | null;
  /** pageserver.toml [tenant_config]: defaults for every tenant here, validated as tenant config. */
  tenantConfig: TenantConfig;
}

function remoteStorageOf(value: unknown, workdir: string): PageserverSettings['remoteStorage'] {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('pageserver.toml: remote_storage must be a table, e.g. { local_path = "..." }');
  const table = value as Record<string, unknown>;
  if (typeof table['local_path'] === 'string') return { kind: 'local-fs', path: path.resolve(workdir, table['local_path']) };
  if (typeof table['bucket_name'] === 'string') return { kind: 's3', table };
  throw new Error('pageserver.toml: remote_storage needs local_path (LocalFs) or bucket_name and bucket_region (S3)');
}

function readToml(file: string): Record<string, unknown> {
  try {
    return parseToml(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
}

function splitAddr(key: string, value: unknown, fallback: string): { host: string; port: number } {
  const text = typeof value === 'string' ? value : fallback;
  const m = /^(.+):(\d+)$/.exec(text);
  if (!m) throw new Error(`pageserver.toml: ${key} = "${text}" is not host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

function tenantConfigOf(value: unknown): TenantConfig {
  if (value === undefined) return {};
  try {
    return tenantConfigDecoder(value, []);
  } catch (err) {
    throw new Error(`pageserver.toml: [tenant_config]: ${(err as Error).message}`);
  }
}

export function loadSettings(workdir: string): PageserverSettings {
  const identity = readToml(path.join(workdir, 'identity.toml'));
  const id = identity['id'];
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) throw new Error(`identity.toml: id must be a positive integer, got ${JSON.stringify(id)}`);
  const conf = readToml(path.join(workdir, 'pageserver.toml'));
  const controlPlaneApi = conf['control_plane_api'];
  if (typeof controlPlaneApi !== 'string') throw new Error('pageserver.toml: control_plane_api is required (the storage controller upcall URL)');
  const metadataFile = path.join(workdir, 'metadata.json');
  const metadata = JSON.parse(fs.readFileSync(metadataFile, 'utf8')) as Record<string, unknown>;
  const availabilityZone = (metadata['availability_zone_id'] ?? conf['availability_zone'] ?? null) as string | null;
  if (!availabilityZone) throw new Error('no availability zone: set availability_zone_id in metadata.json or availability_zone in pageserver.toml');
  const listenHttp = splitAddr('listen_http_addr', conf['listen_http_addr'], '127.0.0.1:9898');
  const listenPg = splitAddr('listen_pg_addr', conf['listen_pg_addr'], '127.0.0.1:64000');
  return {
    id,
    workdir,
    listenHttp,
    listenPg,
    controlPlaneApi: controlPlaneApi.endsWith('/') ? controlPlaneApi : controlPlaneApi + '/',
    brokerEndpoint: typeof conf['broker_endpoint'] === 'string' ? conf['broker_endpoint'] : 'http://127.0.0.1:50051',
    waitLsnTimeoutMs: typeof conf['wait_lsn_timeout'] === 'string' ? parseDuration(conf['wait_lsn_timeout']) : 300_000,
    remoteStorage: remoteStorageOf(conf['remote_storage'], workdir),
    tenantConfig: tenantConfigOf(conf['tenant_config']),
    availabilityZone,
    registration: {
      node_id: id,
      listen_pg_addr: String(metadata['host']),
      listen_pg_port: Number(metadata['port']),
      listen_http_addr: String(metadata['http_host']),
      listen_http_port: Number(metadata['http_port']),
      ...(metadata['https_port'] != null ? { listen_https_port: Number(metadata['https_port']) } : {}),
      ...(metadata['grpc_host'] != null ? { listen_grpc_addr: String(metadata['grpc_host']) } : {}),
      ...(metadata['grpc_port'] != null ? { listen_grpc_port: Number(metadata['grpc_port']) } : {}),
      availability_zone_id: availabilityZone,
    },
  };
}
