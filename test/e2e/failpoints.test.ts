// Failpoints in a running cluster: set over each component's HTTP API or at startup (FAILPOINTS),
// they interrupt the data path where they say — a paused WAL write on a safekeeper costs the
// quorum that safekeeper, an injected error fails the operation it guards.

import t from 'tap';
import { httpRequest } from '../../cluster/clients/http.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { waitUntil } from '../helpers/processes.ts';
import { query } from '../helpers/sql.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How many callers wait at a paused failpoint of a component. */
async function pausedAt(client: { listFailpoints(): Promise<{ name: string; paused: number }[]> }, name: string): Promise<number> {
  return (await client.listFailpoints()).find((f) => f.name === name)?.paused ?? 0;
}

/** Tracks how a promise settles, without awaiting it. */
function track(p: Promise<unknown>): { state: () => string | null; done: Promise<unknown> } {
  let state: string | null = null;
  const done = p.then(() => (state = 'done'), (err: Error) => (state = `failed: ${err.message}`));
  return { state: () => state, done };
}

t.test('failpoints over HTTP in a cluster with an endpoint', async (t) => {
  const cluster = await startTestCluster(t, { withEndpoint: true });
  const main = cluster.endpoint('ep-main');
  const [sk1, sk2, sk3] = [cluster.safekeeper(1), cluster.safekeeper(2), cluster.safekeeper(3)];
  await query(main, 'CREATE TABLE t (k bigint PRIMARY KEY, v text NOT NULL)');

  await t.test('sk-write-wal=pause: one safekeeper is not missed, two block commits until released', async (t) => {
    await sk1.setFailpoint('sk-write-wal', 'pause');
    await query(main, "INSERT INTO t VALUES (1, 'sk1 paused')");
    t.pass('a commit goes through with sk1 paused (sk2 and sk3 are a majority)');
    await waitUntil('sk1 to hold a write at the failpoint', async () => (await pausedAt(sk1, 'sk-write-wal')) === 1, 5000);
    t.match(await sk1.listFailpoints(), [{ name: 'sk-write-wal', actions: 'pause', paused: 1 }], 'GET shows the paused write');

    await sk2.setFailpoint('sk-write-wal', 'pause');
    const blocked = track(query(main, "INSERT INTO t VALUES (2, 'sk1 and sk2 paused')"));
    await waitUntil('sk2 to hold a write at the failpoint', async () => (await pausedAt(sk2, 'sk-write-wal')) === 1, 5000);
    await sleep(1000);
    t.equal(blocked.state(), null, 'with two of three paused the commit waits');

    await sk2.setFailpoint('sk-write-wal', 'off');
    await Promise.race([blocked.done, sleep(20_000)]);
    t.equal(blocked.state(), 'done', 'turning the failpoint off lets the blocked commit complete');
    await sk1.setFailpoint('sk-write-wal', 'off');
    const flushed = async (sk: typeof sk1) => (await sk.timeline(main.tenantId, main.timelineId)).flush_lsn;
    await waitUntil('sk1 to catch up', async () => (await flushed(sk1)) === (await flushed(sk3)), 10_000);
    t.same((await query(main, 'SELECT k FROM t ORDER BY k')).rows, [{ k: '1' }, { k: '2' }], 'both rows are there');
  });

  await t.test('sk-write-wal=return on two safekeepers: the walproposer reconnects once it is off', async (t) => {
    await sk1.setFailpoint('sk-write-wal', '1*return');
    await sk2.setFailpoint('sk-write-wal', '1*return');
    await query(main, "INSERT INTO t VALUES (3, 'after injected write errors')");
    t.match(await sk1.listFailpoints(), [{ name: 'sk-write-wal', triggered: 1 }], 'sk1 failed one write');
    t.match(await sk2.listFailpoints(), [{ name: 'sk-write-wal', triggered: 1 }], 'sk2 failed one write');
    t.same((await query(main, 'SELECT v FROM t WHERE k = 3')).rows, [{ v: 'after injected write errors' }], 'the commit completed after the retry');
  });

  await t.test('compute failpoints fail the statement, and only it', async (t) => {
    await main.http.setFailpoint('compute-before-commit', 'return');
    await t.rejects(query(main, "INSERT INTO t VALUES (4, 'never')"), { code: 'XX000', message: 'failpoint compute-before-commit' });
    await main.http.setFailpoint('compute-before-commit', 'off');
    t.same((await query(main, 'SELECT count(*) AS n FROM t WHERE k = 4')).rows, [{ n: '0' }], 'nothing was committed');
    await main.http.setFailpoint('compute-page-read', '1*return');
    await t.rejects(query(main, 'SELECT v FROM t WHERE k = 1'), { code: '58030', message: /could not read from the pageserver: failpoint compute-page-read/ });
    t.same((await query(main, 'SELECT v FROM t WHERE k = 1')).rows, [{ v: 'sk1 paused' }], 'the next read is served');
  });

  await t.test('walreceiver-after-ingest=pause holds the pageserver’s ingest: reads of newer writes wait', async (t) => {
    const ps = cluster.pageserver(1);
    await ps.setFailpoint('walreceiver-after-ingest', 'pause');
    // Whatever fails below, the pause must not outlive this subtest (later ones read through it).
    t.teardown(() => ps.setFailpoint('walreceiver-after-ingest', 'off').then(() => {}));
    await query(main, "INSERT INTO t VALUES (6, 'ingested, then paused')");
    // After the safekeeper faults above, the receiver may first have to move to another safekeeper
    // (lagging_wal_timeout, 10 s) before WAL reaches the failpoint.
    await waitUntil('the WAL receiver to pause after ingesting', async () => (await pausedAt(ps, 'walreceiver-after-ingest')) === 1, 20_000);
    await query(main, "INSERT INTO t VALUES (7, 'behind the pause')");
    t.pass('commits go on: they need the safekeepers, not the pageserver');
    const read = track(query(main, 'SELECT v FROM t WHERE k = 7'));
    await sleep(1000);
    t.equal(read.state(), null, 'a read at the newer commit waits for the pageserver to ingest it');
    await ps.setFailpoint('walreceiver-after-ingest', 'off');
    await Promise.race([read.done, sleep(20_000)]);
    t.equal(read.state(), 'done', 'and is served once the failpoint is off');
    t.same((await query(main, 'SELECT v FROM t WHERE k IN (6, 7) ORDER BY k')).rows, [{ v: 'ingested, then paused' }, { v: 'behind the pause' }]);
  });

  await t.test('pageserver api-500 and api-503 fail its HTTP API, but not the failpoints route', async (t) => {
    const ps = cluster.pageserver(1);
    await ps.setFailpoint('api-500', 'return');
    await t.rejects(ps.status(), { status: 500, message: /answered 500: failpoint api-500/ });
    await t.rejects(ps.timelines(main.tenantId), { status: 500, message: /failpoint api-500/ }, 'every route');
    const raw = await httpRequest(`${cluster.component('ps1').httpUrl}/v1/status`);
    t.same({ status: raw.status, body: JSON.parse(raw.body) }, { status: 500, body: { msg: 'failpoint api-500' } }, "Neon's error body");
    t.match(await ps.listFailpoints(), [{ name: 'api-500', actions: 'return', triggered: 3 }], '/v1/failpoints still answers');
    await ps.failpoints([{ name: 'api-500', actions: 'off' }, { name: 'api-503', actions: 'return' }]);
    await t.rejects(ps.status(), { status: 503, message: /failpoint api-503/ });
    await ps.setFailpoint('api-503', 'off');
    t.same(await ps.status(), { id: 1 }, 'back to normal once off');
  });

  await t.test('pageserver checkpoint-before-saving-metadata and before-timeline-gc fail those operations', async (t) => {
    const ps = cluster.pageserver(1);
    await query(main, "INSERT INTO t VALUES (5, 'to flush')");
    await ps.setFailpoint('checkpoint-before-saving-metadata', '1*return');
    await t.rejects(ps.checkpoint(main.tenantId, main.timelineId), { status: 500, message: /failpoint checkpoint-before-saving-metadata/ });
    await ps.checkpoint(main.tenantId, main.timelineId);
    t.pass('the next checkpoint succeeds');
    await ps.setFailpoint('before-timeline-gc', 'return');
    await t.rejects(ps.gc(main.tenantId, main.timelineId), { status: 500, message: /failpoint before-timeline-gc/ });
    await ps.setFailpoint('before-timeline-gc', 'off');
    t.same((await query(main, 'SELECT v FROM t WHERE k = 5')).rows, [{ v: 'to flush' }], 'reads are unaffected');
  });

  await t.test('a bad action or body is a 400 naming what is wrong, on every component', async (t) => {
    const urls = {
      pageserver: `${cluster.component('ps1').httpUrl}/v1/failpoints`,
      safekeeper: `${cluster.component('sk1').httpUrl}/v1/failpoints`,
      'storage controller': `${cluster.component('storcon').httpUrl}/debug/v1/failpoints`,
      compute: `${main.http.baseUrl}/v1/failpoints`,
      broker: `${cluster.component('broker').httpUrl}/v1/failpoints`,
    };
    for (const [component, url] of Object.entries(urls)) {
      const bad = await httpRequest(url, { method: 'PUT', body: [{ name: 'sk-flush-wal', actions: 'sleep(a while)' }] });
      t.equal(bad.status, 400, `${component}: bad action`);
      t.match(JSON.parse(bad.body), { msg: /^Failed to configure failpoints: failpoint "sk-flush-wal": cannot parse "sleep\(a while\)": sleep needs a duration in milliseconds/ });
      const badBody = await httpRequest(url, { method: 'PUT', body: { name: 'x', actions: 'off' } });
      t.same({ status: badBody.status, body: JSON.parse(badBody.body) }, { status: 400, body: { msg: 'Failed to parse json request: invalid type: map, expected a sequence' } }, `${component}: bad body`);
      const good = await httpRequest(url, { method: 'PUT', body: [{ name: 'neon-local-test', actions: '2*off->print(hi)' }] });
      t.same({ status: good.status, body: good.body }, { status: 200, body: 'null' }, `${component}: 200 null`);
      const listed = JSON.parse((await httpRequest(url)).body) as { name: string }[];
      t.same(listed.find((f) => f.name === 'neon-local-test'), { name: 'neon-local-test', actions: '2*off->print(hi)', hits: 0, triggered: 0, paused: 0 }, `${component}: GET lists it`);
    }
    await t.rejects(cluster.storageController.setFailpoint('storcon-heartbeat', 'bogus'), { status: 400, message: /unknown task type "bogus"/ }, 'typed clients report it');
    await t.rejects(cluster.broker.setFailpoint('broker-publish', '200%return'), { status: 400, message: /percentage "200"/ });
  });
});

