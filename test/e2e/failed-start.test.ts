// A failed start exits 2, names the failing component with the end of its log, and leaves nothing
// running — not the components that did start, not the supervisor.

import net from 'node:net';
import t from 'tap';
import { cliIn, cliRepo } from '../helpers/cli.ts';
import { processesWithCwdUnder, unbindablePorts } from '../helpers/processes.ts';

t.test('a component that crashes at startup: exit 2, its log tail, nothing left running', async (t) => {
  const repo = cliRepo(t);
  // Nothing listens on port 1: the storage controller cannot open its database and exits.
  t.equal((await cliIn(repo, ['init', '--database-url', 'postgresql://postgres@127.0.0.1:1/none'])).exitCode, 0);
  const start = await cliIn(repo, ['start']);
  t.equal(start.exitCode, 2, 'exit code 2, as neon_local');
  t.match(start.stderr, /storage controller exited during startup/);
  t.match(start.stderr, /cannot open the database/, 'the log tail explains why');
  t.same(processesWithCwdUnder(repo), [], 'no process left running');
  const status = await cliIn(repo, ['status', '--json']);
  t.equal(status.json.supervisor.running, false, 'the supervisor is gone too');
  t.same([...new Set(status.json.components.map((c: { state: string }) => c.state))], ['stopped']);
  t.same(await unbindablePorts(status.json.components.flatMap((c: { ports: Record<string, number> }) => Object.values(c.ports))), []);

  const json = await cliIn(repo, ['start', '--json']);
  t.equal(json.exitCode, 2);
  t.equal(json.json.error.code, 'start-failed');
  t.equal(json.json.error.component, 'storcon');
  t.ok(json.json.error.details.logTail.some((l: string) => /cannot open the database/.test(l)));
});

t.test('a start that times out stops what it started', async (t) => {
  const repo = cliRepo(t);
  t.equal((await cliIn(repo, ['init'])).exitCode, 0);
  const start = await cliIn(repo, ['start', '--start-timeout', '1ms']);
  t.equal(start.exitCode, 2);
  t.match(start.stderr, /did not become ready within 1ms|does not see every pageserver/);
  t.same(processesWithCwdUnder(repo), []);
  t.equal((await cliIn(repo, ['start'])).exitCode, 0, 'a later start with time to spare works');
});

t.test('a port taken by a foreign process is named with its owner; nothing starts', async (t) => {
  const repo = cliRepo(t);
  const squatter = net.createServer();
  t.teardown(() => squatter.close());
  const init = await cliIn(repo, ['init', '--json']);
  const port = Number(String(init.json.config.safekeepers[1].http_port));
  await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
  const start = await cliIn(repo, ['start']);
  t.equal(start.exitCode, 2);
  t.match(start.stderr, new RegExp(`port ${port} \\(safekeeper 2 http\\) is in use by pid ${process.pid}`));
  t.match(start.stderr, /hint: stop that process/);
  t.same(processesWithCwdUnder(repo), [], 'no component was started');
  const json = await cliIn(repo, ['safekeeper', 'start', '2', '--json']);
  t.equal(json.exitCode, 2);
  t.equal(json.json.error.code, 'port-in-use');
  t.equal(json.json.error.details.owner.pid, process.pid);
});
