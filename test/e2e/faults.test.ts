// Faults on a running cluster, through the CLI and the fixture: every link goes through the
// harness's proxies, so cutting the compute from two of three safekeepers blocks commits until
// healed; processes can be paused, killed and brought back; `stop` heals everything.

import t from 'tap';
import { startTestCluster } from '../../fixtures/tap.ts';
import { cliIn } from '../helpers/cli.ts';
import { isDead, processesWithCwdUnder, waitUntil } from '../helpers/processes.ts';
import { query } from '../helpers/sql.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('partitions through the link proxies', async (t) => {
  const cluster = await startTestCluster(t, { withEndpoint: true });
  const ep = cluster.endpoint('ep-main');
  await query(ep, 'CREATE TABLE t (k int PRIMARY KEY, v text)');
  const links = await cluster.faults.links();
  t.ok(links.some((l) => l.source === 'ep-main' && l.target === 'sk1' && l.connections > 0), 'the compute reaches sk1 through a proxy');
  t.ok(links.some((l) => l.source === 'ps1' && l.target.startsWith('sk') && l.connections > 0), 'the pageserver streams WAL through one');

  const cut = await cluster.faults.partition('ep-main', 'sk1,sk2');
  let outcome: string | null = null;
  const blocked = query(ep, "INSERT INTO t VALUES (1, 'during the partition')").then(() => (outcome = 'committed'), (err: Error) => (outcome = err.message));
  await sleep(1500);
  t.equal(outcome, null, 'cut from 2 of 3 safekeepers, a commit is not acknowledged');
  t.same((await cluster.faults.list()).map((f) => f.id), [cut.id], 'fault list shows it');
  await cluster.faults.heal(cut);
  await blocked;
  t.equal(outcome, 'committed', 'after heal the commit completes');
  t.same((await query(ep, 'SELECT v FROM t WHERE k = 1')).rows, [{ v: 'during the partition' }], 'and it is there');

  // One safekeeper cut: the majority still commits.
  await cluster.faults.partition('ep-main', 'sk3', { forMs: 1000 });
  await query(ep, "INSERT INTO t VALUES (2, 'with sk3 cut off')");
  t.pass('commits go on with one safekeeper partitioned');
  await waitUntil('the timed partition healed by itself', async () => (await cluster.faults.list()).length === 0, 5000);

  // Latency on the compute's links shows in commit time.
  await cluster.faults.latency('ep-main', 'sk*', 150, { oneWay: true });
  const began = Date.now();
  await query(ep, "INSERT INTO t VALUES (3, 'slow')");
  t.ok(Date.now() - began >= 140, `a commit takes the added latency (${Date.now() - began} ms)`);
  await cluster.faults.healAll();

  // The pageserver cut from every safekeeper falls behind, then catches up.
  await cluster.faults.partition('ps1', 'sk*');
  await query(ep, "INSERT INTO t VALUES (4, 'while the pageserver is cut off')");
  const lag = await cluster.pageserver(1).timeline(ep.tenantId, ep.timelineId);
  await cluster.faults.heal('ps1', 'sk*');
  t.same((await query(ep, 'SELECT v FROM t WHERE k = 4')).rows, [{ v: 'while the pageserver is cut off' }], `read after heal (the pageserver was at ${lag.last_record_lsn})`);
});

