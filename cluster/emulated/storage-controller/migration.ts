// A live migration of a tenant shard between pageservers (neon reconciler.rs live_migrate, seed
// 000). Generations keep it safe at every step: the origin is first told it is stale (it keeps
// serving reads, flushes and uploads, but may no longer delete), the destination attaches in a
// new generation next to it (AttachedMulti) and catches up with the WAL, the compute is pointed
// at the destination, and only then does the origin step down (Secondary, then Detached) and the
// destination become the single attachment. If a step fails after the new generation was issued,
// the shard is left to the tenant service's reconcile loop, which finishes what is missing
// (attach the destination, notify the compute, detach the origin).

import { formatTenantShardId } from '../../api/ids.ts';
import type { LocationConfig } from '../../api/pageserver.ts';
import type { PageserverClient } from '../../clients/pageserver.ts';
import { formatLsn, parseLsn } from '../../wal/lsn.ts';
import { log } from '../common/logger.ts';
import type { TenantPersistence, TenantShardRecord } from './tenant-persistence.ts';
import type { MigrateRequest, ShardState } from './tenant-service.ts';

/** Neon's flush_ms for the origin's AttachedStale call. */
const ORIGIN_FLUSH_MS = 10_000;
const CATCH_UP_TIMEOUT_MS = 60_000;
const SECONDARY_DOWNLOAD_POLL_MS = 5000;

export interface MigrationOptions {
  destination: number;
  /** Warm a secondary on the destination first, so the attachment there serves reads at once. */
  prewarm: boolean;
  secondaryWarmupTimeoutMs: number;
}

/** What a running migration needs from the tenant service. */
export interface MigrationContext {
  record(): TenantShardRecord;
  setRecord(record: TenantShardRecord): void;
  pageserver(nodeId: number): PageserverClient;
  persistence: TenantPersistence;
  /** Points the tenant's computes at the destination; throws if one could not be told. */
  notifyCompute(): Promise<void>;
  phase(name: string): void;
}

/** What the tenant service lends a migration of one of its shards. */
export interface MigrationHost {
  pageserver(nodeId: number): PageserverClient;
  persistence: TenantPersistence;
  notifyCompute(): Promise<void>;
  /** The shard's reconcile pass, run once the migration ends (it finishes what a failure left). */
  reconcile(): Promise<void>;
}

/**
 * Runs a checked migration request in the background, keeping the shard's state current: the
 * phase while it runs; after the new generation, an unconfirmed attachment, computes to tell and
 * the origin to detach; on failure the error, for the reconcile loop to finish from.
 */
export function startMigration(state: ShardState, req: MigrateRequest, host: MigrationHost): void {
  const tsid = formatTenantShardId(state.record);
  const origin = state.record.generationPageserver;
  state.migration = { destination: req.nodeId, phase: 'starting' };
  const ctx: MigrationContext = {
    record: () => state.record,
    setRecord: (record) => {
      state.record = record;
      state.attached = false;
      state.pendingComputeNotification = true;
      if (origin !== null && origin !== record.generationPageserver) state.formerNodes.add(origin);
    },
    pageserver: (nodeId) => host.pageserver(nodeId),
    persistence: host.persistence,
    notifyCompute: () => host.notifyCompute(),
    phase: (name) => {
      state.migration = { destination: req.nodeId, phase: name };
      log.info(`migration of ${tsid} to pageserver ${req.nodeId}: ${name}`);
    },
  };
  void liveMigrate(ctx, { destination: req.nodeId, prewarm: req.prewarm, secondaryWarmupTimeoutMs: req.secondaryWarmupTimeoutMs }).then(
    () => {
      state.attached = true;
      state.lastError = '';
    },
    (err: Error) => {
      // Wherever the record now points (the origin, or the destination in the new generation),
      // the reconcile loop attaches it again; a secondary left on the destination goes.
      state.attached = false;
      if (state.record.generationPageserver !== req.nodeId) state.formerNodes.add(req.nodeId);
      state.lastError = `migration to pageserver ${req.nodeId}: ${err.message}`;
      log.warn(`migration of ${tsid} failed; the reconcile loop finishes it`, { error: err.message });
    },
  ).finally(() => {
    state.migration = null;
    void host.reconcile().catch(() => {}); // detach the origin now rather than on the next tick
  });
}

export function locationFor(r: TenantShardRecord, mode: LocationConfig['mode'], generation: number | null): LocationConfig {
  return {
    mode,
    generation,
    secondary_conf: mode === 'Secondary' ? { warm: true } : null,
    shard_number: r.shardNumber,
    shard_count: r.shardCount,
    shard_stripe_size: r.stripeSize,
    tenant_conf: r.config,
  };
}

