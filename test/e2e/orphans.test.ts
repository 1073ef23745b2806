// Nothing left behind: when the process that owns a cluster is SIGKILLed — a test runner that
// crashed, a supervisor killed by hand — no component outlives it by more than 2 s.

import { execa } from 'execa';
import t from 'tap';
import { cliIn, cliRepo, ROOT } from '../helpers/cli.ts';
import { isDead, processesWithCwdUnder, tempDir, unbindablePorts, waitUntil } from '../helpers/processes.ts';

const ORPHAN_DEADLINE_MS = 2000;

t.test('SIGKILL of the fixture owner kills the whole cluster within 2 s', async (t) => {
  const { dir, remove } = tempDir();
  t.teardown(remove);
  const owner = execa(process.execPath, ['--import', 'tsx', 'test/helpers/cluster-owner.ts', dir], { cwd: ROOT, reject: false });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    owner.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    void owner.then((r) => reject(new Error(`owner exited early: ${r.stderr}`)));
  });
  const info = JSON.parse(line) as { supervisorPid: number; pids: number[]; ports: number[] };
  const all = [info.supervisorPid, ...info.pids];
  t.equal(all.filter(isDead).length, 0, 'everything runs before the kill');

  owner.kill('SIGKILL');
  const killedAt = Date.now();
  await waitUntil('every cluster process to exit', () => all.every(isDead), ORPHAN_DEADLINE_MS);
  t.ok(Date.now() - killedAt <= ORPHAN_DEADLINE_MS, `all ${all.length} processes gone ${Date.now() - killedAt} ms after the owner's SIGKILL`);
  t.same(processesWithCwdUnder(dir), []);
  t.same(await unbindablePorts(info.ports), [], 'ports are free');

  // The repo records what happened; `neon-local status` reports the components down, and a
  // `stop` then cleans the records up without complaint.
  const status = await cliIn(dir, ['status', '--json']);
  t.same([...new Set(status.json.components.map((c: { state: string }) => c.state))], ['down']);
  t.equal((await cliIn(dir, ['stop'])).exitCode, 0);
});

t.test('SIGKILL of a CLI-started cluster\'s supervisor kills its components within 2 s', async (t) => {
  const repo = cliRepo(t);
  t.equal((await cliIn(repo, ['start', '--init'])).exitCode, 0);
  const status = (await cliIn(repo, ['status', '--json'])).json;
  const pids: number[] = status.components.map((c: { pid: number }) => c.pid);
  process.kill(status.supervisor.pid, 'SIGKILL');
  await waitUntil('components to exit after their supervisor', () => pids.every(isDead), ORPHAN_DEADLINE_MS);
  t.pass('components died with their supervisor');
  // A fresh start works from that state: new supervisor, same ports.
  const restart = await cliIn(repo, ['start', '--json']);
  t.equal(restart.exitCode, 0, restart.stderr);
  t.equal(restart.json.started.length, 6);
});
