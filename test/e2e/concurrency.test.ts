// Concurrent neon-local invocations on one repo never corrupt it: they take turns on the repo lock.

import fs from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { cliIn, cliRepo, cliProcess } from '../helpers/cli.ts';
import { processesWithCwdUnder, tempDir } from '../helpers/processes.ts';
import type { ClusterStatus } from '../../cluster/operations/status.ts';

t.test('parallel inits: exactly one creates the cluster, the others refuse', async (t) => {
  const { dir, remove } = tempDir();
  const repo = `${dir}/.neon`;
  t.teardown(remove);
  const results = await Promise.all([1, 2, 3].map(() => cliIn(repo, ['init', '--json'])));
  t.same(results.map((r) => r.exitCode).sort(), [0, 1, 1]);
  for (const r of results.filter((r) => r.exitCode !== 0)) t.equal(r.json.error.code, 'already-exists');
  const winner = results.find((r) => r.exitCode === 0)!;
  const onDisk = parse(fs.readFileSync(`${repo}/cluster.yaml`, 'utf8'));
  t.same(onDisk.pageservers, winner.json.config.pageservers, 'cluster.yaml is the winner\'s, whole');
  t.same(fs.readdirSync(dir), ['.neon'], 'no staging directory left behind');
});

t.test('parallel starts, restarts and status calls leave one consistent cluster', async (t) => {
  const repo = cliRepo(t);
  t.equal((await cliIn(repo, ['init'])).exitCode, 0);

  const starts = await Promise.all([1, 2, 3].map(() => cliIn(repo, ['start', '--json'])));
  t.same(starts.map((r) => r.exitCode), [0, 0, 0], starts.map((r) => r.stderr).join('\n'));
  const startedNames = starts.flatMap((r) => r.json.started.map((s: { name: string }) => s.name)).sort();
  t.same(startedNames, ['broker', 'ps1', 'sk1', 'sk2', 'sk3', 'storcon'], 'each component was started exactly once');

  const mixed = await Promise.all([
    cliIn(repo, ['safekeeper', 'restart', '1']),
    cliIn(repo, ['safekeeper', 'restart', '2']),
    cliIn(repo, ['pageserver', 'restart']),
    cliIn(repo, ['status', '--json']),
    cliIn(repo, ['safekeeper', 'restart', '3']),
    cliIn(repo, ['status']),
  ]);
  t.same(mixed.map((r) => r.exitCode), [0, 0, 0, 0, 0, 0], mixed.map((r) => r.stderr).join('\n'));
  const status = (await cliIn(repo, ['status', '--json'])).json as ClusterStatus;
  t.same(status.components.map((c) => c.state), Array(6).fill('running'));
  const pids = status.components.map((c) => c.pid);
  t.equal(new Set(pids).size, 6);
  t.same(processesWithCwdUnder(repo).sort(), [status.supervisor.pid!, ...pids].sort(), 'exactly the recorded processes run: one supervisor, one per component');
});

t.test('a command waiting for the lock says who holds it, then proceeds', async (t) => {
  const repo = cliRepo(t);
  t.equal((await cliIn(repo, ['init'])).exitCode, 0);
  const start = cliProcess(['--repo-dir', repo, 'start']);
  await new Promise((r) => setTimeout(r, 300));
  const stop = await cliIn(repo, ['stop']);
  t.equal((await start).exitCode, 0);
  t.equal(stop.exitCode, 0);
  t.match(stop.stderr, /Waiting for pid \d+ \(`neon-local start`\)/);
  t.match(stop.stdout, /^Stopped ps1, sk\d, sk\d, sk\d, broker, storcon\.$/m, 'the stop ran after the start finished and stopped everything');
  t.same(processesWithCwdUnder(repo), []);
});
