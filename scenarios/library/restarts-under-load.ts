// Safekeepers and the pageserver restart, gracefully or by kill -9, one at a time at random
// moments while the workload writes. Nothing acknowledged may be lost; a killed pageserver must
// re-ingest what it had only in memory (bug switch ps-trust-last-received breaks exactly that).

import type { Scenario } from '../runner/types.ts';
import { STANDARD_INVARIANTS } from './invariants.ts';
import { recovers, warmUp } from './steps.ts';

const ROUNDS = 8;

export const restartsUnderLoad: Scenario = {
  name: 'restarts-under-load',
  description: `${ROUNDS} restarts of a random safekeeper or the pageserver, graceful or kill -9, under a write load`,
  workload: { clients: 4, keys: 20, readFraction: 0.2 },
  steps: [
    warmUp(),
    {
      name: 'restarts',
      boundMs: 180_000,
      run: async (ctx) => {
        for (let round = 0; round < ROUNDS; round++) {
          // Every choice is drawn up front, so the schedule depends on the seed alone.
          const target = ctx.rng.pick(['sk1', 'sk2', 'sk3', 'ps1', 'ps1']);
          const graceful = ctx.rng.next() < 0.4;
          const pause = ctx.rng.int(200, 1200);
          const downMs = ctx.rng.int(100, 1500);
          await ctx.sleep(pause);
          if (graceful) await ctx.fault({ kind: 'restart', component: target });
          else {
            await ctx.fault({ kind: 'kill', component: target, durationMs: downMs });
            await ctx.sleep(downMs);
          }
          await ctx.waitForComponents(30_000);
          await ctx.waitForProgress(10, 30_000);
        }
      },
    },
    recovers(),
  ],
  invariants: STANDARD_INVARIANTS,
};
