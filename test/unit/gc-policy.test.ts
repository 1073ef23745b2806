// The GC cutoff rules (concepts §4.3) and the LSN-by-time samples behind the PITR cutoff.

import t from 'tap';
import { gcSettings, LsnTimes, nextGcCutoff, type CutoffInput } from '../../cluster/emulated/pageserver/timeline/gc-policy.ts';

const base: CutoffInput = { lastRecordLsn: 1000, diskConsistentLsn: 1000, current: 0, gcHorizon: 100, pitrIntervalMs: 0, lsnAt: () => null, now: 0 };

t.test('space cutoff: last_record_lsn − gc_horizon, capped at disk_consistent_lsn', async (t) => {
  t.equal(nextGcCutoff(base), 900);
  t.equal(nextGcCutoff({ ...base, gcHorizon: 0 }), 1000);
  t.equal(nextGcCutoff({ ...base, gcHorizon: 0, diskConsistentLsn: 700 }), 700, 'never beyond what is on disk');
  t.equal(nextGcCutoff({ ...base, gcHorizon: 5000 }), 0, 'a horizon longer than the history keeps everything');
});

t.test('the cutoff never moves back', async (t) => {
  t.equal(nextGcCutoff({ ...base, current: 950 }), 950);
});

t.test('with PITR the time cutoff governs, and a failed lookup does not advance', async (t) => {
  t.equal(nextGcCutoff({ ...base, pitrIntervalMs: 60_000, lsnAt: () => 400, now: 100_000 }), 400, 'min(space, time)');
  t.equal(nextGcCutoff({ ...base, pitrIntervalMs: 60_000, lsnAt: () => 950, now: 100_000 }), 900, 'space is lower');
  t.equal(nextGcCutoff({ ...base, current: 300, pitrIntervalMs: 60_000, lsnAt: () => null, now: 100_000 }), 300, 'no sample that old: stay');
  let askedFor = -1;
  nextGcCutoff({ ...base, pitrIntervalMs: 60_000, lsnAt: (time) => ((askedFor = time), 0), now: 100_000 });
  t.equal(askedFor, 40_000, 'looks up now − pitr_interval');
});

t.test('LsnTimes: the last LSN at or before a time, one sample per second, thinned when full', async (t) => {
  const times = new LsnTimes();
  t.equal(times.lsnAt(10_000), null, 'empty');
  times.record(100, 1_000);
  times.record(150, 1_500); // same second: replaces
  times.record(200, 2_000);
  times.record(300, 5_000);
  t.equal(times.lsnAt(999), null, 'before the first sample');
  t.equal(times.lsnAt(1_000), 150);
  t.equal(times.lsnAt(4_999), 200);
  t.equal(times.lsnAt(60_000), 300);
  const many = new LsnTimes();
  for (let i = 0; i < 25_000; i++) many.record(i * 10, i * 1000);
  t.equal(many.lsnAt(0), 0, 'thinning keeps the oldest sample');
  t.equal(many.lsnAt(24_999_000), 249_990, 'and the newest');
  const mid = many.lsnAt(12_500_000)!;
  t.ok(mid <= 125_000 && mid > 120_000, `a nearby sample in the middle (${mid})`);
});

t.test('gcSettings: tenant config over neon’s defaults', async (t) => {
  t.same(gcSettings({}), { gcHorizon: 64 * 1024 * 1024, pitrIntervalMs: 7 * 86_400_000, gcPeriodMs: 3_600_000 });
  t.same(gcSettings({ gc_horizon: 0, pitr_interval: '0s', gc_period: '10s' }), { gcHorizon: 0, pitrIntervalMs: 0, gcPeriodMs: 10_000 });
});
