// The compute loses a majority of its safekeepers: commits must stop (no acknowledgement without a
// majority) and resume on heal. Then the compute restarts on the other side of the partition,
// where acknowledged writes must still be. Finally the safekeepers and the compute all die at once
// (a power loss): what was acknowledged was on disk — each safekeeper's flush_lsn is recorded
// before the compute comes back, for the checker's durability rule. Bug switches wp-ack-single-flush and
// sk-ack-before-write break these.

import type { Scenario } from '../runner/types.ts';
import { STANDARD_INVARIANTS } from './invariants.ts';
import { recovers, warmUp } from './steps.ts';

const SAFEKEEPERS = ['sk1', 'sk2', 'sk3'];

export const quorumLoss: Scenario = {
  name: 'quorum-loss',
  description: 'the compute cut from 2 of 3 safekeepers, a compute restart across the partition, and a power loss of every safekeeper',
  workload: { clients: 4, keys: 20, readFraction: 0.1 },
  steps: [
    warmUp(),
    {
      name: 'majority cut off',
      boundMs: 40_000,
      run: async (ctx) => {
        // A cut, not a blackhole: what the compute sent the two is gone, not delivered on heal.
        const cut = ctx.rng.sample(SAFEKEEPERS, 2);
        await ctx.fault({ kind: 'cut', from: ['ep-main'], to: [cut.join(',')] });
        await ctx.sleep(500); // replies already on their way may still land
        const before = ctx.ackedWrites();
        // Longer than the pageserver's lagging_wal_timeout: a pageserver streaming from a cut-off
        // safekeeper moves to the reachable one, so no commit waits on page reads meanwhile and
        // only the quorum rule can hold writes back.
        await ctx.sleep(12_000);
        const during = ctx.ackedWrites() - before;
        ctx.expect('no acknowledgement without a majority', during === 0, `${during} writes acknowledged while the compute reached only one safekeeper`);
      },
    },
    {
      name: 'compute restarts on the other side',
      boundMs: 90_000,
      run: async (ctx) => {
        // The safekeeper the compute could still reach is now the one cut off; the compute starts
        // again with the other two, which must hold everything acknowledged so far.
        // The old compute dies before the majority is reachable again, so it cannot hand them
        // what only the lone safekeeper acknowledged.
        const cutOff = (await ctx.cluster.faults.list()).flatMap((f) => f.targets).filter((t) => t.startsWith('sk'));
        const lone = SAFEKEEPERS.find((s) => !cutOff.includes(s))!;
        await ctx.fault({ kind: 'cut', from: ['ep-main'], to: [lone] });
        await ctx.restartEndpoint({ whileStopped: () => ctx.heal({ between: [['ep-main'], [cutOff.join(',')]] }) });
        await ctx.waitForProgress(20, 60_000);
        await ctx.heal({ all: true });
        await ctx.waitForProgress(10, 30_000);
      },
    },
    {
      name: 'power loss',
      boundMs: 120_000,
      run: async (ctx) => {
        await ctx.sleep(ctx.rng.int(300, 1000));
        // All at once (recorded in this order, whichever dies first). The safekeepers come back
        // by themselves; the compute stays down until they have said what they kept on disk.
        await Promise.all([
          ctx.fault({ kind: 'kill', component: 'ep-main' }),
          ...SAFEKEEPERS.map((component) => ctx.fault({ kind: 'kill', component, durationMs: 1500 })),
        ]);
        await ctx.sleep(1500);
        await ctx.waitForComponents(30_000, SAFEKEEPERS);
        await ctx.recordDurability();
        await ctx.heal({ all: true }); // the compute's kill (fault ids depend on arrival order: not by id)
        await ctx.waitForComponents(60_000);
        await ctx.waitForProgress(20, 60_000);
      },
    },
    recovers(),
  ],
  invariants: STANDARD_INVARIANTS,
};
