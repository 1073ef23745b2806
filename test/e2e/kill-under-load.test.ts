// kill -9 of a random safekeeper or the pageserver, at random moments, under a write load: every
// acknowledged row must still be there, and the safekeepers must end with identical WAL.

import crypto from 'node:crypto';
import t from 'tap';
import { parseLsn } from '../../cluster/wal/lsn.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { InsertLoad, KEYS_PER_WORKER } from '../helpers/load.ts';
import { isDead, waitUntil } from '../helpers/processes.ts';
import { keysBetween, query } from '../helpers/sql.ts';
import { readWal, safekeeperTimelineDir } from '../helpers/wal.ts';

const KILLS = Number(process.env['NEON_LOCAL_KILLS'] ?? 24);
const WORKERS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test(`${KILLS} kill -9s of safekeepers and the pageserver under load`, async (t) => {
  const cluster = await startTestCluster(t, { withEndpoint: true });
  const ep = cluster.endpoint('ep-main');
  await query(ep, 'CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  const load = new InsertLoad(ep, 't', WORKERS);
  const targets = ['sk1', 'sk2', 'sk3', 'ps1'];
  const killed: Record<string, number> = {};
  for (let i = 0; i < KILLS; i++) {
    await sleep(150 + crypto.randomInt(600));
    const target = targets[crypto.randomInt(targets.length)]!;
    const before = load.ackedCount;
    const pid = await cluster.kill(target, 'SIGKILL');
    await waitUntil(`${target} dead`, () => isDead(pid), 5000);
    await cluster.startComponent(target);
    killed[target] = (killed[target] ?? 0) + 1;
    // Progress between kills: the load must not be stuck.
    await waitUntil(`writes after restarting ${target}`, () => load.ackedCount > before, 30_000);
  }
  const result = await load.stop();
  t.comment(`kills: ${JSON.stringify(killed)}; acknowledged rows: ${result.acked.length}; failed statements: ${result.errors}`);
  t.ok(result.acked.length > KILLS * 5, 'the load made progress');

  const found = await keysBetween(ep, 't', 0, (WORKERS + 1) * KEYS_PER_WORKER);
  const missing = result.acked.filter((k) => !found.has(k));
  t.same(missing, [], 'every acknowledged row is readable');
  const written = new Set([...result.acked, ...result.uncertain]);
  const unexpected = [...found].filter((k) => !written.has(k));
  t.same(unexpected, [], 'no row appeared that nobody wrote');

  // A fresh compute reads only what the pageserver has.
  await cluster.stopEndpoint('ep-main');
  const again = await cluster.startEndpoint('ep-main');
  const reread = await keysBetween(again, 't', 0, (WORKERS + 1) * KEYS_PER_WORKER);
  t.same(result.acked.filter((k) => !reread.has(k)), [], 'and still after the endpoint restarts');

  // The safekeepers converge: same flush_lsn, byte-identical WAL.
  const { tenantId, timelineId } = again;
  const flushLsns = async () => Promise.all(cluster.safekeepers.map(async (sk) => (await sk.timeline(tenantId, timelineId)).flush_lsn));
  await waitUntil('safekeepers at the same flush_lsn', async () => new Set(await flushLsns()).size === 1, 30_000);
  const status = await cluster.safekeeper(1).timeline(tenantId, timelineId);
  const start = parseLsn(status.timeline_start_lsn);
  const end = parseLsn(status.flush_lsn);
  const wal = cluster.safekeepers.map((sk) => readWal(safekeeperTimelineDir(cluster.repoDir, sk.id, tenantId, timelineId), start, end));
  t.ok(end > start, `WAL from ${status.timeline_start_lsn} to ${status.flush_lsn}`);
  t.ok(wal.every((w) => w.equals(wal[0]!)), 'identical WAL on every safekeeper');
});
