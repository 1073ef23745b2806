// The LSN-by-time mapping: Neon's find_lsn_for_timestamp search against a model of commits, the
// running maximum that keeps it valid when a clock steps back, RFC 3339 parsing, and, on a real
// timeline, commit times that come from the WAL, survive a reload from layer files, are seen
// through a branch's ancestor, and drive the PITR GC cutoff.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import {
  COMMIT_TIME_KEY, CommitTimeTracker, decodeCommitTime, encodeCommitTime, findLsnForTimestamp, parseRfc3339Us,
} from '../../cluster/emulated/pageserver/timeline/commit-times.ts';
import { commitTimeUs, parseClockOffset } from '../../cluster/emulated/compute/engine/commit-clock.ts';
import { configureFailpoint, resetFailpoints } from '../../cluster/emulated/common/failpoints.ts';
import { gcSettings } from '../../cluster/emulated/pageserver/timeline/gc-policy.ts';
import { Timeline, type TimelineMeta } from '../../cluster/emulated/pageserver/timeline/timeline.ts';
import { INITDB_LSN, type WalRecord } from '../../cluster/wal/format.ts';
import { WalReader } from '../../cluster/wal/reader.ts';
import { WalWriter } from '../../cluster/wal/writer.ts';

const DAY_US = 86_400_000_000;

/** Commits as (end LSN, time); the latest time at or before an LSN, as the stored running maximum. */
function model(commits: [number, number][]): (lsn: number) => number | null {
  return (lsn) => {
    let max: number | null = null;
    for (const [end, time] of commits) if (end <= lsn && (max === null || time > max)) max = time;
    return max;
  };
}

t.test('find_lsn_for_timestamp: present, future, past, nodata', async (t) => {
  const commits: [number, number][] = [[1000, 100], [1200, 200], [1600, 300], [2000, 400]];
  const at = model(commits);
  t.same(findLsnForTimestamp(250, 800, 2400, at), { kind: 'present', lsn: 1592 }, 'just before the first commit at or after the time');
  t.same(findLsnForTimestamp(300, 800, 2400, at), { kind: 'present', lsn: 1592 }, 'a commit exactly at the time is not included');
  t.same(findLsnForTimestamp(301, 800, 2400, at), { kind: 'present', lsn: 1992 });
  t.same(findLsnForTimestamp(500, 800, 2400, at), { kind: 'future', lsn: 2400 }, 'every commit is older: the last LSN');
  t.same(findLsnForTimestamp(50, 800, 2400, at), { kind: 'past', lsn: 800 }, 'every commit is newer: the lower bound');
  t.same(findLsnForTimestamp(250, 1600, 2400, at), { kind: 'past', lsn: 1600 }, 'what is older lies below the lower bound (GC cutoff)');
  t.same(findLsnForTimestamp(250, 800, 2400, () => null), { kind: 'nodata', lsn: 800 }, 'no commit times');

  // Against every LSN of the range, at every time and lower bound: present is the LSN just before
  // the first one that sees a commit at or after the time, when some LSN sees only older commits.
  for (let time = 0; time <= 500; time += 10) {
    for (const min of [800, 1000, 1192, 1600, 2000]) {
      const lsns = Array.from({ length: (2400 - min) / 8 + 1 }, (_, i) => min + i * 8);
      const older = lsns.some((l) => at(l) !== null && at(l)! < time);
      const firstNewer = lsns.find((l) => at(l) !== null && at(l)! >= time);
      const expected = older && firstNewer !== undefined ? { kind: 'present', lsn: firstNewer - 8 }
        : older ? { kind: 'future', lsn: 2400 }
        : firstNewer !== undefined ? { kind: 'past', lsn: min } : { kind: 'nodata', lsn: min };
      t.same(findLsnForTimestamp(time, min, 2400, at), expected, `time ${time}, min ${min}`);
    }
  }
});

