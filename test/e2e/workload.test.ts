// The history workload under kill -9 of a safekeeper and of the pageserver: the checker must find
// the history clean (every acknowledged write visible at the end and readable at its commit LSN),
// and must find the same history's corrupted copies dirty.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { checkHistory, lsnCheckOn, readHistory, startWorkload, type HistoryEvent, type Workload } from '../../fixtures/index.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { isDead, waitUntil } from '../helpers/processes.ts';
import { parseLsn } from '../../cluster/wal/lsn.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the workload has acknowledged `more` operations beyond now. */
function progress(load: Workload, more: number, what: string): Promise<void> {
  const target = load.ok + more;
  return waitUntil(what, () => load.ok >= target, 30_000);
}

t.test('no acknowledged write is lost through kill -9 of a safekeeper and the pageserver', async (t) => {
  const cluster = await startTestCluster(t, { withEndpoint: true });
  const ep = cluster.endpoint('ep-main');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workload-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const historyFile = path.join(dir, 'history.jsonl');

  const load = await startWorkload(ep, { clients: 4, keys: 6, readFraction: 0.25, seed: 42, historyFile, requestTimeoutMs: 2000 });
  const seen: HistoryEvent[] = [];
  load.onEvent((e) => seen.push(e));
  await progress(load, 100, 'writes before any fault');

  for (const target of ['sk2', 'ps1']) {
    const pid = await cluster.kill(target, 'SIGKILL');
    await waitUntil(`${target} dead`, () => isDead(pid), 5000);
    await sleep(300); // operations meet the dead component
    await cluster.startComponent(target);
    await progress(load, 100, `writes after restarting ${target}`);
  }
  // Without a quorum, commits in flight get no answer: their outcome is unknown.
  const pids = await Promise.all(['sk1', 'sk3'].map((sk) => cluster.kill(sk, 'SIGKILL')));
  await waitUntil('sk1 and sk3 dead', () => pids.every(isDead), 5000);
  await waitUntil('requests without an answer', () => load.unknown > 0, 10_000);
  await Promise.all(['sk1', 'sk3'].map((sk) => cluster.startComponent(sk)));
  await progress(load, 100, 'writes after the quorum is back');
  const snapshot = await load.recordDurability(cluster.safekeepers);
  t.same(Object.keys(snapshot.safekeepers), ['sk1', 'sk2', 'sk3'], 'a durability snapshot reads every safekeeper');
  t.ok(Object.values(snapshot.safekeepers).every((lsn) => lsn !== null), 'and each answers');
  await progress(load, 20, 'writes after the snapshot');
  const history = await load.finish();
  const { stats } = history;
  t.comment(`ok ${stats.ok} (writes ${stats.writes.ok}, reads ${stats.reads.ok}), fail ${stats.fail}, unknown ${stats.unknown}; last error: ${load.lastError}`);
  t.ok(stats.writes.ok > 200, 'writes were acknowledged');
  t.ok(stats.setupMs !== null && stats.setupMs > 0 && stats.setupMs < stats.durationMs, 'setup time is counted apart');
  t.equal(stats.opsPerSecond, Math.round((stats.ok / (stats.durationMs - stats.setupMs!)) * 10000) / 10, 'throughput over the clients\' time');
  t.ok(stats.reads.ok > 20, 'reads ran');
  t.ok(stats.writes.unknown > 0, 'some writes have an unknown outcome');
  t.same(seen, history.events.slice(history.events.length - seen.length), 'onEvent saw every event since it subscribed');
  const series = load.series();
  t.ok(series.length >= 2 && series.every((p) => p.t % 1000 === 0), 'a per-second series');
  t.equal(series.reduce((n, p) => n + p.ok, 0), stats.ok, 'that counts every ok operation');

  const file = readHistory(historyFile);
  t.same(file, { header: history.header, events: history.events, durability: [snapshot] }, 'the file holds the same history');
  t.equal(file.events.filter((e) => e.type === 'final').length, 6, 'a final value per key');

  const check = checkHistory(history.events, history.durability);
  t.same(check.violations, [], 'the checker finds nothing');
  t.ok(check.stats.durabilityChecked > 100 && check.stats.durabilityChecked < stats.writes.ok, 'writes acknowledged before the snapshot were held to it');
  t.equal(check.stats.acknowledged, stats.writes.ok);
  t.equal(check.stats.lsnChecked, stats.writes.ok, 'every acknowledged write has a commit LSN');
  const lsn = await lsnCheckOn(cluster, history);
  t.same(lsn.violations, [], 'every acknowledged write reads back at its commit LSN');
  t.equal(lsn.checked + lsn.skipped, stats.writes.ok);
  t.ok(lsn.checked > 0);

  // The same history, corrupted: the checker must notice.
  const finals = history.events.filter((e) => e.type === 'final' && e.value !== null);
  const acked = new Set(history.events.filter((e) => e.type === 'ok' && e.op === 'write').map((e) => `${e.key}=${e.value}`));
  const victim = finals.find((e) => acked.has(`${e.key}=${e.value}`));
  t.ok(victim, 'some key ends with an acknowledged value');
  const dropped = history.events.map((e) => (e === victim ? { ...e, value: null } : e));
  t.match(checkHistory(dropped).violations, [{ kind: 'lost', key: victim!.key }], 'an acknowledged value dropped from the final state is lost');
  const phantom = [...history.events, { ...finals[0]!, value: 'nobody-wrote-this' }];
  t.match(checkHistory(phantom).violations, [{ kind: 'phantom', key: finals[0]!.key }], 'an injected final value is a phantom');

  // Two acknowledged writes of one key with their LSNs swapped: wrong in real time and at the pageserver.
  const oks = history.events.filter((e) => e.type === 'ok' && e.op === 'write' && e.key === victim!.key);
  const [a, b] = [oks[0]!, oks.at(-1)!];
  const swapped = history.events.map((e) => (e === a ? { ...a, lsn: b.lsn } : e === b ? { ...b, lsn: a.lsn } : e));
  t.ok(checkHistory(swapped).violations.some((v) => v.kind === 'LSN order'), 'swapped LSNs contradict real time');
  const reread = await lsnCheckOn(cluster, { header: history.header, events: swapped, durability: [] });
  t.same(reread.violations.map((v) => v.kind), ['LSN read', 'LSN read'], 'and the pageserver has other values there');

  // Safekeepers that "lost" WAL: two of three flushed less than the newest write acknowledged before the snapshot.
  const before = history.events.filter((e) => e.type === 'ok' && e.op === 'write' && e.time < snapshot.time).at(-1)!;
  const lost = { ...snapshot, safekeepers: { ...snapshot.safekeepers, sk1: '0/0', sk3: '0/10' } };
  const notDurable = checkHistory(history.events, [lost]).violations;
  t.ok(notDurable.length > 0 && notDurable.every((v) => v.kind === 'not durable'), 'acknowledged writes beyond a majority\'s flush_lsn are not durable');
  t.ok(notDurable.some((v) => v.key === before.key && v.ops.includes(before)), 'naming the write');
  const [laggard] = Object.entries(snapshot.safekeepers).sort(([, a], [, b]) => parseLsn(a!) - parseLsn(b!))[0]!;
  const oneBehind = { ...snapshot, safekeepers: { ...snapshot.safekeepers, [laggard]: '0/0' } };
  t.same(checkHistory(history.events, [oneBehind]).violations, [], 'one safekeeper behind is within the quorum rule');
});
