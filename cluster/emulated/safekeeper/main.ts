// Emulated safekeeper, launched with the real safekeeper's command line (-D, --id, --listen-pg,
// --listen-http, --broker-endpoint, ...): the HTTP API, the WAL service on the pg port (walproposer
// protocol v3 messages, WAL streaming to pageservers) and timeline info published to the broker.

import fs from 'node:fs';
import path from 'node:path';
import { parseComponentArgs, parseListenAddr } from '../common/args.ts';
import { initFailpoints } from '../common/failpoints.ts';
import { ApiServer } from '../common/http-server.ts';
import { fatal, installLifecycle, onShutdown } from '../common/lifecycle.ts';
import { log } from '../common/logger.ts';
import { writeOwnPidFile } from '../common/pid-file.ts';
import { BrokerLink } from './broker-link.ts';
import { safekeeperRoutes } from './routes.ts';
import { TimelineRegistry } from './timelines.ts';
import { startWalService } from './wal-service/server.ts';

const args = parseComponentArgs('safekeeper', {
  datadir: { type: 'string', short: 'D' },
  id: { type: 'string' },
  'listen-pg': { type: 'string' },
  'listen-pg-tenant-only': { type: 'string' },
  'listen-http': { type: 'string' },
  'listen-https': { type: 'string' },
  'advertise-pg': { type: 'string' },
  'availability-zone': { type: 'string' },
  'broker-endpoint': { type: 'string' },
  'no-sync': { type: 'boolean' },
  'peer-recovery': { type: 'string' },
  'heartbeat-timeout': { type: 'string' },
  'remote-storage': { type: 'string' },
  'disable-wal-backup': { type: 'boolean' },
  dev: { type: 'boolean' },
});
installLifecycle('safekeeper');
initFailpoints();

const datadir = path.resolve(args.datadir ?? '.');
const id = Number(args.id);
if (!Number.isInteger(id) || id < 1) fatal(`--id is required and must be a positive integer, got ${JSON.stringify(args.id ?? null)}`);
fs.mkdirSync(datadir, { recursive: true });

// Like the real safekeeper: the id is written once, and a data dir never changes owner.
const idFile = path.join(datadir, 'safekeeper.id');
if (fs.existsSync(idFile)) {
  const stored = Number(fs.readFileSync(idFile, 'utf8').trim());
  if (stored !== id) fatal(`${idFile} says id ${stored} but --id is ${id}; this data directory belongs to another safekeeper`);
} else {
  fs.writeFileSync(idFile, `${id}\n`);
}
writeOwnPidFile(path.join(datadir, 'safekeeper.pid'));

const http = parseListenAddr('listen-http', args['listen-http'], '127.0.0.1:7676');
const pg = parseListenAddr('listen-pg', args['listen-pg'], '127.0.0.1:5454');
const registry = new TimelineRegistry(datadir, id);
await registry.loadAll();
onShutdown(() => registry.closeAll());

const broker = args['broker-endpoint']
  ? new BrokerLink(args['broker-endpoint'], registry, {
      nodeId: id,
      pgConnstr: args['advertise-pg'] ?? `${pg.host}:${pg.port}`,
      httpConnstr: `http://${http.host}:${http.port}`,
      availabilityZone: args['availability-zone'] ?? null,
    })
  : null;
registry.onAnyProgress(() => broker?.changed());

const server = new ApiServer();
safekeeperRoutes(server, id, registry, () => broker?.changed());
try {
  await server.listen(http.host, http.port);
  const wal = await startWalService(pg.host, pg.port, registry);
  onShutdown(() => wal.close());
} catch (err) {
  fatal(`cannot listen: ${(err as Error).message}`);
}
onShutdown(() => server.close());
broker?.start();
onShutdown(() => broker?.stop());
log.info(`safekeeper ${id} listening`, { http: `${http.host}:${http.port}`, pg: `${pg.host}:${pg.port}`, az: args['availability-zone'] ?? null });
