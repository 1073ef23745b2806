// Steps shared by scenarios.

import type { Step } from '../runner/types.ts';

/** The workload is writing before any fault. */
export function warmUp(writes = 30): Step {
  return { name: 'warm up', boundMs: 30_000, run: (ctx) => ctx.waitForProgress(writes, 25_000) };
}

/** After the faults: writes go through again. */
export function recovers(writes = 20): Step {
  return {
    name: 'recovers',
    boundMs: 60_000,
    run: async (ctx) => {
      await ctx.heal({ all: true });
      await ctx.waitForComponents(30_000);
      await ctx.waitForProgress(writes, 30_000);
    },
  };
}