/**
 * Runs the sequence up to the destination's AttachedSingle; the caller then detaches the origin
 * (Attached(0) keeps no secondary). Throws on a failure the reconcile loop must finish.
 */
export async function liveMigrate(ctx: MigrationContext, options: MigrationOptions): Promise<void> {
  const start = ctx.record();
  const tsid = formatTenantShardId(start);
  const origin = start.generationPageserver;
  const dest = ctx.pageserver(options.destination);

  if (options.prewarm) {
    ctx.phase('warming a secondary on the destination');
    // The secondary downloads what the origin's heatmap lists: have the origin upload a fresh one.
    if (start.generationPageserver !== null) {
      await ctx.pageserver(start.generationPageserver).post(`/v1/tenant/${tsid}/heatmap_upload`).catch((err: Error) => {
        log.warn(`migration of ${tsid}: the origin did not upload a heatmap; the destination warms from an older one, if any`, { error: err.message });
      });
    }
    await dest.setLocation(tsid, locationFor(start, 'Secondary', null));
    await warmSecondary(dest, tsid, options.secondaryWarmupTimeoutMs);
  }

  // The origin goes stale: it flushes and uploads, so the destination starts from a recent index.
  // An unreachable origin does not stop the migration (that is what migrations are for).
  let baseline = new Map<string, number>();
  if (origin !== null) {
    ctx.phase('origin AttachedStale');
    const originPs = ctx.pageserver(origin);
    try {
      await originPs.setLocation(tsid, locationFor(start, 'AttachedStale', start.generation), { flushMs: ORIGIN_FLUSH_MS });
      baseline = new Map((await originPs.timelines(tsid)).map((t) => [t.timeline_id, parseLsn(t.last_record_lsn)]));
    } catch (err) {
      log.warn(`migration of ${tsid}: origin pageserver ${origin} unreachable; going on without it`, { error: (err as Error).message });
    }
  }

  // The new generation exists in the database before any pageserver hears of it.
  ctx.phase('new generation');
  const generation = (start.generation ?? 0) + 1;
  const moved = await ctx.persistence.setAttachment(start.tenantId, options.destination, generation, start.placementPolicy);
  ctx.setRecord(moved);
  log.info(`migration of ${tsid}: generation ${generation} issued to pageserver ${options.destination} (from ${origin ?? 'none'})`);

  ctx.phase('destination AttachedMulti');
  await dest.setLocation(tsid, locationFor(moved, 'AttachedMulti', generation));

  ctx.phase('destination catching up');
  await waitCaughtUp(dest, tsid, baseline);

  ctx.phase('notifying the compute');
  await ctx.notifyCompute();

  if (origin !== null) {
    ctx.phase('origin Secondary');
    await ctx.pageserver(origin).setLocation(tsid, locationFor(moved, 'Secondary', null)).catch((err: Error) => {
      log.warn(`migration of ${tsid}: origin ${origin} did not step down to Secondary`, { error: err.message });
    });
  }

  ctx.phase('destination AttachedSingle');
  await dest.setLocation(tsid, locationFor(moved, 'AttachedSingle', generation));
}

/** Every timeline on the destination has ingested at least what the origin had. */
async function waitCaughtUp(dest: PageserverClient, tsid: string, baseline: Map<string, number>): Promise<void> {
  const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
  for (;;) {
    const behind: string[] = [];
    const have = new Map((await dest.timelines(tsid)).map((t) => [t.timeline_id, parseLsn(t.last_record_lsn)]));
    for (const [tl, lsn] of baseline) {
      const at = have.get(tl);
      if (at === undefined || at < lsn) behind.push(`${tl} at ${at === undefined ? 'missing' : formatLsn(at)} < ${formatLsn(lsn)}`);
    }
    if (behind.length === 0) return;
    if (Date.now() > deadline) throw new Error(`destination pageserver ${dest.id} did not catch up within ${CATCH_UP_TIMEOUT_MS} ms: ${behind.join('; ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Drives the destination's secondary download until it is complete (or the warm-up time is up). */
async function warmSecondary(dest: PageserverClient, tsid: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const waitMs = Math.max(1, Math.min(SECONDARY_DOWNLOAD_POLL_MS, deadline - Date.now()));
    if ((await dest.secondaryDownload(tsid, waitMs)).complete) return;
  }
  log.warn(`secondary on pageserver ${dest.id} for ${tsid} not warm after ${timeoutMs} ms; migrating anyway`);
}
