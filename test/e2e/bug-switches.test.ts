// Each bug switch breaks the protocol in one emulator; the scenario named for it must catch that.
// wp-ack-single-flush and ps-trust-last-received are caught by the checker itself (reads at every
// acknowledged write's commit LSN, the history rules). sk-ack-before-write loses acknowledged WAL
// on every safekeeper at once; depending on timing the checker sees it (a new compute reuses the
// LSNs) or the cluster cannot recover and the invariants and steps fail first — either way the
// scenario fails. With every switch off, test/e2e/scenarios.test.ts shows the same scenarios pass
// with the same seed.

import t from 'tap';
import { BUG_SWITCHES } from '../../cluster/bugs.ts';
import { findScenario } from '../../scenarios/library/index.ts';
import { runScenario } from '../../scenarios/runner/run.ts';

t.setTimeout(900_000);

const CAUGHT_BY_CHECKER = new Set(['wp-ack-single-flush', 'ps-trust-last-received']);

for (const bug of BUG_SWITCHES) {
  t.test(`${bug.name} is caught by ${bug.caughtBy}`, async (t) => {
    const { report, schedule } = await runScenario(findScenario(bug.caughtBy)!, { seed: 7, bugs: [bug.name] });
    t.equal(report.outcome, 'failed', 'the scenario fails', { failure: report.failure });
    t.same(schedule.bugs, [bug.name], 'the schedule records the switch');
    const violations = report.check?.violations ?? [];
    if (CAUGHT_BY_CHECKER.has(bug.name) || violations.length > 0) {
      t.equal(report.check?.ok, false, 'the checker found violations', { failure: report.failure });
      const kinds = new Set(violations.map((v) => v.kind));
      t.ok([...kinds].some((k) => ['lost', 'stale read', 'LSN read', 'LSN order'].includes(k)), `violations name what went wrong: ${[...kinds].join(', ')}`);
      t.ok(violations.length > 0 && violations[0]!.ops.length > 0 && violations[0]!.message.length > 0, 'with the operations involved');
      t.match(report.failure, /checker: \d+ violation/);
    } else {
      const failedInvariants = report.invariants.filter((i) => !i.ok);
      const failedSteps = report.steps.filter((s) => s.outcome !== 'ok');
      t.ok(failedInvariants.length + failedSteps.length > 0, `caught by the scenario's invariants or steps: ${report.failure}`);
    }
  });
}
