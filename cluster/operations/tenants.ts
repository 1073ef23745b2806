// Tenants, timelines and branch names, as neon_local's `tenant`, `timeline` and `mappings`
// commands: creation goes through the storage controller's public routes (which place the tenant
// on a pageserver and the timeline on safekeepers); names live in cluster.yaml.

import { isHexId, newHexId } from '../api/ids.ts';
import type { TimelineInfo } from '../api/pageserver.ts';
import { PageserverClient } from '../clients/pageserver.ts';
import type { TimelineSafekeepers } from '../clients/storage-controller.ts';
import { loadClusterConfig, saveClusterConfig } from '../config/cluster-file.ts';
import { branchNameOf, ensureBranchNameFree, mapBranch, requireBranch, resolveTenant } from '../config/branches.ts';
import type { ClusterConfig } from '../config/types.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { withRepoLock } from '../repo/lock.ts';
import { NeonLocalError } from '../util/errors.ts';
import { parseLsn } from '../wal/lsn.ts';
import { runningStorageController } from './running.ts';

export const DEFAULT_PG_VERSION = 17;
export const DEFAULT_BRANCH = 'main';

function checkId(value: string | undefined, flag: string): string {
  const id = value ?? newHexId();
  if (!isHexId(id)) throw new NeonLocalError('usage', `${flag} ${id}: expected 32 lowercase hex digits`, { hint: 'e.g. ' + newHexId() });
  return id;
}

function checkBranchName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/.test(name)) {
    throw new NeonLocalError('usage', `branch name "${name}": use letters, digits and - _ . /, starting with a letter or digit`);
  }
  return name;
}

export interface CreateTenantOptions {
  tenantId?: string;
  timelineId?: string;
  /** Tenant config (neon's TenantConfig fields), sent with the create request. */
  config?: Record<string, unknown>;
  pgVersion?: number;
  setDefault?: boolean;
  placementPolicy?: unknown;
}

export interface CreatedTenant {
  tenantId: string;
  timelineId: string;
  branchName: string;
  isDefault: boolean;
  pageserverId: number | null;
  generation: number | null;
  safekeepers: TimelineSafekeepers | null;
}

/** `tenant create`: the tenant, its first timeline (branch main), optionally the default tenant. */
export function createTenant(layout: RepoLayout, options: CreateTenantOptions = {}): Promise<CreatedTenant> {
  return withRepoLock(layout, { command: 'neon-local tenant create' }, async () => {
    const tenantId = checkId(options.tenantId, '--tenant-id');
    const timelineId = checkId(options.timelineId, '--timeline-id');
    let config = await loadClusterConfig(layout);
    ensureBranchNameFree(config, tenantId, DEFAULT_BRANCH);
    const storcon = await runningStorageController(layout, config);
    const created = await storcon.createTenant(tenantId, {
      ...(options.config ?? {}),
      ...(options.placementPolicy !== undefined ? { placement_policy: options.placementPolicy } : {}),
    });
    const timeline = await storcon.createTimeline(tenantId, { new_timeline_id: timelineId, pg_version: options.pgVersion ?? DEFAULT_PG_VERSION });
    config = mapBranch(config, DEFAULT_BRANCH, tenantId, timelineId);
    const isDefault = options.setDefault === true;
    if (isDefault) config = { ...config, defaultTenantId: tenantId };
    await saveClusterConfig(layout, config);
    const shard = created.shards[0];
    return {
      tenantId, timelineId, branchName: DEFAULT_BRANCH, isDefault,
      pageserverId: shard?.node_id ?? null, generation: shard?.generation ?? null, safekeepers: timeline.safekeepers ?? null,
    };
  });
}

export interface TenantConfigResult {
  tenantId: string;
  /** What the tenant now has: its overrides, and what it runs with on its pageserver. */
  overrides: Record<string, unknown>;
  effective: Record<string, unknown> | null;
  /** No pageserver holds it now (placement Detached): the next attachment gets the overrides. */
  detached: boolean;
}

/**
 * `tenant config -c k:v ...`: replaces the tenant's whole config through the storage controller
 * (neon_local's behaviour: keys left out go back to their defaults); with `patch`, changes only
 * the keys given. Unknown keys are refused by the controller, naming the key.
 */
export async function configureTenant(layout: RepoLayout, options: { tenantId?: string; config: Record<string, unknown>; patch?: boolean }): Promise<TenantConfigResult> {
  const cluster = await loadClusterConfig(layout);
  const tenantId = resolveTenant(cluster, options.tenantId);
  const storcon = await runningStorageController(layout, cluster);
  if (options.patch) await storcon.patchTenantConfig(tenantId, options.config);
  else await storcon.setTenantConfig(tenantId, options.config);
  const overrides = (await storcon.tenantConfig(tenantId)).tenant_specific_overrides;
  const detached = (await storcon.tenant(tenantId)).shards[0]?.node_attached === null;
  // What it runs with, from the pageserver holding it (null if that cannot be asked now).
  const effective = await storcon
    .locateTenant(tenantId)
    .then((located) => {
      const shard = located.shards[0]!;
      return new PageserverClient(`http://${shard.listen_http_addr}:${shard.listen_http_port}`, shard.node_id).tenantConfig(tenantId);
    })
    .then((answer) => answer.effective_config)
    .catch(() => null);
  return { tenantId, overrides, effective: detached ? null : effective, detached };
}

export interface TenantListing {
  tenantId: string;
  state: string;
  pageserverId: number | null;
  isDefault: boolean;
}

