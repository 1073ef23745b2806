// Emulated pageserver: `pageserver -D <workdir>`, configured by the files neon_local writes there.
// Re-attaches to the storage controller, then serves its tenants: the management API, the page
// service on the pg port, and a WAL receiver per timeline fed by safekeepers found via the broker.

import fs from 'node:fs';
import path from 'node:path';
import { parseComponentArgs } from '../common/args.ts';
import { initFailpoints } from '../common/failpoints.ts';
import { ApiServer, unavailable } from '../common/http-server.ts';
import { BrokerClient } from '../../clients/broker-client.ts';
import { fatal, installLifecycle, onShutdown } from '../common/lifecycle.ts';
import { log } from '../common/logger.ts';
import { writeOwnPidFile } from '../common/pid-file.ts';
import { loadSettings, type PageserverSettings } from './config.ts';
import { setPageserverTenantDefaults } from './tenants/tenant-defaults.ts';
import { reAttachUntilAccepted, validateGenerations } from './upcalls.ts';
import { DeletionQueue } from './remote/deletion-queue.ts';
import { LocalFsRemoteStorage } from './remote/local-fs.ts';
import type { RemoteStorage } from './remote/remote-storage.ts';
import { parseS3Settings } from '../../api/s3-settings.ts';
import { loadS3Sdk, S3RemoteStorage } from './remote/s3.ts';
import type { PageserverRemote } from './tenants/tenant.ts';
import { startPageService } from './page-service.ts';
import { pageserverRoutes } from './routes.ts';
import { TenantManager } from './tenants/tenant-manager.ts';

const args = parseComponentArgs('pageserver', {
  workdir: { type: 'string', short: 'D' },
  'config-override': { type: 'string', short: 'c', multiple: true },
  'enabled-features': { type: 'boolean' },
});
installLifecycle('pageserver');
initFailpoints();

const workdir = path.resolve(args.workdir ?? '.neon');
let settings: PageserverSettings;
try {
  settings = loadSettings(workdir);
} catch (err) {
  fatal(`cannot load configuration from ${workdir}: ${(err as Error).message}`);
}
setPageserverTenantDefaults(settings.tenantConfig);
fs.mkdirSync(path.join(workdir, 'tenants'), { recursive: true });
writeOwnPidFile(path.join(workdir, 'pageserver.pid'));

let stopping = false;
onShutdown(() => {
  stopping = true;
});

const launchedAt = new Date().toISOString();
const tenantsDir = path.join(workdir, 'tenants');
let tenants: TenantManager | null = null;
const server = new ApiServer({ headers: { PAGESERVER_LAUNCH_TIMESTAMP: launchedAt } });
pageserverRoutes(server, settings.id, tenantsDir, () => {
  // Tenants are served once the storage controller has told us which ones are ours (re-attach).
  if (!tenants) throw unavailable('Tenant not yet active: the pageserver is re-attaching to the storage controller');
  return tenants;
});

try {
  await server.listen(settings.listenHttp.host, settings.listenHttp.port);
} catch (err) {
  fatal(`cannot listen: ${(err as Error).message}`);
}
onShutdown(() => server.close());
log.info(`pageserver ${settings.id} listening`, {
  http: `${settings.listenHttp.host}:${settings.listenHttp.port}`,
  pg: `${settings.listenPg.host}:${settings.listenPg.port}`,
});

/** The remote storage pageserver.toml names, with its deletion queue; null without one. */
async function openRemote(s: PageserverSettings): Promise<PageserverRemote | null> {
  if (!s.remoteStorage) return null;
  let storage: RemoteStorage;
  try {
    if (s.remoteStorage.kind === 's3') {
      // The SDK is loaded only here: it would add ~100 ms to every pageserver start.
      storage = new S3RemoteStorage(await loadS3Sdk(), parseS3Settings(s.remoteStorage.table));
    } else storage = new LocalFsRemoteStorage(s.remoteStorage.path);
  } catch (err) {
    fatal(`pageserver.toml: ${(err as Error).message}`);
  }
  const deletions = new DeletionQueue(storage, (tenants) => validateGenerations(s, tenants));
  onShutdown(() => deletions.close());
  log.info(`remote storage: ${storage.description}`);
  return { storage, deletions };
}

const emptyLocalDisk = fs.readdirSync(tenantsDir).length === 0;
const answer = await reAttachUntilAccepted(settings, emptyLocalDisk, () => stopping);
if (answer) {
  const manager = new TenantManager(tenantsDir, settings.id, await openRemote(settings));
  await manager.applyReAttach(answer);
  onShutdown(() => manager.closeAll());
  try {
    const pages = await startPageService(settings.listenPg.host, settings.listenPg.port, manager, settings.waitLsnTimeoutMs);
    onShutdown(() => pages.close());
  } catch (err) {
    fatal(`cannot listen: ${(err as Error).message}`);
  }
  const subscription = new BrokerClient(settings.brokerEndpoint.replace(/\/$/, '')).subscribe((info) => manager.offer(info));
  onShutdown(() => subscription.close());
  tenants = manager;
  log.info('pageserver active', { tenants: manager.list().length });
}
