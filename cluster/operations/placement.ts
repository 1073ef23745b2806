// Where a tenant is attached, changed through the storage controller:
// - `tenant migrate`: a live migration to another pageserver (PUT /control/v1/tenant/:tsid/migrate,
//   as storcon_cli tenant-shard-migrate), then, as storcon_cli tenant-shard-watch, a wait until the
//   controller reports it attached there with nothing left to reconcile (the origin detached, the
//   computes notified);
// - `tenant policy --placement`: detach the tenant, or attach it again (PUT
//   /control/v1/tenant/:id/policy, as storcon_cli tenant-policy).

import { loadClusterConfig } from '../config/cluster-file.ts';
import { resolveTenant } from '../config/branches.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { NeonLocalError } from '../util/errors.ts';
import { PageserverClient } from '../clients/pageserver.ts';
import type { StorageControllerClient, TenantDescribeResponse } from '../clients/storage-controller.ts';
import { componentSpecs } from '../components/topology.ts';
import type { ClusterConfig } from '../config/types.ts';
import { runningStorageController } from './running.ts';

function specOfKindNamed(config: ClusterConfig, layout: RepoLayout, name: string) {
  return componentSpecs(config, layout).find((s) => s.name === name)!;
}

export interface MigrateTenantOptions {
  tenantId?: string;
  nodeId: number;
  /** Warm a secondary on the destination before cutting over (the controller's default). */
  prewarm?: boolean;
  /** Return once the migration has started. */
  noWait?: boolean;
  /** Wait only until the destination holds it AttachedSingle and the computes were told, not for
   * the origin's detach (which waits while the controller cannot reach the origin). */
  untilDestination?: boolean;
  timeoutMs?: number;
  onProgress?: (line: string) => void;
}

export interface MigrateTenantResult {
  tenantId: string;
  from: number | null;
  to: number;
  /** Null with noWait. */
  durationMs: number | null;
}

const DEFAULT_TIMEOUT_MS = 180_000;

export async function migrateTenant(layout: RepoLayout, options: MigrateTenantOptions): Promise<MigrateTenantResult> {
  const config = await loadClusterConfig(layout);
  const tenantId = resolveTenant(config, options.tenantId);
  if (!config.pageservers.some((p) => p.id === options.nodeId)) {
    throw new NeonLocalError('not-found', `no pageserver with id ${options.nodeId}`, { hint: `pageservers: ${config.pageservers.map((p) => p.id).join(', ')}` });
  }
  const storcon = await runningStorageController(layout, config);
  const before = (await storcon.tenant(tenantId)).shards[0]!;
  const started = Date.now();
  await storcon.migrateTenant(before.tenant_shard_id, options.nodeId, options.prewarm === undefined ? {} : { prewarm: options.prewarm });
  const result = { tenantId, from: before.node_attached, to: options.nodeId };
  if (options.noWait) return { ...result, durationMs: null };

  const destination = new PageserverClient(specOfKindNamed(config, layout, `ps${options.nodeId}`).httpUrl, options.nodeId);
  let lastError = '';
  await waitForShard(storcon, tenantId, started + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS), {
    async settled(shard) {
      if (shard.last_error && shard.last_error !== lastError) options.onProgress?.(`storage controller: ${shard.last_error} (retrying)`);
      lastError = shard.last_error;
      if (shard.node_attached !== options.nodeId) return false;
      if (!shard.is_reconciling) return true;
      if (!options.untilDestination || shard.is_pending_compute_notification) return false;
      return (await destination.location(shard.tenant_shard_id).catch(() => null))?.mode === 'AttachedSingle';
    },
    timedOut: (shard) => new NeonLocalError('timeout', `tenant ${tenantId} is not settled on pageserver ${options.nodeId} after ${Math.round((Date.now() - started) / 1000)} s (attached to ${shard.node_attached ?? 'none'}${lastError ? `; last error: ${lastError}` : ''})`, {
      hint: 'the controller keeps trying; see storage_controller/storage_controller.log, and `neon-local status`',
    }),
  });
  return { ...result, durationMs: Date.now() - started };
}

type Shard = TenantDescribeResponse['shards'][number];

/** Polls the controller's view of the tenant's shard until `settled` holds; past the deadline, `timedOut` says where it is. */
async function waitForShard(
  storcon: StorageControllerClient,
  tenantId: string,
  deadline: number,
  wait: { settled: (shard: Shard) => boolean | Promise<boolean>; timedOut: (shard: Shard) => NeonLocalError },
): Promise<Shard> {
  for (;;) {
    const shard = (await storcon.tenant(tenantId)).shards[0]!;
    if (await wait.settled(shard)) return shard;
    if (Date.now() > deadline) throw wait.timedOut(shard);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export type Placement = 'detached' | 'attached';

export function parsePlacement(value: string): Placement {
  const v = value.toLowerCase();
  if (v === 'detached') return 'detached';
  if (v === 'attached' || v === 'attached:0') return 'attached';
  throw new NeonLocalError('usage', `--placement ${value}: expected detached or attached (attached:0)`, { hint: 'neon-local keeps no secondaries by policy yet, so attached:N needs N = 0' });
}

/** `tenant policy --placement`: detached (its pageserver drops it; remote storage keeps it) or
 * attached (placed again in the next generation, with its config); waits until it has settled. */
export async function setTenantPlacement(layout: RepoLayout, options: { tenantId?: string; placement: Placement; timeoutMs?: number }): Promise<{ tenantId: string; pageserverId: number | null; generation: number | null }> {
  const config = await loadClusterConfig(layout);
  const tenantId = resolveTenant(config, options.tenantId);
  const storcon = await runningStorageController(layout, config);
  await storcon.setTenantPlacement(tenantId, options.placement === 'detached' ? 'Detached' : { Attached: 0 });
  const shard = await waitForShard(storcon, tenantId, Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS), {
    settled: (s) => !s.is_reconciling && (options.placement === 'detached') === (s.node_attached === null),
    timedOut: (s) => new NeonLocalError('timeout', `tenant ${tenantId} did not settle ${options.placement} (attached to ${s.node_attached ?? 'none'}${s.last_error ? `; last error: ${s.last_error}` : ''})`, { hint: 'see storage_controller/storage_controller.log' }),
  });
  const inspect = await storcon.post<{ attachment: [number, number] | null }>('/debug/v1/inspect', { tenant_shard_id: shard.tenant_shard_id });
  return { tenantId, pageserverId: shard.node_attached, generation: inspect.attachment?.[0] ?? null };
}