/** `tenant list`: every tenant the storage controller knows, with its state on its pageserver. */
export async function listTenants(layout: RepoLayout): Promise<TenantListing[]> {
  const config = await loadClusterConfig(layout);
  const storcon = await runningStorageController(layout, config);
  const tenants = await storcon.tenants();
  return Promise.all(
    tenants.map(async (t) => {
      const pageserverId = t.shards[0]?.node_attached ?? null;
      let state = 'Detached';
      if (pageserverId !== null) {
        state = await storcon
          .get<{ state: { slug: string } }>(`/v1/tenant/${t.tenant_id}`)
          .then((info) => info.state.slug)
          .catch(() => 'Unavailable');
      }
      return { tenantId: t.tenant_id, state, pageserverId, isDefault: t.tenant_id === config.defaultTenantId };
    }),
  );
}

/** `tenant set-default`: the tenant commands use when --tenant-id is left out. */
export function setDefaultTenant(layout: RepoLayout, tenantId: string): Promise<void> {
  return withRepoLock(layout, { command: 'neon-local tenant set-default' }, async () => {
    const id = checkId(tenantId, '--tenant-id');
    const config = await loadClusterConfig(layout);
    await saveClusterConfig(layout, { ...config, defaultTenantId: id });
  });
}

export interface CreateTimelineOptions {
  tenantId?: string;
  timelineId?: string;
  branchName: string;
  pgVersion?: number;
  /** Branch from this branch (by name) instead of bootstrapping an empty timeline. */
  ancestorBranchName?: string;
  ancestorStartLsn?: string;
}

export interface CreatedTimeline {
  tenantId: string;
  timelineId: string;
  branchName: string;
  ancestorTimelineId: string | null;
  ancestorLsn: string | null;
  lastRecordLsn: string;
}

/** `timeline create` (a new root) and `timeline branch` (a child of another branch). */
export function createTimeline(layout: RepoLayout, options: CreateTimelineOptions): Promise<CreatedTimeline> {
  const command = options.ancestorBranchName === undefined ? 'timeline create' : 'timeline branch';
  return withRepoLock(layout, { command: `neon-local ${command}` }, async () => {
    let config = await loadClusterConfig(layout);
    const tenantId = checkId(resolveTenant(config, options.tenantId), '--tenant-id');
    const timelineId = checkId(options.timelineId, '--timeline-id');
    const branchName = checkBranchName(options.branchName);
    ensureBranchNameFree(config, tenantId, branchName);
    const request: Record<string, unknown> = { new_timeline_id: timelineId };
    if (options.ancestorBranchName !== undefined) {
      request['ancestor_timeline_id'] = requireBranch(config, tenantId, options.ancestorBranchName);
      if (options.ancestorStartLsn !== undefined) request['ancestor_start_lsn'] = checkLsn(options.ancestorStartLsn, '--ancestor-start-lsn');
    } else {
      request['pg_version'] = options.pgVersion ?? DEFAULT_PG_VERSION;
    }
    const storcon = await runningStorageController(layout, config);
    const info = await storcon.createTimeline(tenantId, request);
    config = mapBranch(config, branchName, tenantId, timelineId);
    await saveClusterConfig(layout, config);
    return {
      tenantId, timelineId, branchName,
      ancestorTimelineId: info.ancestor_timeline_id, ancestorLsn: info.ancestor_lsn, lastRecordLsn: info.last_record_lsn,
    };
  });
}

function checkLsn(text: string, flag: string): string {
  try {
    parseLsn(text);
  } catch {
    throw new NeonLocalError('usage', `${flag} ${text}: expected an LSN like 0/16B3748`);
  }
  return text.toUpperCase();
}

export interface TimelineNode {
  name: string | null;
  info: TimelineInfo;
  children: TimelineNode[];
}

/** `timeline list`: the tenant's timelines as a tree by ancestry, named from the branch mappings. */
export async function timelineTree(layout: RepoLayout, tenantId?: string): Promise<{ tenantId: string; roots: TimelineNode[] }> {
  const config = await loadClusterConfig(layout);
  const tenant = resolveTenant(config, tenantId);
  const storcon = await runningStorageController(layout, config);
  const infos = await storcon.timelines(tenant);
  return { tenantId: tenant, roots: buildTree(config, tenant, infos) };
}

function buildTree(config: ClusterConfig, tenantId: string, infos: TimelineInfo[]): TimelineNode[] {
  const nodes = new Map(infos.map((info) => [info.timeline_id, { name: branchNameOf(config, tenantId, info.timeline_id), info, children: [] as TimelineNode[] }]));
  const roots: TimelineNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.info.ancestor_timeline_id ? nodes.get(node.info.ancestor_timeline_id) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const byBranchPoint = (a: TimelineNode, b: TimelineNode) => (parseLsn(a.info.ancestor_lsn ?? '0/0') - parseLsn(b.info.ancestor_lsn ?? '0/0')) || (a.name ?? '').localeCompare(b.name ?? '');
  const sort = (list: TimelineNode[]) => {
    list.sort(byBranchPoint);
    list.forEach((n) => sort(n.children));
  };
  sort(roots);
  return roots;
}

/** `mappings map`: names an existing timeline (e.g. one created through the API directly). */
export function mapBranchName(layout: RepoLayout, tenantId: string, timelineId: string, branchName: string): Promise<void> {
  return withRepoLock(layout, { command: 'neon-local mappings map' }, async () => {
    const config = await loadClusterConfig(layout);
    const next = mapBranch(config, checkBranchName(branchName), checkId(tenantId, '--tenant-id'), checkId(timelineId, '--timeline-id'));
    await saveClusterConfig(layout, next);
  });
}
