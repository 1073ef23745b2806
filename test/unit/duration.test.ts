import t from 'tap';
import { DurationError, formatDuration, parseDuration } from '../../cluster/util/duration.ts';

t.test('parses humantime durations', async (t) => {
  const cases: [string, number][] = [
    ['10s', 10_000], ['500ms', 500], ['1m', 60_000], ['1h 30m', 5_400_000], ['1h30m', 5_400_000],
    ['7days', 604_800_000], ['0s', 0], ['0', 0], ['2.5s', 2500], ['100us', 0.1], [' 3 sec ', 3000],
  ];
  for (const [text, ms] of cases) t.equal(parseDuration(text), ms, text);
});

t.test('rejects what is not a duration, saying what to write', async (t) => {
  for (const bad of ['', '10', 'ten seconds', '10x', '5s garbage', '-1s']) {
    t.throws(() => parseDuration(bad), DurationError, JSON.stringify(bad));
  }
  t.throws(() => parseDuration('10x'), { message: 'unknown time unit "x" in "10x"; use ms, s, m, h or d (e.g. 10s)' });
});

t.test('formats largest units first and round-trips', async (t) => {
  t.equal(formatDuration(10_000), '10s');
  t.equal(formatDuration(90_500), '1m 30s 500ms');
  t.equal(formatDuration(0), '0s');
  for (const ms of [1, 999, 1000, 61_000, 3_600_000, 90_061_001]) t.equal(parseDuration(formatDuration(ms)), ms);
});
