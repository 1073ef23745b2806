// Emulated safekeeper, launched with the real safekeeper's command line (-D, --id, --listen-pg,
// --listen-http, ...). So far: its HTTP status surface; the WAL service comes with the data path.

import fs from 'node:fs';
import path from 'node:path';
import { parseComponentArgs, parseListenAddr } from '../common/args.ts';
import { ApiServer, Reply } from '../common/http-server.ts';
import { fatal, installLifecycle, onShutdown } from '../common/lifecycle.ts';
import { log } from '../common/logger.ts';
import { listenPgRefuser } from '../common/pg-refuser.ts';
import { writeOwnPidFile } from '../common/pid-file.ts';

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
const server = new ApiServer();
server.get('/v1/status', () => ({ id }));
server.get('/v1/utilization', () => ({ timeline_count: 0 }));
server.get('/v1/tenant/timeline', () => []);
server.get('/metrics', () => new Reply(200, `# TYPE safekeeper_timelines gauge\nsafekeeper_timelines 0\n`, 'text/plain; version=0.0.4'));

try {
  await server.listen(http.host, http.port);
  const wal = await listenPgRefuser(pg.host, pg.port, 'the WAL service of the emulated safekeeper is not available in this version');
  onShutdown(() => new Promise<void>((resolve) => wal.close(() => resolve())));
} catch (err) {
  fatal(`cannot listen: ${(err as Error).message}`);
}
onShutdown(() => server.close());
log.info(`safekeeper ${id} listening`, { http: `${http.host}:${http.port}`, pg: `${pg.host}:${pg.port}`, az: args['availability-zone'] ?? null });
