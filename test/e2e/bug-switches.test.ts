// Each bug switch breaks the protocol in one emulator; the scenario named for it must catch that
// through its checker (reads at every acknowledged write's commit LSN, the history rules) — not
// merely by a step failing. With every switch off, test/e2e/scenarios.test.ts shows the same
// scenarios pass with the same seed.

import t from 'tap';
import { BUG_SWITCHES } from '../../cluster/bugs.ts';
import { findScenario } from '../../scenarios/library/index.ts';
import { runScenario } from '../../scenarios/runner/run.ts';

t.setTimeout(900_000);

for (const bug of BUG_SWITCHES) {
  t.test(`${bug.name} is caught by ${bug.caughtBy}`, async (t) => {
    const { report, schedule } = await runScenario(findScenario(bug.caughtBy)!, { seed: 7, bugs: [bug.name] });
    t.equal(report.outcome, 'failed', 'the scenario fails');
    t.same(schedule.bugs, [bug.name], 'the schedule records the switch');
    t.equal(report.check?.ok, false, 'the checker found violations', { failure: report.failure });
    t.ok(report.check!.violations.length > 0, 'at least one violation');
    const kinds = new Set(report.check!.violations.map((v) => v.kind));
    t.ok([...kinds].some((k) => ['lost', 'stale read', 'LSN read', 'LSN order'].includes(k)), `violations name what went wrong: ${[...kinds].join(', ')}`);
    const violation = report.check!.violations[0]!;
    t.ok(violation.ops.length > 0 && violation.message.length > 0, 'with the operations involved');
    t.match(report.failure, /checker: \d+ violation/);
  });
}
