// Invariants several scenarios end with, checked after every fault is healed.

import { parseLsn } from '../../cluster/wal/lsn.ts';
import type { Invariant, StepContext } from '../runner/types.ts';

async function until(what: string, timeoutMs: number, probe: () => Promise<string | null>): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await probe().catch((err: Error) => err.message);
    if (last === null) return null;
    await new Promise((r) => setTimeout(r, 200));
  }
  return `${what}: ${last}`;
}

/** Every safekeeper reaches the same flush_lsn (with the compute idle, they must converge). */
export const safekeepersConverge: Invariant = {
  name: 'safekeepers reach the same flush_lsn',
  check: (ctx: StepContext) =>
    until('not within 20 s', 20_000, async () => {
      const { tenantId, timelineId } = ctx.endpoint;
      const flush = await Promise.all(ctx.cluster.safekeepers.map(async (sk) => `sk${sk.id} ${(await sk.timeline(tenantId, timelineId)).flush_lsn}`));
      return new Set(flush.map((f) => f.split(' ')[1])).size === 1 ? null : flush.join(', ');
    }),
};

/** The pageserver ingests everything the safekeepers committed. */
export const pageserverCatchesUp: Invariant = {
  name: 'the pageserver catches up with the committed WAL',
  check: (ctx: StepContext) =>
    until('not within 20 s', 20_000, async () => {
      const { tenantId, timelineId } = ctx.endpoint;
      const commit = Math.max(...(await Promise.all(ctx.cluster.safekeepers.map(async (sk) => parseLsn((await sk.timeline(tenantId, timelineId)).commit_lsn)))));
      const ps = await (await ctx.cluster.attachedPageserver(tenantId)).timeline(tenantId, timelineId);
      return parseLsn(ps.last_record_lsn) >= commit ? null : `last_record_lsn ${ps.last_record_lsn} behind commit_lsn`;
    }),
};

/** Every component is running again after the scenario's faults. */
export const allRunning: Invariant = {
  name: 'every component is running',
  check: async (ctx: StepContext) => {
    try {
      await ctx.waitForComponents(30_000);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  },
};

export const STANDARD_INVARIANTS = [allRunning, safekeepersConverge, pageserverCatchesUp];

/** Exactly one pageserver holds the tenant attached, in the generation the controller issued. */
export const singleAttachment: Invariant = {
  name: 'one attachment, in the current generation',
  check: (ctx: StepContext) =>
    until('not within 20 s', 20_000, async () => {
      const { tenantId } = ctx.endpoint;
      const inspect = await ctx.cluster.storageController.post<{ attachment: [number, number] | null }>('/debug/v1/inspect', { tenant_shard_id: tenantId });
      const held = await Promise.all(ctx.cluster.pageservers.map(async (ps) => {
        const location = (await ps.locationConfigs()).tenant_shards.find(([id]) => id === tenantId)?.[1] ?? null;
        return location && location.mode.startsWith('Attached') ? `ps${ps.id} ${location.mode} generation ${location.generation}` : null;
      }));
      const attached = held.filter((h): h is string => h !== null);
      const expected = inspect.attachment ? `ps${inspect.attachment[1]} AttachedSingle generation ${inspect.attachment[0]}` : null;
      return attached.length === 1 && attached[0] === expected ? null : `controller says ${expected ?? 'detached'}; pageservers hold: ${attached.join(', ') || 'none'}`;
    }),
};