t.test('process faults, the CLI, bad input, and stop heals', async (t) => {
  const cluster = await startTestCluster(t, { withEndpoint: true });
  const repo = cluster.repoDir;
  const run = (...args: string[]) => cliIn(repo, args);
  const ep = cluster.endpoint('ep-main');
  await query(ep, 'CREATE TABLE t (k int PRIMARY KEY, v text)');

  const paused = await run('fault', 'pause', 'sk1', '--for', '3s', '--json');
  t.equal(paused.exitCode, 0, 'fault pause', { stderr: paused.stderr });
  t.match(paused.json, { kind: 'pause', targets: ['sk1'] });
  t.match((await cluster.status()).components.find((c) => c.name === 'sk1'), { state: 'not-ready' }, 'sk1 is stopped');
  await waitUntil('sk1 resumed after 3 s', async () => (await cluster.status()).components.find((c) => c.name === 'sk1')!.state === 'running', 5000);

  const before = (await cluster.status()).components.find((c) => c.name === 'ps1')!.pid!;
  t.equal((await run('fault', 'kill', 'ps1', '--for', '500ms')).exitCode, 0, 'fault kill --for');
  t.ok(isDead(before), 'the pageserver was killed');
  await waitUntil('ps1 started again', async () => (await cluster.status()).components.find((c) => c.name === 'ps1')!.state === 'running', 15_000);
  await query(ep, "INSERT INTO t VALUES (1, 'after the pageserver came back')");
  t.same((await query(ep, 'SELECT v FROM t WHERE k = 1')).rows, [{ v: 'after the pageserver came back' }]);

  const list = await run('fault', 'partition', 'ep-main', 'sk1', '--one-way');
  t.match(list.stdout, /^f\d+: partition ep-main → sk1 \(until healed\)$/m, 'one-way shown with an arrow');
  t.match((await run('fault', 'list')).stdout, /partition ep-main → sk1/);
  t.equal((await run('fault', 'heal', '--all')).exitCode, 0);
  t.match((await run('fault', 'list')).stdout, /No faults in effect/);

  const unknown = await run('fault', 'partition', 'ep-main', 'sk9');
  t.equal(unknown.exitCode, 1, 'unknown component: exit 1');
  t.match(unknown.stderr, /no component matches "sk9"[\s\S]*components: broker, storcon, ps1, sk1, sk2, sk3, ep-main/, 'lists the valid names');
  const badDuration = await run('fault', 'pause', 'sk1', '--for', 'soon');
  t.equal(badDuration.exitCode, 1, 'malformed duration: exit 1');
  t.match(badDuration.stderr, /"soon" is not a duration/);
  t.match((await run('fault', 'heal')).stderr, /say what to heal/, 'heal without a target says how');
  t.match((await run('fault', 'latency', 'ep-main', 'sk1')).stderr, /say how long/);
  const badRate = await run('fault', 'bandwidth', 'ep-main', 'sk1', 'fast');
  t.equal(badRate.exitCode, 1, 'malformed rate: exit 1');
  t.match(badRate.stderr, /^neon-local: "fast" is not a rate; use bytes per second with an optional unit, e\.g\. 1MB\/s, 512KiB\/s\.\nhint: see `neon-local fault bandwidth --help`$/, 'one line and a hint, no stack trace');
  const badDelay = await run('fault', 'latency', 'ep-main', 'sk1', 'slow');
  t.equal(badDelay.exitCode, 1, 'malformed delay: exit 1');
  t.match(badDelay.stderr, /^neon-local: "slow" is not a duration; use a number with a unit, e\.g\. 10s, 500ms, 1m\.\nhint: see `neon-local fault latency --help`$/);

  // A paused component does not hold up stop; nothing is left afterwards.
  await run('fault', 'pause', 'sk2');
  await run('fault', 'partition', 'ps1', 'sk*');
  const stopped = await run('stop');
  t.equal(stopped.exitCode, 0, 'stop with faults in effect');
  t.same(processesWithCwdUnder(repo), [], 'no process left');
  t.match((await run('fault', 'list')).stderr, /is not running/, 'fault commands need a running cluster');
});

t.test('without link proxies, link faults are refused and process faults still work', async (t) => {
  const cluster = await startTestCluster(t, { spec: { link_proxies: false } });
  t.same(await cluster.faults.links(), [], 'no proxies');
  await t.rejects(cluster.faults.partition('ps1', 'sk1'), { message: /a partition needs the link proxies, and this cluster runs without them \(link_proxies: false in cluster\.yaml\)/ });
  const cut = await cliIn(cluster.repoDir, ['fault', 'cut', 'ps1', 'sk1']);
  t.equal(cut.exitCode, 1, 'the CLI exits 1');
  t.match(cut.stderr, /a cut needs the link proxies[\s\S]*hint: set link_proxies: true in cluster\.yaml/);
  t.same(await cluster.faults.list(), [], 'nothing recorded');
  const killed = await cluster.faults.kill('sk1', { forMs: 300 });
  t.match(killed, { kind: 'kill', targets: ['sk1'] });
  await waitUntil('sk1 back', async () => (await cluster.status()).components.find((c) => c.name === 'sk1')!.state === 'running', 15_000);
});