t.test('a clock that steps back: the running maximum keeps the search monotonic', async (t) => {
  const stored: [number, number][] = [];
  const tracker = new CommitTimeTracker(() => null);
  const record = (endLsn: number, time: number): WalRecord => ({ startLsn: endLsn - 32, endLsn, prevLsn: 0, type: 1, xid: 1, commitTimeUs: time, mutations: [] });
  for (const [end, time] of [[1000, 500], [1100, 100], [1200, 600], [1300, 550]] as const) {
    const put = tracker.mutationsFor(record(end, time)).find((m) => m.key.equals(COMMIT_TIME_KEY));
    if (put) stored.push([end, decodeCommitTime(put.value)!]);
  }
  t.same(stored, [[1000, 500], [1200, 600]], 'only a commit that moves the maximum writes a version');
  t.same(findLsnForTimestamp(550, 900, 1400, model(stored)), { kind: 'present', lsn: 1192 }, 'the 550 after 600 does not count as the first commit at 550');
  const untimed: WalRecord = { ...record(1400, 0), commitTimeUs: null, mutations: [{ key: Buffer.from('k'), value: null }] };
  t.same(tracker.mutationsFor(untimed), untimed.mutations, 'a record without a time writes only its own changes');
  let reads = 0;
  const lazy = new CommitTimeTracker(() => (reads++, 700));
  t.equal(lazy.mutationsFor(record(2000, 650)).length, 0, 'the stored maximum (700) is read once, lazily');
  lazy.mutationsFor(record(2100, 800));
  t.equal(reads, 1);
  t.equal(decodeCommitTime(encodeCommitTime(-1)), -1);
});

t.test('RFC 3339 as humantime::parse_rfc3339 takes it', async (t) => {
  t.equal(parseRfc3339Us('1970-01-01T00:00:00Z'), 0);
  t.equal(parseRfc3339Us('2024-02-29T12:30:45.123456789Z'), (Date.UTC(2024, 1, 29, 12, 30, 45) + 123) * 1000 + 456);
  t.equal(parseRfc3339Us('2024-05-01T00:00:00.5Z'), Date.UTC(2024, 4, 1) * 1000 + 500_000);
  for (const bad of ['2024-05-01', '2024-05-01T00:00:00', '2024-05-01T00:00:00+02:00', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-04-31T00:00:00Z', '1969-12-31T23:59:59Z', 'now']) {
    t.equal(parseRfc3339Us(bad), null, bad);
  }
});

t.test('the compute\'s commit clock and its test hook (failpoint compute-commit-timestamp)', async (t) => {
  t.teardown(resetFailpoints);
  const now = 1_700_000_000_000;
  t.equal(commitTimeUs(now), now * 1000, 'the real clock, in µs');
  t.equal(parseClockOffset('-10days'), -10 * 86_400_000);
  t.equal(parseClockOffset('+1h 30m'), 5_400_000);
  t.equal(parseClockOffset('40d'), 40 * 86_400_000);
  t.throws(() => parseClockOffset(null), /return needs a signed duration, e.g. return\(-10days\)/);
  t.throws(() => parseClockOffset('-ten days'), /compute-commit-timestamp: return\(-ten days\)/);
  configureFailpoint('compute-commit-timestamp', 'return(-10days)');
  t.equal(commitTimeUs(now), (now - 10 * 86_400_000) * 1000, 'shifted back ten days');
  configureFailpoint('compute-commit-timestamp', '1*return(+1s)->off');
  t.same([commitTimeUs(now), commitTimeUs(now)], [(now + 1000) * 1000, now * 1000], 'counts apply as at any failpoint');
  configureFailpoint('compute-commit-timestamp', 'return(soon)');
  t.throws(() => commitTimeUs(now), /not a duration/, 'a bad argument fails the commit rather than stamping it wrongly');
});

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'commit-times-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const meta = (id: string, ancestor: Timeline | null, ancestorLsn: number | null): TimelineMeta => ({
  timeline_id: id, ancestor_timeline_id: ancestor?.id ?? null, ancestor_lsn: ancestorLsn, initdb_lsn: INITDB_LSN, pg_version: 17,
});

/** Writes and ingests one commit stamped `time` (µs); returns its end LSN. */
function commit(timeline: Timeline, writer: WalWriter, reader: WalReader, key: string, value: string, time: number): number {
  const appended = writer.appendTransaction(1, [{ key: Buffer.from(key), value: Buffer.from(value) }], time);
  timeline.ingest(reader.feed(appended.bytes));
  return appended.endLsn;
}

