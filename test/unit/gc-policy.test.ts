// The GC cutoff rules (concepts §4.3, Neon's find_gc_cutoffs): the space cutoff, the time cutoff
// from the LSN-by-time lookup, which governs when PITR is set, and what happens when it fails.

import t from 'tap';
import { gcCutoffs, gcSettings, nextGcCutoff, type CutoffInput } from '../../cluster/emulated/pageserver/timeline/gc-policy.ts';
import type { LsnForTimestamp } from '../../cluster/emulated/pageserver/timeline/commit-times.ts';

const DAY = 86_400_000;
const NOW = 1_700_000_000_000;
const found = (kind: LsnForTimestamp['kind'], lsn = 0) => (): LsnForTimestamp => ({ kind, lsn });
const base: CutoffInput = { lastRecordLsn: 1000, diskConsistentLsn: 1000, current: 0, gcHorizon: 100, pitrIntervalMs: 0, lsnForTimestamp: found('past'), now: NOW };

t.test('no PITR: the space cutoff, last_record_lsn − gc_horizon, capped at disk_consistent_lsn', async (t) => {
  t.equal(nextGcCutoff(base), 900);
  t.equal(nextGcCutoff({ ...base, gcHorizon: 0 }), 1000);
  t.equal(nextGcCutoff({ ...base, gcHorizon: 0, diskConsistentLsn: 700 }), 700, 'never beyond what is on disk');
  t.equal(nextGcCutoff({ ...base, gcHorizon: 5000 }), 0, 'a horizon longer than the history keeps everything');
});

t.test('no PITR: raised to the default 7-day time cutoff, so an idle timeline does not keep history forever', async (t) => {
  let asked = 0;
  const cutoff = nextGcCutoff({ ...base, gcHorizon: 800, lsnForTimestamp: (us) => ((asked = us), { kind: 'present', lsn: 600 }) });
  t.equal(asked, (NOW - 7 * DAY) * 1000, 'looks up now − 7 days, in µs');
  t.equal(cutoff, 600, 'max(space 200, time 600)');
  t.equal(nextGcCutoff({ ...base, gcHorizon: 800, lsnForTimestamp: found('present', 100) }), 200, 'the space cutoff when it is higher');
  t.equal(nextGcCutoff({ ...base, gcHorizon: 800, lsnForTimestamp: found('future', 990) }), 1000, 'no commit in 7 days: up to the last record');
});

t.test('the cutoff never moves back', async (t) => {
  t.equal(nextGcCutoff({ ...base, current: 950 }), 950);
  t.equal(nextGcCutoff({ ...base, current: 950, pitrIntervalMs: DAY, lsnForTimestamp: found('present', 400) }), 950);
});

t.test('PITR set: the time cutoff governs, whatever gc_horizon says', async (t) => {
  let asked = 0;
  const input = { ...base, pitrIntervalMs: 30 * DAY, lsnForTimestamp: (us: number) => ((asked = us), { kind: 'present' as const, lsn: 400 }) };
  t.equal(nextGcCutoff(input), 400, 'below the space cutoff: the time cutoff');
  t.equal(asked, (NOW - 30 * DAY) * 1000, 'looks up now − pitr_interval');
  t.same(gcCutoffs(input), { space: 400, time: 400 }, 'the space cutoff is replaced by the time cutoff, as Neon');
  t.equal(nextGcCutoff({ ...base, gcHorizon: 900, pitrIntervalMs: DAY, lsnForTimestamp: found('present', 950) }), 950, 'above the space cutoff: still the time cutoff');
  t.equal(nextGcCutoff({ ...base, pitrIntervalMs: DAY, lsnForTimestamp: found('future', 990) }), 1000, 'no commit since then: everything is older than the window');
  t.equal(nextGcCutoff({ ...base, pitrIntervalMs: DAY, diskConsistentLsn: 300, lsnForTimestamp: found('present', 400) }), 300, 'capped at disk_consistent_lsn');
});

t.test('PITR set and the lookup fails (past, nodata): the cutoff stays', async (t) => {
  t.equal(nextGcCutoff({ ...base, current: 300, pitrIntervalMs: DAY, lsnForTimestamp: found('past', 300) }), 300, 'every commit is newer than the window');
  t.equal(nextGcCutoff({ ...base, current: 300, pitrIntervalMs: DAY, lsnForTimestamp: found('nodata', 300) }), 300, 'no commit times at all');
  t.equal(nextGcCutoff({ ...base, pitrIntervalMs: DAY, gcHorizon: 0, lsnForTimestamp: found('past') }), 0, 'even with gc_horizon 0');
});

t.test('gcSettings: tenant config over neon’s defaults', async (t) => {
  t.same(gcSettings({}), { gcHorizon: 64 * 1024 * 1024, pitrIntervalMs: 7 * 86_400_000, gcPeriodMs: 3_600_000 });
  t.same(gcSettings({ gc_horizon: 0, pitr_interval: '0s', gc_period: '10s' }), { gcHorizon: 0, pitrIntervalMs: 0, gcPeriodMs: 10_000 });
  t.same(gcSettings({ pitr_interval: '30 days' }).pitrIntervalMs, 30 * DAY);
});
