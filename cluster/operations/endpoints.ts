// Compute endpoints, as neon_local's `endpoint` commands: create (ports, endpoint.json), start
// (wire it to the tenant's pageserver and the timeline's safekeepers, write config.json, launch),
// stop (the compute reports its last flushed LSN), reconfigure and list. Endpoints are components
// of the cluster; `running` in cluster.yaml is the desired state `neon-local start` restores.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ComputeClient } from '../clients/compute.ts';
import { computeConfigJson, endpointJson, type ComputeWiring } from '../components/compute-config.ts';
import { computeSpec, endpointDir } from '../components/kinds/compute.ts';
import { loadClusterConfig, saveClusterConfig } from '../config/cluster-file.ts';
import { requireBranch, resolveTenant } from '../config/branches.ts';
import type { ClusterConfig, EndpointConfig } from '../config/types.ts';
import { withPortAllocator } from '../ports/allocate.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { withRepoLock } from '../repo/lock.ts';
import type { StartResult } from '../supervisor/protocol.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { NeonLocalError } from '../util/errors.ts';
import { parseLsn } from '../wal/lsn.ts';
import { DEFAULT_START_TIMEOUT_MS, startComponentsLocked, stopComponentsLocked, type StartOptions } from './lifecycle.ts';
import { isComponentAlive, runningStorageController } from './running.ts';
import { DEFAULT_BRANCH } from './tenants.ts';

export const ENDPOINT_STOP_MODES = ['fast', 'immediate', 'immediate-terminate'] as const;
export type EndpointStopMode = (typeof ENDPOINT_STOP_MODES)[number];

function findEndpoint(config: ClusterConfig, id: string): EndpointConfig {
  const ep = config.endpoints.find((e) => e.id === id);
  if (ep) return ep;
  throw new NeonLocalError('not-found', `no endpoint "${id}" in this cluster`, {
    hint: config.endpoints.length ? `endpoints: ${config.endpoints.map((e) => e.id).join(', ')}` : 'create one with `neon-local endpoint create`',
  });
}

function withEndpoint(config: ClusterConfig, ep: EndpointConfig): ClusterConfig {
  return { ...config, endpoints: config.endpoints.map((e) => (e.id === ep.id ? ep : e)) };
}

async function writeEndpointFiles(layout: RepoLayout, ep: EndpointConfig): Promise<void> {
  await fsp.mkdir(endpointDir(layout, ep.id), { recursive: true });
  await writeFileAtomic(path.join(endpointDir(layout, ep.id), 'endpoint.json'), JSON.stringify(endpointJson(ep), null, 2) + '\n');
}

export interface CreateEndpointOptions {
  id?: string;
  tenantId?: string;
  branchName?: string;
  /** Read-only at this LSN (neon's Static mode). */
  lsn?: string;
  pgPort?: number;
  httpPort?: number;
  pageserverId?: number;
}

