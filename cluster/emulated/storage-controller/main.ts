// Emulated storage controller: `storage_controller` with neon_local's command line. State lives in
// a real database: embedded PGlite (--embedded-database DIR, our flag) or PostgreSQL (--database-url).

import { parseDuration } from '../../util/duration.ts';
import { parseComponentArgs, parseListenAddr } from '../common/args.ts';
import { initFailpoints } from '../common/failpoints.ts';
import { ApiServer } from '../common/http-server.ts';
import { fatal, installLifecycle, onShutdown } from '../common/lifecycle.ts';
import { log } from '../common/logger.ts';
import { openDatabase, type Database } from './db/database.ts';
import { ensureEmbeddedDatabase } from './db/embedded-template.ts';
import { migrate } from './db/migrations.ts';
import { makeComputeHook } from './compute-hook.ts';
import { Heartbeater } from './heartbeater.ts';
import { Persistence } from './persistence.ts';
import { storageControllerRoutes, type ControllerState } from './routes.ts';
import { StorageControllerService } from './service.ts';
import { TenantPersistence } from './tenant-persistence.ts';
import { TenantService } from './tenant-service.ts';
import { TimelineService } from './timeline-service.ts';

const args = parseComponentArgs('storage_controller', {
  dev: { type: 'boolean' },
  'database-url': { type: 'string' },
  'embedded-database': { type: 'string' },
  'prepare-embedded-database': { type: 'string' },
  listen: { type: 'string' },
  'listen-https': { type: 'string' },
  'address-for-peers': { type: 'string' },
  'max-offline-interval': { type: 'string' },
  'max-warming-up-interval': { type: 'string' },
  'heartbeat-interval': { type: 'string' },
  'neon-local-repo-dir': { type: 'string' },
  'timelines-onto-safekeepers': { type: 'boolean' },
  'timeline-safekeeper-count': { type: 'string' },
  'use-local-compute-notifications': { type: 'boolean' },
  'control-plane-url': { type: 'string' },
  'start-as-candidate': { type: 'boolean' },
});

if (args['prepare-embedded-database']) {
  // `neon-local init` runs this once so that `start` only reopens a ready database.
  await ensureEmbeddedDatabase(args['prepare-embedded-database'], (line) => process.stdout.write(line + '\n'));
  process.exit(0);
}

installLifecycle('storage_controller');
initFailpoints();

function duration(flag: string, value: string | undefined, fallback: string): number {
  try {
    return parseDuration(value ?? fallback);
  } catch (err) {
    return fatal(`--${flag}: ${(err as Error).message}`);
  }
}

// Defaults are the real storage controller's when a flag is absent.
const maxOfflineMs = duration('max-offline-interval', args['max-offline-interval'], '30s');
const maxWarmingUpMs = duration('max-warming-up-interval', args['max-warming-up-interval'], '300s');
const heartbeatIntervalMs = duration('heartbeat-interval', args['heartbeat-interval'], '5s');
const listen = parseListenAddr('listen', args.listen, '127.0.0.1:1234');

const state: ControllerState = { service: null, tenants: null, timelines: null, ready: false };
const safekeeperCount = args['timeline-safekeeper-count'] ? Number(args['timeline-safekeeper-count']) : 3;
if (!Number.isInteger(safekeeperCount) || safekeeperCount < 1) fatal(`--timeline-safekeeper-count must be a positive integer, got ${args['timeline-safekeeper-count']}`);
const server = new ApiServer();
storageControllerRoutes(server, state);
try {
  await server.listen(listen.host, listen.port);
} catch (err) {
  fatal(`cannot listen on ${listen.host}:${listen.port}: ${(err as Error).message}`);
}
log.info(`listening on http://${listen.host}:${listen.port}`);
onShutdown(() => server.close());

let db: Database;
try {
  if (args['database-url']) db = await openDatabase({ url: args['database-url'] });
  else if (args['embedded-database']) db = await openDatabase({ embeddedDir: args['embedded-database'] });
  else fatal('no database: pass --database-url postgresql://... (or --embedded-database DIR)');
} catch (err) {
  fatal(`cannot open the database: ${(err as Error).message}`);
}
onShutdown(() => db.close());
const applied = await migrate(db);
log.info(`database ready: ${db.description}`, { migrations_applied: applied.join(',') || 'none' });

const service = new StorageControllerService(new Persistence(db), { maxOfflineMs, maxWarmingUpMs });
await service.load();
const tenantPersistence = new TenantPersistence(db);
const computeHook = makeComputeHook({ repoDir: args['neon-local-repo-dir'], controlPlaneUrl: args['control-plane-url'] });
const tenants = new TenantService(tenantPersistence, service, computeHook);
await tenants.load();
const timelines = new TimelineService(tenantPersistence, tenants, service, safekeeperCount, args['timelines-onto-safekeepers'] ?? false);
await timelines.load();
const heartbeater = new Heartbeater(service, heartbeatIntervalMs);
service.onNodeRegistered = (id) => void heartbeater.node(id);
// As the real controller does at startup, learn who is alive before declaring itself ready.
await heartbeater.round(1);
state.service = service;
state.tenants = tenants;
state.timelines = timelines;
state.ready = true;
heartbeater.start();
tenants.start();
timelines.start();
onShutdown(() => {
  heartbeater.stop();
  tenants.stop();
  timelines.stop();
});
log.info('storage controller ready', { heartbeat_interval_ms: heartbeatIntervalMs, max_offline_ms: maxOfflineMs });
