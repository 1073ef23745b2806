// Seed 000's relocation, under load: the tenant moves to the other pageserver through the storage
// controller's live migration (origin stale, new generation, catch-up, compute notified, origin
// detached) while the workload writes and reads — first cold, then back to a destination warmed
// as a secondary first. The compute's write stall is printed for each move. The checker then reads
// every acknowledged write at its commit LSN from where the tenant ended up.

import type { Scenario, Step } from '../runner/types.ts';
import { singleAttachment, STANDARD_INVARIANTS } from './invariants.ts';
import { recovers, warmUp } from './steps.ts';

function migration(name: string, prewarm: boolean): Step {
  return {
    name,
    boundMs: 150_000,
    run: async (ctx) => {
      await ctx.sleep(ctx.rng.int(200, 1500));
      const from = await ctx.attachedPageserverId();
      const to = from === 1 ? 2 : 1;
      // migrateTenant prints the compute's write stall during the move.
      await ctx.migrateTenant(to, { prewarm });
      ctx.expect(`${name}: the tenant is on ps${to}`, (await ctx.attachedPageserverId()) === to);
      // Writes go on through the new attachment (reads now hit the destination).
      await ctx.waitForProgress(30, 60_000);
    },
  };
}

export const relocationUnderLoad: Scenario = {
  name: 'relocation-under-load',
  description: 'the tenant live-migrates to the other pageserver and back under load (cold, then prewarmed); the compute follows each move',
  topology: { pageservers: 2 },
  workload: { clients: 4, keys: 50, readFraction: 0.3 },
  steps: [warmUp(), migration('cold migration', false), migration('prewarmed migration back', true), recovers()],
  invariants: [...STANDARD_INVARIANTS, singleAttachment],
};
