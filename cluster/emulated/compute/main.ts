// Emulated compute endpoint, started like compute_ctl (--config config.json --connstr ...
// --external-http-port ...): a Postgres-protocol front (psql and drivers connect; docs/SQL.md), a
// walproposer that commits through a safekeeper majority, and reads from the pageserver.

import { parseComponentArgs } from '../common/args.ts';
import { failpointRoutes } from '../common/failpoint-http.ts';
import { initFailpoints } from '../common/failpoints.ts';
import { ApiServer } from '../common/http-server.ts';
import { fatal, installLifecycle, onShutdown } from '../common/lifecycle.ts';
import { log } from '../common/logger.ts';
import { Engine } from './engine/engine.ts';
import { Session } from './exec/session.ts';
import { computeRoutes } from './http-api.ts';
import { startPgServer } from './pg-wire/index.ts';
import { splitStatements } from './sql/index.ts';
import { readSpecFile, type ComputeSpec } from './spec.ts';
import { formatLsn } from '../../wal/lsn.ts';

const PG_MAJOR = 17;
const SERVER_VERSION = `${PG_MAJOR}.0 (neon-local emulated compute)`;

const args = parseComponentArgs('compute_ctl', {
  config: { type: 'string' },
  connstr: { type: 'string' },
  pgdata: { type: 'string' },
  pgbin: { type: 'string' },
  'external-http-port': { type: 'string' },
  'internal-http-port': { type: 'string' },
  'compute-id': { type: 'string' },
  'remote-ext-base-url': { type: 'string' },
  dev: { type: 'boolean' },
});
installLifecycle('compute');
initFailpoints();

if (!args.config) fatal('--config <config.json> is required');
let spec: ComputeSpec;
try {
  spec = readSpecFile(args.config);
} catch (err) {
  fatal(`cannot read the compute spec ${args.config}: ${(err as Error).message}`);
}
const pgPort = Number(/:(\d+)\//.exec(args.connstr ?? '')?.[1]);
const httpPort = Number(args['external-http-port']);
if (!pgPort || !httpPort) fatal('--connstr postgresql://user@host:PORT/db and --external-http-port are required');

const engine = new Engine({
  tenantId: spec.tenantId,
  timelineId: spec.timelineId,
  pgVersion: PG_MAJOR,
  mode: spec.mode,
  safekeepers: spec.safekeepers,
  generationsEnabled: spec.safekeepersGeneration !== null,
  pageserver: spec.pageserver,
  readTimeoutMs: 60_000,
  readyTimeoutMs: 60_000,
});

const settings = {
  get(name: string): string | undefined {
    const sks = spec.safekeepers.map((s) => `${s.host}:${s.port}`).join(',');
    const values: Record<string, string> = {
      server_version: SERVER_VERSION,
      server_version_full: `PostgreSQL ${SERVER_VERSION}`,
      server_version_num: `${PG_MAJOR}0000`,
      'neon.safekeepers': spec.safekeepersGeneration === null ? sks : `g#${spec.safekeepersGeneration}:${sks}`,
      'neon.tenant_id': spec.tenantId,
      'neon.timeline_id': spec.timelineId,
      'neon.endpoint_id': spec.endpointId,
      'neon.pageserver_connstring': `postgres://no_user@${spec.pageserver.host}:${spec.pageserver.port}`,
      transaction_isolation: 'read committed',
      server_encoding: 'UTF8',
      client_encoding: 'UTF8',
      standard_conforming_strings: 'on',
      datestyle: 'ISO, MDY',
      timezone: 'UTC',
      max_connections: '100',
    };
    return values[name];
  },
};

const startedAt = new Date().toISOString();
let terminating = false;
const http = new ApiServer();
failpointRoutes(http);
computeRoutes(http, engine, settings, {
  startedAt,
  spec: () => spec,
  applySpec(next) {
    const sameSafekeepers = JSON.stringify(next.safekeepers) === JSON.stringify(spec.safekeepers) && next.safekeepersGeneration === spec.safekeepersGeneration;
    const change = {
      ...(next.pageserver.port !== spec.pageserver.port || next.pageserver.host !== spec.pageserver.host ? { pageserver: next.pageserver } : {}),
      ...(sameSafekeepers ? {} : { safekeepers: next.safekeepers, generationsEnabled: next.safekeepersGeneration !== null }),
    };
    spec = next;
    engine.reconfigure(change);
    log.info('reconfigured', { pageserver: `${next.pageserver.host}:${next.pageserver.port}`, safekeepers: next.safekeepers.map((s) => s.port).join(',') });
  },
  async terminate(mode) {
    terminating = true;
    const lsn = await engine.stop(mode === 'fast');
    setTimeout(() => process.kill(process.pid, 'SIGTERM'), 20);
    return lsn === null ? null : formatLsn(lsn);
  },
});

try {
  await http.listen('127.0.0.1', httpPort);
  const pg = await startPgServer({
    host: '127.0.0.1',
    port: pgPort,
    serverVersion: SERVER_VERSION,
    createSession: () => new Session(engine, settings),
    splitStatements,
  });
  onShutdown(() => pg.close());
} catch (err) {
  fatal(`cannot listen: ${(err as Error).message}`);
}
onShutdown(() => http.close());
onShutdown(async () => {
  if (!terminating) await engine.stop(true);
});
engine.start();
log.info(`compute ${spec.endpointId} listening`, { pg: pgPort, http: httpPort, tenant: spec.tenantId, timeline: spec.timelineId, mode: spec.mode.kind });
