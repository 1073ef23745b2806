// A component killed with -9 shows as down (with how it died), the rest keep running, and the
// per-component commands bring it back on the same ports.

import t from 'tap';
import { cliIn, cliRepo } from '../helpers/cli.ts';
import { isDead, waitUntil } from '../helpers/processes.ts';
import type { ClusterStatus, ComponentStatus } from '../../cluster/operations/status.ts';

t.test('kill -9 of a component shows as down; restart brings it back', async (t) => {
  const repo = cliRepo(t);
  t.equal((await cliIn(repo, ['init', '--num-pageservers', '2'])).exitCode, 0);
  t.equal((await cliIn(repo, ['start'])).exitCode, 0);
  const status = async () => (await cliIn(repo, ['status', '--json'])).json as ClusterStatus;
  const byName = (s: ClusterStatus, name: string) => s.components.find((c) => c.name === name) as ComponentStatus;

  const before = await status();
  const victim = byName(before, 'ps2');
  process.kill(victim.pid!, 'SIGKILL');
  await waitUntil('ps2 to die', () => isDead(victim.pid!), 5000);

  const after = await status();
  t.equal(byName(after, 'ps2').state, 'down', 'the killed pageserver is down');
  t.equal(byName(after, 'ps2').exit?.signal, 'SIGKILL', 'and the status says how it died');
  for (const name of ['broker', 'storcon', 'ps1', 'sk1', 'sk2', 'sk3']) t.equal(byName(after, name).state, 'running', `${name} still runs`);
  const human = await cliIn(repo, ['status']);
  t.match(human.stdout, /^ps2\s+down \(SIGKILL\)/m);
  const one = await cliIn(repo, ['pageserver', 'status', '--id', '2', '--json']);
  t.equal(one.json.state, 'down');

  const restarted = await cliIn(repo, ['pageserver', 'start', '--id', '2', '--json']);
  t.equal(restarted.exitCode, 0, restarted.stderr);
  const back = byName(await status(), 'ps2');
  t.equal(back.state, 'running');
  t.not(back.pid, victim.pid, 'a new process');
  t.same(back.ports, victim.ports, 'on the same ports');

  // Each per-component command, by id.
  for (const args of [['safekeeper', 'restart', '2'], ['storage-controller', 'restart'], ['storage_broker', 'restart'], ['pageserver', 'restart', '--id', '1']]) {
    const res = await cliIn(repo, [...args, '--json']);
    t.equal(res.exitCode, 0, `${args.join(' ')}: ${res.stderr}`);
    t.equal(res.json.started.length, 1, `${args.join(' ')} started one process`);
  }
  const stopSk = await cliIn(repo, ['safekeeper', 'stop', '3', '-m', 'immediate']);
  t.equal(stopSk.exitCode, 0);
  t.equal(byName(await status(), 'sk3').state, 'stopped', 'a stopped component is "stopped", not "down"');
  t.same((await status()).components.filter((c) => c.state !== 'running').map((c) => c.name), ['sk3']);
});
