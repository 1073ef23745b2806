// The pageserver cut off from every safekeeper while the compute keeps committing: it falls
// behind, and after the heal it catches up — its WAL receiver reconnects and resumes where it
// stopped, without a gap. Also a latency phase between pageserver and safekeepers.

import type { Scenario } from '../runner/types.ts';
import { STANDARD_INVARIANTS } from './invariants.ts';
import { recovers, warmUp } from './steps.ts';

export const pageserverSafekeeperPartition: Scenario = {
  name: 'pageserver-safekeeper-partition',
  description: 'the pageserver partitioned from the safekeepers under load, then slowed down, then healed',
  workload: { clients: 4, keys: 20, readFraction: 0.2 },
  steps: [
    warmUp(),
    {
      name: 'pageserver cut off',
      boundMs: 60_000,
      run: async (ctx) => {
        const mode = ctx.rng.next() < 0.5 ? 'partition' : 'cut';
        const durationMs = ctx.rng.int(1500, 4000);
        await ctx.fault({ kind: mode, from: ['ps1'], to: ['sk*'], durationMs });
        await ctx.sleep(durationMs);
        await ctx.waitForProgress(20, 45_000);
      },
    },
    {
      name: 'slow link',
      boundMs: 60_000,
      run: async (ctx) => {
        const latencyMs = ctx.rng.int(20, 120);
        await ctx.fault({ kind: 'latency', from: ['ps1'], to: ['sk*'], latencyMs, jitterMs: Math.floor(latencyMs / 4), durationMs: 3000 });
        await ctx.sleep(3000);
        await ctx.waitForProgress(10, 45_000);
      },
    },
    recovers(),
  ],
  invariants: STANDARD_INVARIANTS,
};
