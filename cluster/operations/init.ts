// `neon-local init`: create a repo directory with its cluster.yaml, component directories, auth
// keys and (for the embedded database) a ready storage controller database. Everything is built in
// a staging directory and moved into place at the end, so a failed init leaves nothing behind.

import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { renderClusterConfig } from '../config/cluster-file.ts';
import { initSpecDecoder, type InitSpec } from '../config/schema.ts';
import type { ClusterConfig, HostPort } from '../config/types.ts';
import { validateCluster } from '../config/validate.ts';
import { decodeYaml } from '../config/yaml-file.ts';
import { bundlePath } from '../paths.ts';
import { withPortAllocator, type PortAllocator } from '../ports/allocate.ts';
import { componentEnvironment } from '../process/environment.ts';
import { processState } from '../process/proc.ts';
import { RepoLayout } from '../repo/layout.ts';
import { withRepoLock } from '../repo/lock.ts';
import { errnoCode, NeonLocalError } from '../util/errors.ts';
import { clusterIsRunning } from './status.ts';

export type ForceMode = 'must-not-exist' | 'empty-dir-ok' | 'remove-all-contents';
export const FORCE_MODES: readonly ForceMode[] = ['must-not-exist', 'empty-dir-ok', 'remove-all-contents'];

export const DEFAULT_PAGESERVERS = 1;
export const DEFAULT_SAFEKEEPERS = 3;
const LOCALHOST = '127.0.0.1';

export interface InitOptions {
  repoDir: string;
  numPageservers?: number;
  numSafekeepers?: number;
  /** A YAML file in cluster.yaml's shape, any part optional (`init --config`). */
  configFile?: string;
  /** The same, already decoded (from code: fixtures). Ignored when configFile is given. */
  spec?: InitSpec;
  force?: ForceMode;
  /** PostgreSQL URL for the storage controller; default is the embedded database. */
  databaseUrl?: string;
  /** Lines for people about slow steps. */
  onProgress?: (line: string) => void;
}

export interface InitResult {
  layout: RepoLayout;
  config: ClusterConfig;
}

export async function initCluster(options: InitOptions): Promise<InitResult> {
  const layout = new RepoLayout(options.repoDir);
  const spec = options.configFile ? await readInitSpec(options.configFile) : options.spec;
  if (spec?.pageservers && options.numPageservers !== undefined) {
    throw new NeonLocalError('usage', '--num-pageservers conflicts with the pageservers listed in --config', { hint: 'use one or the other' });
  }
  if (spec?.safekeepers && options.numSafekeepers !== undefined) {
    throw new NeonLocalError('usage', '--num-safekeepers conflicts with the safekeepers listed in --config', { hint: 'use one or the other' });
  }
  return withRepoLock(layout, { command: 'neon-local init' }, async () => {
    await prepareTarget(layout, options.force ?? 'must-not-exist');
    await removeAbandonedStaging(layout);
    const staging = stagingDir(layout, process.pid);
    try {
      return await withPortAllocator(layout.root, async (ports) => {
        const config = await buildConfig(spec, options, ports);
        validateCluster(config, options.configFile ?? 'init options');
        await writeRepo(new RepoLayout(staging), config, options.onProgress ?? (() => {}));
        await moveIntoPlace(staging, layout.root);
        return { layout, config };
      });
    } finally {
      await fsp.rm(staging, { recursive: true, force: true });
    }
  });
}

function stagingDir(layout: RepoLayout, pid: number): string {
  return path.join(path.dirname(layout.root), `.${path.basename(layout.root)}.init-${pid}`);
}

/** Staging directories of inits that were killed midway (their pid is gone). */
async function removeAbandonedStaging(layout: RepoLayout): Promise<void> {
  const prefix = `.${path.basename(layout.root)}.init-`;
  let siblings: string[] = [];
  try {
    siblings = await fsp.readdir(path.dirname(layout.root));
  } catch {
    return;
  }
  for (const name of siblings.filter((n) => n.startsWith(prefix))) {
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && (pid === process.pid || processState(pid) !== 'alive')) {
      await fsp.rm(path.join(path.dirname(layout.root), name), { recursive: true, force: true });
    }
  }
}

