// The pageserver holding the tenant loses its disk, twice, under load: it is killed, its tenants/
// directory removed, and started again. At startup the controller re-attaches it in a new
// generation, and it restores every timeline from remote storage (index and layers of the newest
// generation), then catches up the rest from the safekeepers. The checker reads every acknowledged
// write back at its LSN from the restored pageserver.

import type { Scenario } from '../runner/types.ts';
import { singleAttachment, STANDARD_INVARIANTS } from './invariants.ts';
import { recovers, warmUp } from './steps.ts';

export const diskLoss: Scenario = {
  name: 'disk-loss',
  description: 'the attached pageserver loses its local data twice under load and restores the tenant from remote storage',
  workload: { clients: 4, keys: 50, readFraction: 0.3 },
  steps: [
    warmUp(),
    {
      name: 'disk lost right after an upload',
      boundMs: 120_000,
      run: async (ctx) => {
        const ps = ctx.cluster.pageserver(await ctx.attachedPageserverId());
        const { tenantId, timelineId } = ctx.endpoint;
        await ps.checkpoint(tenantId, timelineId, { waitUntilUploaded: true });
        await ctx.loseDisk(`ps${ps.id}`);
        await ctx.waitForProgress(30, 60_000);
      },
    },
    {
      name: 'disk lost with uploads behind',
      boundMs: 120_000,
      run: async (ctx) => {
        // Whatever was not yet uploaded comes back from the safekeepers' WAL.
        await ctx.sleep(ctx.rng.int(500, 2500));
        await ctx.loseDisk(`ps${await ctx.attachedPageserverId()}`);
        await ctx.waitForProgress(30, 60_000);
      },
    },
    recovers(),
  ],
  invariants: [...STANDARD_INVARIANTS, singleAttachment],
};
