// The runner with a custom scenario (the fixture API a test author uses): a step that leaves the
// pageserver stopped — not a fault, so nothing heals it. The run must fail and say why, and the
// checker must still give its verdict on what it could check: the history rules and the durability
// snapshots run, the LSN reads are marked as not run instead of swallowing the whole check.

import t from 'tap';
import { runScenario, type Scenario } from '../../fixtures/index.ts';

t.setTimeout(180_000);

const pageserverStaysDown: Scenario = {
  name: 'pageserver-stays-down',
  description: 'writes, a compute restart (a durability snapshot while it is down), then the pageserver is stopped for good',
  workload: { clients: 2, keys: 5 },
  settleMs: 0,
  steps: [
    {
      name: 'writes',
      boundMs: 30_000,
      run: async (ctx) => ctx.waitForProgress(30, 25_000),
    },
    {
      name: 'compute restart',
      boundMs: 60_000,
      run: async (ctx) => {
        await ctx.restartEndpoint();
        await ctx.waitForProgress(10, 30_000);
      },
    },
    {
      name: 'pageserver stopped',
      boundMs: 30_000,
      run: async (ctx) => ctx.cluster.stopComponent('ps1', 'immediate'),
    },
  ],
};

t.test('a check that cannot read from the pageserver is incomplete, not lost', async (t) => {
  const { report } = await runScenario(pageserverStaysDown, { seed: 3 });
  t.same(report.steps.map((s) => s.outcome), ['ok', 'ok', 'ok'], 'every step ran');
  t.equal(report.outcome, 'failed', 'the run fails', { failure: report.failure });
  t.match(report.failure, /LSN check could not run: .*ECONNREFUSED/, 'saying the LSN reads could not run');
  const check = report.check!;
  t.ok(check, 'the checker still reported');
  t.equal(check.ok, false, 'check.ok is false: part of it did not run');
  t.match(check.incomplete, /^the LSN reads could not run: /);
  t.ok(check.stats.acknowledged >= 40, `the history was checked (${check.stats.acknowledged} acknowledged writes)`);
  t.equal(check.stats.durabilitySnapshots, 2, 'one snapshot while the compute was down, one at the end');
  t.ok(check.stats.durabilityChecked! >= 40, 'acknowledged writes held to them');
  t.same(check.violations, [], 'and nothing acknowledged was lost');
});