/** `endpoint create`: an endpoint on a branch, with its own ports, not started. */
export function createEndpoint(layout: RepoLayout, options: CreateEndpointOptions = {}): Promise<EndpointConfig> {
  return withRepoLock(layout, { command: 'neon-local endpoint create' }, async () => {
    const config = await loadClusterConfig(layout);
    const tenantId = resolveTenant(config, options.tenantId);
    const branchName = options.branchName ?? DEFAULT_BRANCH;
    const timelineId = requireBranch(config, tenantId, branchName);
    const id = options.id ?? `ep-${branchName.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(id)) throw new NeonLocalError('usage', `endpoint id "${id}": use letters, digits, - and _`);
    if (config.endpoints.some((e) => e.id === id)) {
      throw new NeonLocalError('conflict', `endpoint ${id} already exists`, { hint: 'give another id: `neon-local endpoint create ID ...`' });
    }
    if (options.lsn !== undefined) checkLsn(options.lsn);
    if (options.pageserverId !== undefined && !config.pageservers.some((p) => p.id === options.pageserverId)) {
      throw new NeonLocalError('not-found', `no pageserver with id ${options.pageserverId}`, { hint: `pageservers: ${config.pageservers.map((p) => p.id).join(', ')}` });
    }
    return withPortAllocator(layout.root, async (ports) => {
      const taken = (port: number, what: string) => {
        ports.claim(port, what);
        return port;
      };
      const ep: EndpointConfig = {
        id, tenantId, timelineId, branchName,
        mode: options.lsn === undefined ? { kind: 'primary' } : { kind: 'static', lsn: options.lsn.toUpperCase() },
        pgPort: options.pgPort !== undefined ? taken(options.pgPort, `${id} pg`) : await ports.next(),
        httpPort: options.httpPort !== undefined ? taken(options.httpPort, `${id} http`) : await ports.next(),
        pageserverId: options.pageserverId ?? null,
        safekeepers: null,
        safekeepersGeneration: null,
        running: false,
      };
      const next = { ...config, endpoints: [...config.endpoints, ep] };
      await saveClusterConfig(layout, next); // validates: ports must not clash with the cluster's
      await writeEndpointFiles(layout, ep);
      return ep;
    });
  });
}

function checkLsn(text: string): void {
  try {
    parseLsn(text);
  } catch {
    throw new NeonLocalError('usage', `--lsn ${text}: expected an LSN like 0/16B3748`);
  }
}

export interface EndpointWiringOptions {
  pageserverId?: number;
  safekeepers?: number[];
  safekeepersGeneration?: number;
}

/** Where the compute connects: pinned ids, else what the storage controller says. */
async function resolveWiring(layout: RepoLayout, config: ClusterConfig, ep: EndpointConfig): Promise<ComputeWiring> {
  const storcon = await runningStorageController(layout, config);
  let pageserverId = ep.pageserverId;
  if (pageserverId === null) {
    const located = await storcon.locateTenant(ep.tenantId);
    pageserverId = located.shards[0]!.node_id;
  }
  const ps = config.pageservers.find((p) => p.id === pageserverId);
  if (!ps) throw new NeonLocalError('not-found', `no pageserver with id ${pageserverId}`, { hint: `pageservers: ${config.pageservers.map((p) => p.id).join(', ')}` });

  let ids = ep.safekeepers;
  let generation = ep.safekeepersGeneration;
  if (ids === null || generation === null) {
    const placed = await storcon.locateTimeline(ep.tenantId, ep.timelineId).catch(() => null);
    ids ??= placed ? [...placed.sk_set] : config.safekeepers.map((s) => s.id);
    generation ??= placed ? placed.generation : 1;
  }
  const safekeepers = ids.map((id) => {
    const sk = config.safekeepers.find((s) => s.id === id);
    if (!sk) throw new NeonLocalError('not-found', `no safekeeper with id ${id}`, { hint: `safekeepers: ${config.safekeepers.map((s) => s.id).join(', ')}` });
    return { id, host: sk.listenAddr, port: sk.pgPort };
  });
  return { pageserver: { id: ps.id, host: ps.listenPg.host, port: ps.listenPg.port }, safekeepers, generation };
}

function pinned(ep: EndpointConfig, options: EndpointWiringOptions): EndpointConfig {
  return {
    ...ep,
    ...(options.pageserverId !== undefined ? { pageserverId: options.pageserverId } : {}),
    ...(options.safekeepers !== undefined ? { safekeepers: options.safekeepers } : {}),
    ...(options.safekeepersGeneration !== undefined ? { safekeepersGeneration: options.safekeepersGeneration } : {}),
  };
}

async function writeComputeConfig(layout: RepoLayout, ep: EndpointConfig, wiring: ComputeWiring): Promise<Record<string, unknown>> {
  const body = computeConfigJson(ep, wiring);
  await writeEndpointFiles(layout, ep);
  await writeFileAtomic(path.join(endpointDir(layout, ep.id), 'config.json'), JSON.stringify(body, null, 2) + '\n');
  return body;
}

export interface StartEndpointOptions extends EndpointWiringOptions {
  timeoutMs?: number;
  /** Allow a second running primary on the same timeline (neon_local's --allow-multiple). */
  allowMultiple?: boolean;
  attached?: boolean;
  onEvent?: StartOptions['onEvent'];
}

/** `endpoint start`: wires and launches the compute; ready once it is elected and serving. */
export function startEndpoint(layout: RepoLayout, id: string, options: StartEndpointOptions = {}): Promise<StartResult & { endpoint: EndpointConfig }> {
  return withRepoLock(layout, { command: 'neon-local endpoint start' }, () => startEndpointLocked(layout, id, options));
}

async function startEndpointLocked(layout: RepoLayout, id: string, options: StartEndpointOptions): Promise<StartResult & { endpoint: EndpointConfig }> {
  const config = await loadClusterConfig(layout);
  const ep = pinned(findEndpoint(config, id), options);
  if (await isComponentAlive(layout, ep.id)) {
    throw new NeonLocalError('conflict', `endpoint ${ep.id} is already running`, { hint: `stop it first: \`neon-local endpoint stop ${ep.id}\`` });
  }
  if (ep.mode.kind === 'primary' && !options.allowMultiple) {
    for (const other of config.endpoints) {
      if (other.id !== ep.id && other.mode.kind === 'primary' && other.timelineId === ep.timelineId && (await isComponentAlive(layout, other.id))) {
        throw new NeonLocalError('conflict', `endpoint ${other.id} is already running as the primary of timeline ${ep.timelineId}`, {
          hint: 'stop it first, or pass --allow-multiple to start a second (competing) primary',
        });
      }
    }
  }
  const wiring = await resolveWiring(layout, config, ep);
  await writeComputeConfig(layout, ep, wiring);
  await fsp.rm(path.join(endpointDir(layout, ep.id), 'pgdata'), { recursive: true, force: true });
  const result = await startComponentsLocked(layout, { components: [ep.id], timeoutMs: options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS, attached: options.attached ?? false, ...(options.onEvent ? { onEvent: options.onEvent } : {}) });
  const endpoint = { ...ep, running: true };
  await saveClusterConfig(layout, withEndpoint(await loadClusterConfig(layout), endpoint));
  return { ...result, endpoint };
}

