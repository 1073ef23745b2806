// The history checker on hand-built histories: each rule catches its violation, and valid
// histories — concurrent writes, unknown outcomes, reads racing writes — pass.

import t from 'tap';
import { checkHistory } from '../../cluster/workload/checker.ts';
import type { DurabilitySnapshot } from '../../cluster/workload/durability.ts';
import { FINAL_PROCESS, type HistoryEvent } from '../../cluster/workload/history.ts';

const ids = { endpoint: 'ep-main', tenant: 'a'.repeat(32), timeline: 'b'.repeat(32) };
const ev = (type: HistoryEvent['type'], op: HistoryEvent['op'], process: number, time: number, key: string, value: string | null, lsn: string | null = null, error?: string): HistoryEvent =>
  ({ type, op, process, time, key, value, lsn, ...ids, ...(error ? { error } : {}) });

/** A small DSL: operations as [invoke time, completion time]. */
const h = {
  write: (p: number, from: number, to: number, key: string, value: string, outcome: 'ok' | 'fail' | 'unknown', lsn?: string) => [
    ev('invoke', 'write', p, from, key, value),
    ev(outcome, 'write', p, to, key, value, outcome === 'ok' ? (lsn ?? null) : null, outcome === 'ok' ? undefined : 'HTTP 503: boom'),
  ],
  read: (p: number, from: number, to: number, key: string, value: string | null) => [ev('invoke', 'read', p, from, key, null), ev('ok', 'read', p, to, key, value)],
  final: (time: number, key: string, value: string | null) => [ev('final', 'read', FINAL_PROCESS, time, key, value)],
};
/** Events from several operations, in time order as a recorder writes them. */
const history = (...parts: HistoryEvent[][]) => parts.flat().sort((a, b) => a.time - b.time);
const kinds = (events: HistoryEvent[]) => checkHistory(events).violations.map((v) => v.kind);

