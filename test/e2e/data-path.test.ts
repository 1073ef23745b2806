// The data path as a new user meets it: rows written through psql's protocol survive safekeeper
// outages (blocking without a majority, never failing silently), a cluster restart, and branching.

import t from 'tap';
import { startTestCluster } from '../../fixtures/tap.ts';
import { insertRange, keysBetween, query, withClient } from '../helpers/sql.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('10,000 rows through a safekeeper outage, a restart and a branch', async (t) => {
  const cluster = await startTestCluster(t, { withEndpoint: true });
  const main = cluster.endpoint('ep-main');
  await query(main, 'CREATE TABLE t (k bigint PRIMARY KEY, v text NOT NULL)');
  await withClient(main, (c) => insertRange(c, 't', 1, 10_001));
  t.same((await query(main, 'SELECT count(*) AS n, sum(k) AS s FROM t')).rows, [{ n: '10000', s: '50005000' }], '10,000 rows');

  await cluster.stopComponent('sk1');
  await query(main, "INSERT INTO t VALUES (10001, 'one safekeeper down')");
  t.pass('a write commits with 2 of 3 safekeepers');

  await cluster.stopComponent('sk2');
  let settled: string | null = null;
  const blocked = query(main, "INSERT INTO t VALUES (10002, 'no majority')").then(
    () => (settled = 'committed'),
    (err: Error) => (settled = `failed: ${err.message}`),
  );
  await sleep(1500);
  t.equal(settled, null, 'with 1 of 3 safekeepers the commit neither succeeds nor fails: it waits');
  await cluster.startComponent('sk1');
  await blocked;
  t.equal(settled, 'committed', 'it completes once a second safekeeper is back');
  await cluster.startComponent('sk2');

  await cluster.restart();
  t.same((await query(main, 'SELECT count(*) AS n, sum(k) AS s FROM t')).rows, [{ n: '10002', s: String(50005000 + 10001 + 10002) }], 'every row after stop and start');

  const branchPoint = (await query(main, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string;
  await query(main, "INSERT INTO t VALUES (20000, 'after the branch point')");
  const branch = await cluster.createBranch('past', { lsn: branchPoint });
  t.equal(branch.ancestorLsn, branchPoint, 'the branch starts at the LSN asked for');
  const past = await cluster.createEndpoint({ branchName: 'past' });
  t.equal(past.id, 'ep-past', 'default endpoint id: ep-<branch>');
  const expected = new Set(Array.from({ length: 10_002 }, (_, i) => i + 1));
  t.same(await keysBetween(past, 't', 0, 1e9), expected, 'the branch sees exactly the rows before its LSN');
  await query(past, "INSERT INTO t VALUES (30000, 'only on the branch')");
  t.same((await query(past, 'SELECT v FROM t WHERE k IN (20000, 30000)')).rows, [{ v: 'only on the branch' }], 'its own writes, not main’s later ones');
  t.same((await query(main, 'SELECT v FROM t WHERE k IN (20000, 30000)')).rows, [{ v: 'after the branch point' }], 'main is unaffected by the branch');

  const frozen = await cluster.createEndpoint({ id: 'ro', lsn: branchPoint });
  t.same(await keysBetween(frozen, 't', 0, 1e9), expected, 'a static endpoint reads main as of its LSN');
  await t.rejects(query(frozen, "INSERT INTO t VALUES (1, 'x')"), { code: '25006' }, 'and refuses writes, before any other check');

  // More than a 16 MiB segment of WAL in large transactions: padding records at segment ends.
  const mib = 'm'.repeat(1024 * 1024 - 100);
  await withClient(main, async (c) => {
    await c.query('CREATE TABLE big (k int PRIMARY KEY, v text)');
    for (let i = 0; i < 20; i++) await c.query('INSERT INTO big VALUES ($1, $2)', [i, `${i}:${mib}`]);
  });
  const sizes = await query(main, 'SELECT k, v FROM big WHERE k BETWEEN 0 AND 19');
  t.same(sizes.rows.map((r: { k: number; v: string }) => [r.k, r.v.length, r.v.startsWith(`${r.k}:`)]), Array.from({ length: 20 }, (_, i) => [i, mib.length + `${i}:`.length, true]), '20 MiB of WAL across segment boundaries reads back');

  const stoppedAt = await cluster.stopEndpoint('ep-past');
  t.match(stoppedAt, /^[0-9A-F]+\/[0-9A-F]+$/, 'endpoint stop reports the last flushed LSN');
  const restarted = await cluster.startEndpoint('ep-past');
  t.same((await query(restarted, 'SELECT count(*) AS n FROM t')).rows, [{ n: '10003' }], 'a restarted endpoint starts from the pageserver’s state');
});
