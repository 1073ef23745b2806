// Seed 002: a tenant's config survives detach and attach. The tenant gets a 30-day PITR and a small
// gc_horizon; it is detached (its pageserver drops it), its config is changed while detached, and
// it is attached again, in a new generation, restored from remote storage. Each attach must bring
// the tenant's own config, not the defaults; GC after the attach must honour the PITR, so the
// checker can still read every acknowledged write at its commit LSN.

import type { Scenario, Step, StepContext } from '../runner/types.ts';
import { singleAttachment, STANDARD_INVARIANTS } from './invariants.ts';
import { recovers, warmUp } from './steps.ts';

const CONFIG = { pitr_interval: '30 days', gc_horizon: 262144, gc_period: '0s', lsn_lease_length: '10m' };

/** The pageserver now holding the tenant runs with exactly the controller's overrides. */
async function expectConfig(ctx: StepContext, what: string): Promise<void> {
  const { tenantId, timelineId } = ctx.endpoint;
  const wanted = (await ctx.cluster.storageController.tenantConfig(tenantId)).tenant_specific_overrides;
  const ps = ctx.cluster.pageserver(await ctx.attachedPageserverId());
  const held = await ps.tenantConfig(tenantId);
  const same = JSON.stringify(Object.entries(held.tenant_specific_overrides).sort()) === JSON.stringify(Object.entries(wanted).sort());
  ctx.expect(`${what}: the pageserver runs with the tenant's config`, same, `controller ${JSON.stringify(wanted)}, ps${ps.id} ${JSON.stringify(held.tenant_specific_overrides)}`);
  ctx.expect(`${what}: effective pitr_interval is the tenant's`, held.effective_config['pitr_interval'] === wanted['pitr_interval'], `effective ${JSON.stringify(held.effective_config['pitr_interval'])}`);
  // GC right after the attach: with the PITR honoured it keeps every LSN the checker will read.
  await ps.checkpoint(tenantId, timelineId);
  await ps.gc(tenantId, timelineId);
}

function detachAttach(name: string, whileDetached: (ctx: StepContext) => Promise<void>): Step {
  return {
    name,
    boundMs: 120_000,
    run: async (ctx) => {
      await ctx.sleep(ctx.rng.int(300, 1500));
      await ctx.detachTenant(() => whileDetached(ctx));
      await expectConfig(ctx, name);
      await ctx.waitForProgress(30, 60_000);
    },
  };
}

export const attachDetachWithConfig: Scenario = {
  name: 'attach-detach-with-config',
  description: 'a tenant with a 30-day PITR is detached and attached again (config changed while detached); it keeps its config and its history',
  topology: { pageservers: 2 },
  workload: { clients: 4, keys: 50, readFraction: 0.3 },
  steps: [
    {
      name: 'configure the tenant',
      boundMs: 30_000,
      run: async (ctx) => {
        await ctx.cluster.storageController.setTenantConfig(ctx.endpoint.tenantId, CONFIG);
        await expectConfig(ctx, 'configured');
      },
    },
    warmUp(),
    detachAttach('detach and attach', (ctx) => ctx.sleep(1000)),
    detachAttach('config changed while detached', async (ctx) => {
      await ctx.cluster.storageController.patchTenantConfig(ctx.endpoint.tenantId, { gc_horizon: 524288 });
      await ctx.sleep(500);
    }),
    recovers(),
  ],
  invariants: [...STANDARD_INVARIANTS, singleAttachment],
};
