// Two pageservers attached at once, and only generations keep them apart (seed 000, neon's
// generation rules). The controller loses sight of the origin (a one-way cut) and migrates the
// tenant anyway: the origin never hears it was replaced and keeps running in the old generation,
// ingesting, compacting and collecting garbage. Its deletions must be refused by the controller's
// validate upcall and its remote_consistent_lsn never published; after the heal the controller
// detaches it. Then the new attachment loses its disk: it can only restore from remote storage if
// the stale one deleted nothing the new generation uses. The checker reads everything back.

import { parseLsn } from '../../cluster/wal/lsn.ts';
import type { Scenario, StepContext } from '../runner/types.ts';
import { singleAttachment, STANDARD_INVARIANTS } from './invariants.ts';
import { recovers, warmUp } from './steps.ts';

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Objects the pageserver's deletion queue dropped because their generation was stale (Neon's metric). */
function dropped(ctx: StepContext, nodeId: number): Promise<number> {
  return ctx.cluster.pageserver(nodeId).metricValue('pageserver_deletion_queue_dropped_total');
}

/** Which pageserver is the stale origin and which the new attachment, per run. */
const nodes = new WeakMap<StepContext, { origin: number; destination: number }>();

export const staleGenerationFenced: Scenario = {
  name: 'stale-generation-fenced',
  description: 'the controller migrates the tenant while it cannot reach the origin; the stale origin keeps running, but its deletions are refused and its LSN never published',
  topology: { pageservers: 2 },
  workload: { clients: 4, keys: 50, readFraction: 0.3 },
  steps: [
    {
      name: 'let GC collect everything',
      boundMs: 30_000,
      // Only explicit GC runs (gc_period 0); on the stale origin it removes every layer it can.
      run: async (ctx) => {
        await ctx.cluster.storageController.setTenantConfig(ctx.endpoint.tenantId, { pitr_interval: '0s', gc_horizon: 0, gc_period: '0s' });
      },
    },
    warmUp(),
    {
      name: 'migrated behind the origin\'s back',
      boundMs: 120_000,
      run: async (ctx) => {
        const origin = await ctx.attachedPageserverId();
        const destination = origin === 1 ? 2 : 1;
        nodes.set(ctx, { origin, destination });
        // The controller can no longer reach the origin; the origin still reaches the controller
        // (its validate upcalls get answers) and the safekeepers.
        await ctx.fault({ kind: 'cut', from: ['storcon'], to: [`ps${origin}`], oneWay: true });
        await ctx.migrateTenant(destination, { prewarm: false, untilDestination: true });
      },
    },
    {
      name: 'the stale origin is fenced',
      boundMs: 120_000,
      run: async (ctx) => {
        const { tenantId, timelineId } = ctx.endpoint;
        const { origin } = nodes.get(ctx)!;
        const stale = ctx.cluster.pageserver(origin);
        const held = (await stale.locationConfigs()).tenant_shards.find(([id]) => id === tenantId)?.[1];
        ctx.expect('the origin still believes it is attached', held?.mode === 'AttachedSingle', `ps${origin} holds ${JSON.stringify(held?.mode)}`);
        const before = await stale.timeline(tenantId, timelineId);
        const droppedBefore = await dropped(ctx, origin);
        // It keeps ingesting and writing layers, then compacts and collects garbage.
        for (let round = 0; round < 12; round++) {
          await ctx.sleep(250);
          await stale.checkpoint(tenantId, timelineId);
        }
        const gc = await stale.gc(tenantId, timelineId, 0);
        ctx.expect('the stale origin collected garbage locally', gc.layers_removed > 0, `layers_removed ${gc.layers_removed}`);
        await waitFor('a refused deletion (pageserver_deletion_queue_dropped_total)', 30_000, async () => (await dropped(ctx, origin)) > droppedBefore);
        ctx.log(`ps${origin}'s deletions refused by the controller: ${(await dropped(ctx, origin)) - droppedBefore} object(s) dropped`);
        await stale.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });
        const after = await stale.timeline(tenantId, timelineId);
        const uploaded = parseLsn(after.remote_consistent_lsn) > parseLsn(before.remote_consistent_lsn);
        const published = parseLsn(after.remote_consistent_lsn_visible) > parseLsn(before.remote_consistent_lsn_visible);
        ctx.expect('the stale origin uploads but never publishes its LSN', uploaded && !published,
          `remote_consistent_lsn ${before.remote_consistent_lsn} → ${after.remote_consistent_lsn}, visible ${before.remote_consistent_lsn_visible} → ${after.remote_consistent_lsn_visible}`);
      },
    },
    {
      name: 'heal: the controller detaches the origin',
      boundMs: 60_000,
      run: async (ctx) => {
        await ctx.heal({ all: true });
        const { origin } = nodes.get(ctx)!;
        const stale = ctx.cluster.pageserver(origin);
        await waitFor('the origin detached', 45_000, async () => !(await stale.locationConfigs()).tenant_shards.some(([id]) => id === ctx.endpoint.tenantId));
        ctx.log(`ps${origin} no longer holds the tenant`);
      },
    },
    {
      name: 'the new attachment restores from remote storage',
      boundMs: 120_000,
      run: async (ctx) => {
        await ctx.loseDisk(`ps${nodes.get(ctx)!.destination}`);
        await ctx.waitForProgress(30, 60_000);
      },
    },
    recovers(),
  ],
  invariants: [...STANDARD_INVARIANTS, singleAttachment],
};