/** After `neon-local start`: brings back the endpoints that were running. Returns failures by id. */
export async function startRunningEndpoints(layout: RepoLayout, options: Pick<StartEndpointOptions, 'timeoutMs' | 'attached' | 'onEvent'> = {}): Promise<{ started: string[]; failed: Record<string, NeonLocalError> }> {
  const config = await loadClusterConfig(layout);
  const started: string[] = [];
  const failed: Record<string, NeonLocalError> = {};
  for (const ep of config.endpoints.filter((e) => e.running)) {
    if (await isComponentAlive(layout, ep.id)) continue;
    try {
      await startEndpointLocked(layout, ep.id, { ...options, allowMultiple: true });
      started.push(ep.id);
    } catch (err) {
      failed[ep.id] = err instanceof NeonLocalError ? err : new NeonLocalError('start-failed', String(err));
    }
  }
  return { started, failed };
}

export interface StopEndpointOptions {
  mode?: EndpointStopMode;
  destroy?: boolean;
}

/** `endpoint stop`: returns the last LSN the compute had flushed to the safekeepers (null if unknown). */
export function stopEndpoint(layout: RepoLayout, id: string, options: StopEndpointOptions = {}): Promise<{ lsn: string | null; wasRunning: boolean }> {
  return withRepoLock(layout, { command: 'neon-local endpoint stop' }, async () => {
    const config = await loadClusterConfig(layout);
    const ep = findEndpoint(config, id);
    const mode = options.mode ?? 'fast';
    const wasRunning = await isComponentAlive(layout, ep.id);
    let lsn: string | null = null;
    if (wasRunning) {
      const client = new ComputeClient(computeSpec(ep, layout).httpUrl);
      lsn = await client.terminate(mode === 'fast' ? 'fast' : 'immediate').then((r) => r.lsn, () => null);
      await stopComponentsLocked(layout, { components: [ep.id], mode: mode === 'fast' ? 'fast' : 'immediate' });
    }
    const after = await loadClusterConfig(layout);
    if (options.destroy) {
      await saveClusterConfig(layout, { ...after, endpoints: after.endpoints.filter((e) => e.id !== ep.id) });
      fs.rmSync(endpointDir(layout, ep.id), { recursive: true, force: true });
    } else {
      await saveClusterConfig(layout, withEndpoint(after, { ...findEndpoint(after, ep.id), running: false }));
    }
    return { lsn, wasRunning };
  });
}

