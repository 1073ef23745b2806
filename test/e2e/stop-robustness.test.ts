// `stop` ends everything even when processes misbehave: a paused (SIGSTOP) component, a paused
// supervisor, run records left by a supervisor that was killed.

import t, { type Test } from 'tap';
import { cliIn, cliRepo } from '../helpers/cli.ts';
import { isDead, processesWithCwdUnder } from '../helpers/processes.ts';
import { STOP_GRACE_MS } from '../../cluster/process/terminate.ts';
import type { ClusterStatus } from '../../cluster/operations/status.ts';

async function started(t: Test, repo: string): Promise<ClusterStatus> {
  t.equal((await cliIn(repo, ['start', '--init'])).exitCode, 0);
  return (await cliIn(repo, ['status', '--json'])).json as ClusterStatus;
}

t.test('a paused component stops at once on a fast stop (no wait for the grace period)', async (t) => {
  const repo = cliRepo(t);
  const status = await started(t, repo);
  const sk1 = status.components.find((c) => c.name === 'sk1')!;
  process.kill(sk1.pid!, 'SIGSTOP');
  const began = Date.now();
  const stop = await cliIn(repo, ['stop', '--json']);
  t.equal(stop.exitCode, 0, stop.stderr);
  t.ok(Date.now() - began < STOP_GRACE_MS, `stopped in ${Date.now() - began} ms: the paused process got SIGCONT after SIGTERM`);
  t.ok(stop.json.stopped.includes('sk1'));
  t.ok(isDead(sk1.pid!));
});

t.test('a paused supervisor does not prevent stop', async (t) => {
  const repo = cliRepo(t);
  const status = await started(t, repo);
  process.kill(status.supervisor.pid!, 'SIGSTOP');
  const stop = await cliIn(repo, ['stop', '--json']);
  t.equal(stop.exitCode, 0, stop.stderr);
  t.same(stop.json.stopped.sort(), ['broker', 'ep-main', 'ps1', 'sk1', 'sk2', 'sk3', 'storcon'], 'it reports what was running, the endpoint included');
  t.same(processesWithCwdUnder(repo), [], 'supervisor and components are gone');
  t.equal((await cliIn(repo, ['start'])).exitCode, 0, 'the cluster starts again');
});