t.test('FAILPOINTS at startup, and the storage controller’s heartbeat failpoint', async (t) => {
  const saved = process.env['FAILPOINTS'];
  // Inherited by the supervisor, and from it by every component (cluster/process/environment.ts).
  process.env['FAILPOINTS'] = 'before-timeline-gc=return(from FAILPOINTS);sk-persist-control=print';
  let cluster;
  try {
    cluster = await startTestCluster(t, {
      safekeepers: 1,
      withEndpoint: true,
      spec: { storage_controller: { heartbeat_interval: 100, max_offline: 500 } },
    });
  } finally {
    if (saved === undefined) delete process.env['FAILPOINTS'];
    else process.env['FAILPOINTS'] = saved;
  }
  const main = cluster.endpoint('ep-main');
  const ps = cluster.pageserver(1);
  t.match(await ps.listFailpoints(), [{ name: 'before-timeline-gc', actions: 'return(from FAILPOINTS)' }, { name: 'sk-persist-control', actions: 'print' }], 'the pageserver has them');
  t.match(await cluster.safekeeper(1).listFailpoints(), [{ name: 'before-timeline-gc' }, { name: 'sk-persist-control', actions: 'print' }], 'so has the safekeeper');
  t.ok((await cluster.safekeeper(1).listFailpoints())[1]!.triggered > 0, 'and it was hit (timeline creation, the election)');
  await t.rejects(ps.gc(main.tenantId, main.timelineId), { status: 500, message: /failpoint before-timeline-gc/ }, 'and it acts');

  const sc = cluster.storageController;
  await sc.setFailpoint('storcon-heartbeat', 'return');
  await waitUntil('pageserver 1 to go Offline while heartbeats fail', async () => (await sc.node(1)).availability === 'Offline', 10_000);
  t.pass('storcon-heartbeat=return: the node goes Offline after max_offline');
  await sc.setFailpoint('storcon-heartbeat', 'off');
  await waitUntil('pageserver 1 to be Active again', async () => (await sc.node(1)).availability === 'Active', 10_000);
  t.pass('and back to Active once it is off');
});
