// Each bug switch breaks the protocol in one emulator; the scenario named for it must catch that,
// through the checker, with the operations involved:
//   wp-ack-single-flush     reads at every acknowledged write's commit LSN, the history rules;
//   sk-ack-before-write     the durability rule: every safekeeper lost acknowledged WAL in the
//                           power loss, which the flush_lsn snapshot taken before the compute
//                           returns shows (the cluster may not recover at all, the steps fail too);
//   ps-trust-last-received  LSN reads and the history rules.
// With every switch off, test/e2e/scenarios.test.ts shows the same scenarios pass with the same seed.

import t from 'tap';
import { BUG_SWITCHES } from '../../cluster/bugs.ts';
import { findScenario } from '../../scenarios/library/index.ts';
import { runScenario } from '../../scenarios/runner/run.ts';

t.setTimeout(900_000);

/** What each switch's scenario must report, at least. */
const EXPECTED_KINDS: Record<string, string[]> = {
  'wp-ack-single-flush': ['lost', 'stale read', 'LSN read', 'LSN order', 'not durable'],
  'sk-ack-before-write': ['not durable'],
  'ps-trust-last-received': ['lost', 'stale read', 'LSN read', 'LSN order'],
};

for (const bug of BUG_SWITCHES) {
  t.test(`${bug.name} is caught by ${bug.caughtBy}`, async (t) => {
    const { report, schedule } = await runScenario(findScenario(bug.caughtBy)!, { seed: 7, bugs: [bug.name] });
    t.equal(report.outcome, 'failed', 'the scenario fails', { failure: report.failure });
    t.same(schedule.bugs, [bug.name], 'the schedule records the switch');
    const violations = report.check?.violations ?? [];
    t.equal(report.check?.ok, false, 'the checker found violations', { failure: report.failure });
    const kinds = new Set(violations.map((v) => v.kind));
    t.ok(EXPECTED_KINDS[bug.name]!.some((k) => kinds.has(k as never)), `violations name what went wrong: ${[...kinds].join(', ')}`);
    t.ok(violations.length > 0 && violations[0]!.ops.length > 0 && violations[0]!.message.length > 0, 'with the operations involved');
    t.match(report.failure, /checker: \d+ violation/);
  });
}