async function readInitSpec(file: string): Promise<InitSpec> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    throw new NeonLocalError('usage', `cannot read --config ${file}: ${errnoCode(err) === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  return decodeYaml(text, initSpecDecoder, file, 'see `neon-local init --help` and cluster.yaml in the README for the format');
}

async function prepareTarget(layout: RepoLayout, force: ForceMode): Promise<void> {
  let entries: string[];
  try {
    entries = await fsp.readdir(layout.root);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    if (errnoCode(err) === 'ENOTDIR') throw new NeonLocalError('already-exists', `${layout.root} exists and is not a directory`);
    throw err;
  }
  if (force === 'must-not-exist') {
    throw new NeonLocalError('already-exists', `${layout.root} already exists`, {
      hint: 'use --force empty-dir-ok (if it is empty) or --force remove-all-contents to replace it, or pick another directory with --repo-dir / NEON_REPO_DIR',
    });
  }
  if (force === 'empty-dir-ok' && entries.length > 0) {
    throw new NeonLocalError('already-exists', `${layout.root} is not empty (${entries.length} entries)`, {
      hint: 'use --force remove-all-contents to replace its contents',
    });
  }
  if (force === 'remove-all-contents') {
    if (await clusterIsRunning(layout)) {
      throw new NeonLocalError('already-exists', `a cluster is running in ${layout.root}`, { hint: 'stop it first: neon-local stop' });
    }
    await Promise.all(entries.map((e) => fsp.rm(path.join(layout.root, e), { recursive: true, force: true })));
  }
}

async function buildConfig(spec: InitSpec | undefined, options: InitOptions, ports: PortAllocator): Promise<ClusterConfig> {
  const address = async (given: HostPort | undefined): Promise<HostPort> => given ?? { host: LOCALHOST, port: await ports.next() };
  // Explicit ports first, so allocation never hands them out to another component.
  for (const [i, ps] of (spec?.pageservers ?? []).entries()) {
    if (ps.listen_pg_addr) ports.claim(ps.listen_pg_addr.port, `pageservers[${i}].listen_pg_addr`);
    if (ps.listen_http_addr) ports.claim(ps.listen_http_addr.port, `pageservers[${i}].listen_http_addr`);
  }
  for (const [i, sk] of (spec?.safekeepers ?? []).entries()) {
    if (sk.pg_port) ports.claim(sk.pg_port, `safekeepers[${i}].pg_port`);
    if (sk.http_port) ports.claim(sk.http_port, `safekeepers[${i}].http_port`);
  }
  if (spec?.storage_broker?.listen_addr) ports.claim(spec.storage_broker.listen_addr.port, 'storage_broker.listen_addr');
  if (spec?.storage_controller?.listen_addr) ports.claim(spec.storage_controller.listen_addr.port, 'storage_controller.listen_addr');

  const sc = spec?.storage_controller;
  type PageserverSpec = NonNullable<InitSpec['pageservers']>[number];
  type SafekeeperSpec = NonNullable<InitSpec['safekeepers']>[number];
  const psSpecs = spec?.pageservers ?? Array.from({ length: options.numPageservers ?? DEFAULT_PAGESERVERS }, (): PageserverSpec => ({}));
  const skSpecs = spec?.safekeepers ?? Array.from({ length: options.numSafekeepers ?? DEFAULT_SAFEKEEPERS }, (): SafekeeperSpec => ({}));
  const config: ClusterConfig = {
    version: 1,
    defaultTenantId: spec?.default_tenant_id ?? null,
    linkProxies: spec?.link_proxies ?? true,
    bugSwitches: spec?.bug_switches ?? [],
    remoteStorage: spec?.remote_storage ?? null,
    broker: { backend: spec?.storage_broker?.backend ?? 'emulated', listen: await address(spec?.storage_broker?.listen_addr) },
    storageController: {
      backend: sc?.backend ?? 'emulated',
      listen: await address(sc?.listen_addr),
      databaseUrl: options.databaseUrl ?? sc?.database_url ?? null,
      heartbeatIntervalMs: sc?.heartbeat_interval ?? 1000,
      maxOfflineMs: sc?.max_offline ?? 10_000,
      maxWarmingUpMs: sc?.max_warming_up ?? 30_000,
    },
    pageservers: [],
    safekeepers: [],
    branchMappings: {},
    endpoints: [],
  };
  for (const [i, ps] of psSpecs.entries()) {
    config.pageservers.push({
      id: ps.id ?? i + 1,
      backend: ps.backend ?? 'emulated',
      listenPg: await address(ps.listen_pg_addr),
      listenHttp: await address(ps.listen_http_addr),
      availabilityZone: ps.availability_zone ?? 'local',
      tenantConfig: ps.tenant_config ?? null,
    });
  }
  for (const [i, sk] of skSpecs.entries()) {
    config.safekeepers.push({
      id: sk.id ?? i + 1,
      backend: sk.backend ?? 'emulated',
      listenAddr: sk.listen_addr ?? LOCALHOST,
      pgPort: sk.pg_port ?? (await ports.next()),
      httpPort: sk.http_port ?? (await ports.next()),
    });
  }
  return config;
}

async function writeRepo(layout: RepoLayout, config: ClusterConfig, progress: (line: string) => void): Promise<void> {
  await fsp.mkdir(layout.root, { recursive: true });
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  await fsp.writeFile(layout.privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await fsp.writeFile(layout.publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  for (const dir of [
    layout.brokerDir, layout.storageControllerDir, layout.remoteStorageDir, layout.endpointsDir, layout.runDir,
    ...config.pageservers.map((ps) => layout.pageserverDir(ps.id)),
    ...config.safekeepers.map((sk) => layout.safekeeperDir(sk.id)),
  ]) {
    await fsp.mkdir(dir, { recursive: true });
  }
  if (!config.storageController.databaseUrl) await prepareEmbeddedDatabase(layout.storageControllerDbDir, progress);
  await fsp.writeFile(layout.configFile, renderClusterConfig(config));
}

/** Runs the storage controller emulator in its one-shot mode that copies the database template. */
async function prepareEmbeddedDatabase(dir: string, progress: (line: string) => void): Promise<void> {
  const child = execa(process.execPath, [bundlePath('emulated/storage-controller'), '--prepare-embedded-database', dir], {
    env: componentEnvironment(),
    extendEnv: false,
    reject: false,
    all: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach(progress));
  const result = await child;
  if (result.exitCode !== 0) {
    throw new NeonLocalError('internal', `could not prepare the storage controller's embedded database: ${result.all?.trim().split('\n').pop() ?? `exit ${result.exitCode}`}`, {
      hint: 'pass --database-url postgresql://... to use a PostgreSQL server instead',
    });
  }
}

async function moveIntoPlace(staging: string, target: string): Promise<void> {
  if (!fs.existsSync(target)) {
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.rename(staging, target);
    return;
  }
  // The target exists and was emptied (or was empty): move the entries, cluster.yaml last, so an
  // interrupted move never leaves a cluster.yaml that points at missing pieces.
  const entries = (await fsp.readdir(staging)).sort((a, b) => Number(a === 'cluster.yaml') - Number(b === 'cluster.yaml'));
  for (const entry of entries) await fsp.rename(path.join(staging, entry), path.join(target, entry));
}