t.test('valid histories pass', async (t) => {
  const sequential = history(
    h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000100'),
    h.read(1, 12, 14, 'k1', '0-1'),
    h.write(0, 20, 30, 'k1', '0-2', 'ok', '0/1000200'),
    h.read(1, 31, 33, 'k1', '0-2'),
    h.final(100, 'k1', '0-2'),
  );
  const result = checkHistory(sequential);
  t.same(result.violations, []);
  t.ok(result.ok);
  t.same(result.stats, { writes: 2, acknowledged: 2, failed: 0, unknown: 0, reads: 2, keys: 1, lsnChecked: 2, durabilitySnapshots: 0, durabilityChecked: 0 });

  // Two overlapping acknowledged writes: either may win, reads during them may see either.
  for (const winner of ['0-1', '1-1']) {
    const concurrent = history(
      h.write(0, 0, 20, 'k1', '0-1', 'ok', winner === '0-1' ? '0/1000200' : '0/1000100'),
      h.write(1, 5, 25, 'k1', '1-1', 'ok', winner === '0-1' ? '0/1000100' : '0/1000200'),
      h.read(2, 10, 12, 'k1', null),
      h.read(2, 13, 15, 'k1', '1-1'),
      h.read(2, 16, 18, 'k1', '0-1'),
      h.final(50, 'k1', winner),
    );
    t.same(checkHistory(concurrent).violations, [], `concurrent writes, ${winner} last`);
  }

  // Unknown writes may or may not have happened, even showing up after later acknowledged writes.
  const unknowns = history(
    h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000100'),
    h.write(1, 11, 5000, 'k1', '1-1', 'unknown'),
    h.write(0, 20, 30, 'k1', '0-2', 'ok', '0/1000300'),
    h.read(2, 40, 41, 'k1', '1-1'),
    h.write(3, 50, 60, 'k2', '3-1', 'unknown'),
    h.read(2, 70, 71, 'k2', null),
    h.final(6000, 'k1', '1-1'),
    h.final(6000, 'k2', null),
  );
  const u = checkHistory(unknowns);
  t.same(u.violations, [], 'unknown outcomes are accepted either way');
  t.match(u.stats, { writes: 4, acknowledged: 2, unknown: 2, failed: 0, keys: 2 });

  // A write invoked but never completed (a crash cut the history) counts as unknown.
  const cut = history(h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000100'), [ev('invoke', 'write', 0, 20, 'k1', '0-2')], h.final(30, 'k1', '0-2'));
  t.same(checkHistory(cut).violations, []);
  t.equal(checkHistory(cut).stats.unknown, 1);

  t.same(checkHistory(history(h.final(1, 'k9', null))).violations, [], 'a key never written is absent');
  t.same(checkHistory(history(h.write(0, 0, 1, 'k1', '0-1', 'fail'), h.final(5, 'k1', null))).violations, [], 'a failed write stays invisible');
});

t.test('phantom: a value no write put there', async (t) => {
  t.same(kinds(history(h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000100'), h.read(1, 12, 13, 'k1', 'zz'))), ['phantom'], 'never written');
  t.same(kinds(history(h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000100'), h.final(20, 'k1', '9-9'))), ['phantom'], 'a phantom final value');
  t.same(kinds(history(h.write(0, 0, 10, 'k2', '0-1', 'ok', '0/1000100'), h.read(1, 12, 13, 'k1', '0-1'))), ['phantom'], 'written to another key');
  const early = history(h.read(1, 0, 2, 'k1', '0-1'), h.write(0, 5, 10, 'k1', '0-1', 'ok', '0/1000100'));
  const v = checkHistory(early).violations;
  t.same(v.map((x) => x.kind), ['phantom'], 'read before the write was invoked');
  t.match(v[0]!.message, /after the read completed/);
  t.equal(v[0]!.ops.length, 4, 'names the write and the read');
});

t.test('failed write visible', async (t) => {
  const v = checkHistory(history(h.write(0, 0, 10, 'k1', '0-1', 'fail'), h.read(1, 20, 21, 'k1', '0-1'), h.final(30, 'k1', '0-1'))).violations;
  t.same(v.map((x) => x.kind), ['failed write visible', 'failed write visible']);
  t.match(v[0]!.message, /failed definitely/);
});

t.test('stale read', async (t) => {
  const superseded = history(
    h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000100'),
    h.write(0, 20, 30, 'k1', '0-2', 'ok', '0/1000200'),
    h.read(1, 40, 41, 'k1', '0-1'),
    h.final(50, 'k1', '0-2'),
  );
  const v = checkHistory(superseded).violations;
  t.same(v.map((x) => x.kind), ['stale read']);
  t.match(v[0]!.message, /superseded before the read began/);
  t.same(v[0]!.ops.map((e) => e.value), ['0-1', '0-1', '0-2', '0-2', null, '0-1'], 'the old write, the newer one, the read');

  t.same(kinds(history(h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000100'), h.read(1, 11, 12, 'k1', null), h.final(20, 'k1', '0-1'))), ['stale read'], 'absent after an acknowledged write');
  // Overlapping with the read is not stale: the newer write completed after the read began.
  t.same(kinds(history(h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000100'), h.write(0, 20, 45, 'k1', '0-2', 'ok', '0/1000200'), h.read(1, 40, 50, 'k1', '0-1'))), []);
});

t.test('lost: the final state is older than an acknowledged write', async (t) => {
  const lost = history(
    h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000100'),
    h.write(0, 20, 30, 'k1', '0-2', 'ok', '0/1000200'),
    h.final(50, 'k1', '0-1'),
  );
  const v = checkHistory(lost).violations;
  t.same(v.map((x) => x.kind), ['lost']);
  t.match(v[0]!.message, /expected "0-2"/);
  t.ok(v[0]!.ops.some((e) => e.type === 'ok' && e.value === '0-2'), 'names the acknowledged write that should show');

  const gone = checkHistory(history(h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000100'), h.write(1, 5, 12, 'k1', '1-1', 'ok', '0/1000200'), h.final(50, 'k1', null))).violations;
  t.same(gone.map((x) => x.kind), ['lost'], 'absent although writes were acknowledged');
  t.match(gone[0]!.message, /expected "0-1" or "1-1"/, 'either concurrent write would do');
  t.ok(checkHistory(history(h.write(0, 0, 10, 'k1', '0-1', 'ok'), h.final(50, 'k1', null))).ok === false);
});

t.test('LSN order: commit LSNs that contradict real time', async (t) => {
  const backwards = history(
    h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000200'),
    h.write(0, 20, 30, 'k1', '0-2', 'ok', '0/1000100'),
    h.final(50, 'k1', '0-2'),
  );
  const v = checkHistory(backwards).violations;
  t.same(v.map((x) => x.kind), ['LSN order']);
  t.match(v[0]!.message, /commit LSN is not higher/);
  t.same(kinds(history(h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000100'), h.write(0, 20, 30, 'k1', '0-2', 'ok', '0/1000100'), h.final(50, 'k1', '0-2'))), ['LSN order'], 'equal LSNs too');
  t.same(kinds(history(h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000200'), h.write(0, 20, 30, 'k2', '0-2', 'ok', '0/1000100'))), [], 'only within a key');
});

t.test('not durable: a write acknowledged before a snapshot must be flushed on a majority', async (t) => {
  const snap = (time: number, sk1: string | null, sk2: string | null, sk3: string | null): DurabilitySnapshot =>
    ({ type: 'durability', time, tenant: ids.tenant, timeline: ids.timeline, safekeepers: { sk1, sk2, sk3 } });
  const events = history(
    h.write(0, 0, 10, 'k1', '0-1', 'ok', '0/1000100'),
    h.write(1, 5, 30, 'k2', '1-1', 'ok', '0/1000200'),
    h.write(2, 6, 40, 'k3', '2-1', 'unknown'),
    h.final(100, 'k1', '0-1'), h.final(100, 'k2', '1-1'),
  );
  t.same(checkHistory(events, [snap(50, '0/1000200', '0/1000200', '0/0')]).violations, [], 'two of three flushed both');
  const twoBehind = checkHistory(events, [snap(50, '0/1000100', '0/1000200', '0/1000100')]);
  t.same(twoBehind.violations.map((v) => [v.kind, v.key]), [['not durable', 'k2']], 'only one of three flushed k2\'s commit');
  t.match(twoBehind.violations[0]!.message, /0\/1000200.*only 1 of 3 safekeepers.*sk1 0\/1000100, sk2 0\/1000200, sk3 0\/1000100.*majority \(2\)/);
  t.equal(twoBehind.violations[0]!.ops.length, 2, 'with the write\'s invoke and acknowledgement');
  t.same(checkHistory(events, [snap(20, '0/1000100', '0/1000100', '0/0')]).violations, [], 'a write acknowledged after the snapshot is not held to it');
  t.same(checkHistory(events, [snap(50, '0/1000100', null, null)]).violations, [], 'safekeepers that did not answer may hold it');
  t.same(kinds(events), [], 'no snapshot, no rule');
  const twice = checkHistory(events, [snap(50, '0/0', '0/0', '0/1000200'), snap(60, '0/0', '0/0', '0/1000200')]);
  t.same(twice.violations.map((v) => v.key), ['k1', 'k2'], 'each write reported once, at the first snapshot that misses it');
  t.equal(twice.stats.durabilityChecked, 2);
  t.equal(twice.stats.durabilitySnapshots, 2);
  const otherTimeline = { ...snap(50, '0/0', '0/0', '0/0'), timeline: 'c'.repeat(32) };
  t.same(checkHistory(events, [otherTimeline]).violations, [], 'a snapshot of another timeline does not apply');
});