/** `endpoint reconfigure`: points a running compute at another pageserver and/or safekeeper set. */
export function reconfigureEndpoint(layout: RepoLayout, id: string, options: EndpointWiringOptions): Promise<ComputeWiring> {
  return withRepoLock(layout, { command: 'neon-local endpoint reconfigure' }, async () => {
    const config = await loadClusterConfig(layout);
    const ep = pinned(findEndpoint(config, id), options);
    if (!(await isComponentAlive(layout, ep.id))) {
      throw new NeonLocalError('not-running', `endpoint ${ep.id} is not running`, { hint: `start it: \`neon-local endpoint start ${ep.id}\`` });
    }
    const wiring = await resolveWiring(layout, config, ep);
    const body = await writeComputeConfig(layout, ep, wiring);
    await new ComputeClient(computeSpec(ep, layout).httpUrl).configure(body);
    await saveClusterConfig(layout, withEndpoint(config, ep));
    return wiring;
  });
}

/**
 * The storage controller's local compute hook (neon_local's notify-attach): every running endpoint
 * of the tenant that follows the controller (no pinned pageserver) is pointed at `pageserverId`.
 * It runs inside the storage controller while a CLI command may hold the repo lock (a `tenant
 * migrate` waiting for the migration), so it takes no lock, as Neon's does not. Returns the
 * endpoints reconfigured; throws if a running one could not be.
 */
export async function notifyEndpointsOfAttachment(layout: RepoLayout, tenantId: string, pageserverId: number): Promise<string[]> {
  const config = await loadClusterConfig(layout);
  const notified: string[] = [];
  for (const ep of config.endpoints.filter((e) => e.tenantId === tenantId && e.pageserverId === null)) {
    if (!(await isComponentAlive(layout, ep.id))) continue;
    const wiring = await resolveWiring(layout, config, { ...ep, pageserverId });
    const body = await writeComputeConfig(layout, ep, wiring);
    await new ComputeClient(computeSpec(ep, layout).httpUrl).configure(body);
    notified.push(ep.id);
  }
  return notified;
}

export interface EndpointListing {
  id: string;
  address: string;
  tenantId: string;
  timelineId: string;
  branchName: string | null;
  /** Static: its LSN; primary: the timeline's last record LSN on the pageserver (when known). */
  lsn: string | null;
  status: 'running' | 'stopped';
  mode: EndpointConfig['mode'];
}

/** `endpoint list [--tenant-id]`. */
export async function listEndpoints(layout: RepoLayout, tenantId?: string): Promise<EndpointListing[]> {
  const config = await loadClusterConfig(layout);
  const tenant = tenantId ?? config.defaultTenantId;
  const endpoints = config.endpoints.filter((e) => tenant === null || e.tenantId === tenant);
  const storcon = endpoints.length ? await runningStorageController(layout, config).catch(() => null) : null;
  return Promise.all(
    endpoints.map(async (ep): Promise<EndpointListing> => {
      let lsn: string | null = ep.mode.kind === 'static' ? ep.mode.lsn : null;
      if (lsn === null && storcon) lsn = await storcon.timeline(ep.tenantId, ep.timelineId).then((t) => t.last_record_lsn, () => null);
      return {
        id: ep.id, address: `127.0.0.1:${ep.pgPort}`, tenantId: ep.tenantId, timelineId: ep.timelineId, branchName: ep.branchName,
        lsn, status: (await isComponentAlive(layout, ep.id)) ? 'running' : 'stopped', mode: ep.mode,
      };
    }),
  );
}

/** The psql command line for an endpoint. */
export function psqlCommand(ep: Pick<EndpointConfig, 'pgPort'>): string {
  return `psql -h 127.0.0.1 -p ${ep.pgPort} -U cloud_admin postgres`;
}
