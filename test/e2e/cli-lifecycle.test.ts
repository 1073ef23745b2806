// The lifecycle through the CLI, as a user runs it: init with 2 pageservers and 3 safekeepers,
// start, status, the storage controller's view, stop — and afterwards no process and no port left.

import t from 'tap';
import { cliIn, cliRepo } from '../helpers/cli.ts';
import { isDead, processesWithCwdUnder, unbindablePorts } from '../helpers/processes.ts';
import { StorageControllerClient } from '../../cluster/clients/storage-controller.ts';
import type { ClusterStatus } from '../../cluster/operations/status.ts';

t.test('init, start, status, stop with 2 pageservers and 3 safekeepers', async (t) => {
  const repo = cliRepo(t);

  const init = await cliIn(repo, ['init', '--num-pageservers', '2', '--num-safekeepers', '3', '--json']);
  t.equal(init.exitCode, 0, init.stderr);
  t.equal(init.json.config.pageservers.length, 2);
  t.equal(init.json.config.safekeepers.length, 3);

  const start = await cliIn(repo, ['start', '--json']);
  t.equal(start.exitCode, 0, start.stderr);
  t.same(start.json.started.map((s: { name: string }) => s.name).sort(), ['broker', 'ps1', 'ps2', 'sk1', 'sk2', 'sk3', 'storcon']);

  const status = await cliIn(repo, ['status', '--json']);
  t.equal(status.exitCode, 0);
  const st = status.json as ClusterStatus;
  t.equal(st.supervisor.running, true);
  for (const c of st.components) {
    t.equal(c.state, 'running', `${c.name} is running`);
    t.ok(Number.isInteger(c.pid) && c.pid! > 0, `${c.name} has a pid`);
    t.ok(Object.keys(c.ports).length > 0, `${c.name} lists its ports`);
  }
  const ps1 = st.components.find((c) => c.name === 'ps1')!;
  t.ok(ps1.ports['http'] && ps1.ports['pg'], 'a pageserver has http and pg ports');

  const storcon = new StorageControllerClient(st.components.find((c) => c.name === 'storcon')!.httpUrl);
  const nodes = await storcon.nodes();
  t.same(nodes.map((n) => [n.id, n.availability]), [[1, 'Active'], [2, 'Active']], 'both pageservers are Active');
  t.equal(nodes[0]!.listen_http_port, ps1.ports['http']);
  const safekeepers = await storcon.safekeepers();
  t.same(safekeepers.map((s) => [s.id, s.scheduling_policy]), [[1, 'Active'], [2, 'Active'], [3, 'Active']], 'safekeepers registered and Active');
  t.equal(safekeepers[0]!.http_port, st.components.find((c) => c.name === 'sk1')!.ports['http']);

  // Human output names every component and how to reach it.
  const human = await cliIn(repo, ['status']);
  for (const name of ['broker', 'storcon', 'ps1', 'ps2', 'sk1', 'sk2', 'sk3']) t.match(human.stdout, new RegExp(`^${name}\\s+running`, 'm'));

  const stop = await cliIn(repo, ['stop', '--json']);
  t.equal(stop.exitCode, 0, stop.stderr);
  t.equal(stop.json.stopped.length, 7);

  const pids = [st.supervisor.pid!, ...st.components.map((c) => c.pid!)];
  t.same(pids.filter((pid) => !isDead(pid)), [], 'no cluster process is alive after stop');
  t.same(processesWithCwdUnder(repo), [], 'no process runs in the repo directory');
  const ports = st.components.flatMap((c) => Object.values(c.ports));
  t.same(await unbindablePorts(ports), [], 'every port can be bound again');

  const after = await cliIn(repo, ['status', '--json']);
  t.same(after.json.components.map((c: { state: string }) => c.state), Array(7).fill('stopped'));
  t.equal(after.json.supervisor.running, false);
});

t.test('start is idempotent and a second stop reports nothing running', async (t) => {
  const repo = cliRepo(t);
  t.equal((await cliIn(repo, ['start', '--init', '--json'])).exitCode, 0);
  const again = await cliIn(repo, ['start', '--json']);
  t.equal(again.exitCode, 0);
  t.same(again.json.started, []);
  t.equal(again.json.alreadyRunning.length, 6);
  t.equal((await cliIn(repo, ['stop'])).exitCode, 0);
  const second = await cliIn(repo, ['stop', '--json']);
  t.equal(second.exitCode, 0);
  t.same(second.json.stopped, []);
});
