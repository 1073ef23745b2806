// A pid is only ours if its kernel start time matches our record: a reused pid is never signalled.

import { execa } from 'execa';
import t from 'tap';
import { isSameProcess, processStartTime, processState } from '../../cluster/process/proc.ts';
import { signalIfOurs, terminateGroup } from '../../cluster/process/terminate.ts';

t.test('identity by pid and start time', async (t) => {
  const start = processStartTime(process.pid)!;
  t.match(start, /^\d+$/);
  t.ok(isSameProcess(process.pid, start));
  t.notOk(isSameProcess(process.pid, String(Number(start) + 1)), 'same pid, different start time: not the same process');
  t.equal(processState(2 ** 22 + 12345), 'gone');
  t.equal(processStartTime(2 ** 22 + 12345), null);
});

t.test('a record whose start time does not match is never signalled', async (t) => {
  const child = execa('sleep', ['30'], { detached: true, reject: false });
  await new Promise((r) => setTimeout(r, 50));
  const pid = child.pid!;
  const real = processStartTime(pid)!;
  t.equal(signalIfOurs({ pid, startTime: String(Number(real) - 1) }, 'SIGKILL'), false);
  t.equal(await terminateGroup({ pid, startTime: String(Number(real) - 1) }, 'immediate'), 'not-running');
  t.equal(processState(pid), 'alive', 'the process was left alone');
  t.equal(await terminateGroup({ pid, startTime: real }, 'fast'), 'stopped');
  const result = await child;
  t.equal(result.signal, 'SIGTERM', 'fast stop sends SIGTERM');
});

t.test('fast stop escalates to SIGKILL after the grace period', async (t) => {
  const child = execa('sh', ['-c', 'trap "" TERM; while true; do sleep 0.05; done'], { detached: true, reject: false });
  await new Promise((r) => setTimeout(r, 100));
  const identity = { pid: child.pid!, startTime: processStartTime(child.pid!)! };
  const began = Date.now();
  t.equal(await terminateGroup(identity, 'fast', { graceMs: 300 }), 'stopped');
  t.ok(Date.now() - began >= 300, 'it waited for the grace period first');
  t.equal((await child).signal, 'SIGKILL');
});
