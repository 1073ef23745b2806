// Rounds of partitions between the compute and a random subset of the safekeepers (one or two of
// three, one way or both), each healed after a random time. With one cut off, commits go on; with
// two, they wait; after each heal they resume. Nothing acknowledged is lost.

import type { Scenario } from '../runner/types.ts';
import { STANDARD_INVARIANTS } from './invariants.ts';
import { recovers, warmUp } from './steps.ts';

const ROUNDS = 6;

export const computeSafekeeperPartitions: Scenario = {
  name: 'compute-safekeeper-partitions',
  description: `${ROUNDS} rounds of partitions between the compute and a random subset of safekeepers`,
  workload: { clients: 4, keys: 20, readFraction: 0.2 },
  steps: [
    warmUp(),
    {
      name: 'partition rounds',
      boundMs: 180_000,
      run: async (ctx) => {
        for (let round = 0; round < ROUNDS; round++) {
          const subset = ctx.rng.sample(['sk1', 'sk2', 'sk3'], ctx.rng.int(1, 2));
          const oneWay = ctx.rng.next() < 0.3;
          const durationMs = ctx.rng.int(300, 2000);
          await ctx.fault({ kind: 'partition', from: ['ep-main'], to: [subset.join(',')], oneWay, durationMs });
          await ctx.sleep(durationMs);
          await ctx.waitForProgress(5, 30_000);
        }
      },
    },
    recovers(),
  ],
  invariants: STANDARD_INVARIANTS,
};
