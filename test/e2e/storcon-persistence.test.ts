// The storage controller keeps its state in a real database and gets it back after a restart:
// with the embedded PGlite database and with a real PostgreSQL.

import t, { type Test } from 'tap';
import { startTestCluster } from '../../fixtures/tap.ts';
import type { Cluster } from '../../fixtures/cluster.ts';
import { createTestDatabase } from '../helpers/postgres.ts';
import { waitUntil } from '../helpers/processes.ts';

async function checkStateSurvivesRestart(t: Test, cluster: Cluster): Promise<void> {
  const storcon = cluster.storageController;
  // Something only the database can remember: a node registered by hand, a changed policy.
  await storcon.registerNode({
    node_id: 99,
    listen_pg_addr: '127.0.0.1',
    listen_pg_port: 1,
    listen_http_addr: '127.0.0.1',
    listen_http_port: 2,
    availability_zone_id: 'az-99',
  });
  // A safekeeper outside the topology, so the harness does not re-register it on restart.
  await storcon.upsertSafekeeper({ id: 9, region_id: 'r', version: 1, host: '127.0.0.1', port: 3, http_port: 4, availability_zone_id: 'az-9' });
  await storcon.setSafekeeperSchedulingPolicy(9, 'Pause');
  await storcon.configureNode({ node_id: 1, scheduling: 'Pause' });
  const before = { nodes: await storcon.nodes(), safekeepers: await storcon.safekeepers() };
  t.same(before.nodes.map((n) => n.id), [1, 99]);

  await cluster.restartComponent('storcon');

  const nodes = await storcon.nodes();
  t.same(nodes.map((n) => n.id), [1, 99], 'both nodes are still registered');
  t.equal(nodes.find((n) => n.id === 1)!.scheduling, 'Pause', 'scheduling policy persisted');
  t.equal(nodes.find((n) => n.id === 1)!.availability, 'Active', 'the live pageserver is Active again after the startup heartbeat');
  t.same(nodes.find((n) => n.id === 99), { ...before.nodes.find((n) => n.id === 99), availability: 'Offline' }, 'addresses persisted; the made-up node is Offline');
  t.same(await storcon.safekeepers(), before.safekeepers, 'safekeeper records and policies persisted');
  t.equal((await storcon.safekeeper(9)).scheduling_policy, 'Pause');
}

t.test('state survives a storage controller restart (embedded PGlite)', async (t) => {
  const cluster = await startTestCluster(t, { safekeepers: 3 });
  await checkStateSurvivesRestart(t, cluster);
  // A whole-cluster restart too; the hand-registered node does not hold up the start check.
  await cluster.restart('immediate');
  t.same((await cluster.storageController.nodes()).map((n) => [n.id, n.availability]), [[1, 'Active'], [99, 'Offline']]);
  // And after kill -9 (neon#11408: the real controller's Postgres would not start again).
  await cluster.kill('storcon');
  await waitUntil('the controller to die', async () => (await cluster.status()).components.find((c) => c.name === 'storcon')!.state === 'down', 5000);
  await cluster.startComponent('storcon');
  t.same((await cluster.storageController.nodes()).map((n) => n.id), [1, 99], 'the embedded database recovers after kill -9');
});

t.test('state survives a storage controller restart (PostgreSQL)', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const cluster = await startTestCluster(t, { safekeepers: 3, databaseUrl: db.url });
  const status = await cluster.status();
  t.equal(status.components.find((c) => c.name === 'storcon')!.state, 'running');
  await checkStateSurvivesRestart(t, cluster);
  // The rows are really in PostgreSQL.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  t.teardown(() => client.end());
  const rows = (await client.query('SELECT node_id, scheduling_policy FROM nodes ORDER BY node_id')).rows;
  t.same(rows, [{ node_id: '1', scheduling_policy: 'pause' }, { node_id: '99', scheduling_policy: 'active' }]);
});