t.test('a timeline: commit times from the WAL, kept in its layers, seen through a branch, driving PITR GC', async (t) => {
  const dir = tempDir(t);
  const now = Date.now() * 1000;
  const mainDir = path.join(dir, 'main');
  let main = await Timeline.create('tenant', mainDir, meta('a'.repeat(32), null, null), null, 0);
  t.teardown(() => main.close());
  const writer = new WalWriter(INITDB_LSN, 0);
  const reader = new WalReader(INITDB_LSN);
  t.same(main.findLsnForTimestamp(now), { kind: 'nodata', lsn: INITDB_LSN }, 'no commits yet');
  const old = commit(main, writer, reader, 'k', 'forty days ago', now - 40 * DAY_US);
  const tenDays = commit(main, writer, reader, 'k', 'ten days ago', now - 10 * DAY_US);
  const recent = commit(main, writer, reader, 'k', 'now', now);
  t.same(main.findLsnForTimestamp(now - 30 * DAY_US), { kind: 'present', lsn: tenDays - 8 }, '30 days ago: just before the ten-day-old commit');
  t.same(main.findLsnForTimestamp(now - 7 * DAY_US), { kind: 'present', lsn: recent - 8 });
  t.same(main.findLsnForTimestamp(now + 1), { kind: 'future', lsn: recent });
  t.same(main.findLsnForTimestamp(now - 50 * DAY_US), { kind: 'past', lsn: INITDB_LSN });

  // After a flush and a reload (a restart; a restore from remote storage loads the same layers)
  // the mapping is read back from the layer files, not from memory.
  await main.checkpointOrThrow();
  await main.close();
  main = await Timeline.load('tenant', mainDir, meta('a'.repeat(32), null, null), null);
  t.equal(main.lastRecordLsn, recent);
  t.same(main.findLsnForTimestamp(now - 30 * DAY_US), { kind: 'present', lsn: tenDays - 8 }, 'the same answer after the reload');

  // A branch at the ten-day-old commit sees its ancestor's commit times below its branch point.
  const branch = await Timeline.create('tenant', path.join(dir, 'branch'), meta('b'.repeat(32), main, tenDays), main, 0);
  t.teardown(() => branch.close());
  main.children.add(branch);
  t.same(branch.findLsnForTimestamp(now - 30 * DAY_US), { kind: 'past', lsn: tenDays }, 'what precedes the branch point is not searched');
  const branchWriter = new WalWriter(tenDays, 0);
  const branchReader = new WalReader(tenDays);
  const branchCommit = commit(branch, branchWriter, branchReader, 'k', 'on the branch', now - DAY_US);
  t.same(branch.findLsnForTimestamp(now - 5 * DAY_US), { kind: 'present', lsn: branchCommit - 8 }, 'its own commit, after the ancestor\'s ten-day-old one');
  t.same(branch.findLsnForTimestamp(now), { kind: 'future', lsn: branchCommit }, 'the ancestor\'s newer commit is not the branch\'s');

  // GC: 30-day PITR moves the cutoff past the forty-day-old commit and keeps the ten-day-old one,
  // even with gc_horizon 0; the default 7 days would not keep it.
  await main.gc(gcSettings({ pitr_interval: '30 days', gc_horizon: 0 }));
  t.equal(main.appliedGcCutoffLsn, tenDays - 8, 'the cutoff is the time cutoff');
  t.ok(main.appliedGcCutoffLsn > old, 'past the forty-day-old commit');
  t.equal(main.get(Buffer.from('k'), tenDays)?.toString(), 'ten days ago', 'the ten-day-old version still reads');
  t.throws(() => main.get(Buffer.from('k'), old), { code: 'lsn-out-of-range' }, 'the forty-day-old one is refused');
  await main.gc(gcSettings({ gc_horizon: 0 }));
  t.equal(main.appliedGcCutoffLsn, recent - 8, 'the default 7 days: the cutoff passes the ten-day-old commit');
  t.throws(() => main.get(Buffer.from('k'), tenDays), { code: 'lsn-out-of-range' });
});
