// Emulated pageserver: `pageserver -D <workdir>`, configured by the files neon_local writes there.
// So far: the management API's status and registration surface; tenants come with the data path.

import fs from 'node:fs';
import path from 'node:path';
import { parseComponentArgs } from '../common/args.ts';
import { ApiServer, Reply } from '../common/http-server.ts';
import { fatal, installLifecycle, onShutdown } from '../common/lifecycle.ts';
import { log } from '../common/logger.ts';
import { listenPgRefuser } from '../common/pg-refuser.ts';
import { writeOwnPidFile } from '../common/pid-file.ts';
import { loadSettings, type PageserverSettings } from './config.ts';
import { reAttachUntilAccepted } from './upcalls.ts';
import { utilization } from './utilization.ts';

const args = parseComponentArgs('pageserver', {
  workdir: { type: 'string', short: 'D' },
  'config-override': { type: 'string', short: 'c', multiple: true },
  'enabled-features': { type: 'boolean' },
});
installLifecycle('pageserver');

const workdir = path.resolve(args.workdir ?? '.neon');
let settings: PageserverSettings;
try {
  settings = loadSettings(workdir);
} catch (err) {
  fatal(`cannot load configuration from ${workdir}: ${(err as Error).message}`);
}
fs.mkdirSync(path.join(workdir, 'tenants'), { recursive: true });
writeOwnPidFile(path.join(workdir, 'pageserver.pid'));

let stopping = false;
onShutdown(() => {
  stopping = true;
});

const launchedAt = new Date().toISOString();
const server = new ApiServer({ headers: { PAGESERVER_LAUNCH_TIMESTAMP: launchedAt } });
server.get('/v1/status', () => ({ id: settings.id }));
server.get('/v1/utilization', () => utilization(path.join(workdir, 'tenants'), 0, 0));
server.get('/v1/tenant', () => []);
server.get('/v1/location_config', () => ({ tenant_shards: [] }));
server.get('/metrics', () => new Reply(200, `# TYPE pageserver_tenant_count gauge\npageserver_tenant_count 0\n`, 'text/plain; version=0.0.4'));

try {
  await server.listen(settings.listenHttp.host, settings.listenHttp.port);
  const pg = await listenPgRefuser(settings.listenPg.host, settings.listenPg.port, 'the page service of the emulated pageserver is not available in this version');
  onShutdown(() => new Promise<void>((resolve) => pg.close(() => resolve())));
} catch (err) {
  fatal(`cannot listen: ${(err as Error).message}`);
}
onShutdown(() => server.close());
log.info(`pageserver ${settings.id} listening`, {
  http: `${settings.listenHttp.host}:${settings.listenHttp.port}`,
  pg: `${settings.listenPg.host}:${settings.listenPg.port}`,
});

const emptyLocalDisk = fs.readdirSync(path.join(workdir, 'tenants')).length === 0;
await reAttachUntilAccepted(settings, emptyLocalDisk, () => stopping);
