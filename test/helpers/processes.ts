// Observable facts about processes and ports, for tests.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canBind } from '../../cluster/ports/port-check.ts';
import { processState } from '../../cluster/process/proc.ts';

/** True when the process has exited (a zombie awaiting its parent counts as exited). */
export function isDead(pid: number): boolean {
  return processState(pid) !== 'alive';
}

export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function unbindablePorts(ports: number[]): Promise<number[]> {
  const bad: number[] = [];
  for (const port of ports) if (!(await canBind('127.0.0.1', port))) bad.push(port);
  return bad;
}

/** A fresh directory under the system temp dir, removed by the returned function. */
export function tempDir(prefix = 'neon-local-test-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every process whose environment names this repo's components (our emulators set NEON_LOCAL_COMPONENT). */
export function processesWithCwdUnder(root: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
      if ((cwd === root || cwd.startsWith(root + path.sep)) && !isDead(Number(entry))) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

interface TeardownHost {
  teardown(fn: () => unknown): void;
}

/**
 * A repo directory path (`<temp>/.neon`, not created) for a test; at teardown any cluster in it is
 * stopped with SIGKILL and the directory removed.
 */
export function tempRepo(t: TeardownHost, stop: (repo: string) => Promise<unknown>): string {
  const { dir, remove } = tempDir();
  const repo = path.join(dir, '.neon');
  t.teardown(async () => {
    await stop(repo);
    remove();
  });
  return repo;
}
