// Stopping a process group the harness started. `fast` asks politely (SIGTERM) and insists with
// SIGKILL after a grace period; `immediate` is SIGKILL at once. A pid whose start time no longer
// matches our record belongs to someone else now and is never signalled.

import { NeonLocalError } from '../util/errors.ts';
import { isSameProcess, processState } from './proc.ts';

export type StopMode = 'fast' | 'immediate';
export const STOP_MODES: readonly StopMode[] = ['fast', 'immediate'];

/** neon_local's STOP_RETRY_TIMEOUT: how long a fast stop waits before it escalates to SIGKILL. */
export const STOP_GRACE_MS = 10_000;
const KILL_WAIT_MS = 5_000;

export interface ProcessIdentity {
  pid: number;
  startTime: string;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return;
    if (code !== 'EPERM') throw err;
    // Not a group leader we may signal (should not happen for processes we started): the process alone.
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}

async function waitUntilDead(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 5;
  while (processState(pid) === 'alive') {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, delayMs));
    delayMs = Math.min(delayMs * 2, 50);
  }
  return true;
}

/** Signals our process (group) if it still is ours. Returns false when it was not running. */
export function signalIfOurs(identity: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!isSameProcess(identity.pid, identity.startTime)) return false;
  signalGroup(identity.pid, signal);
  return true;
}

/**
 * Stops the process group led by `identity`. Resolves 'not-running' if it was already gone (or the
 * pid was reused), 'stopped' once it is dead; throws if even SIGKILL does not end it.
 */
export async function terminateGroup(
  identity: ProcessIdentity,
  mode: StopMode,
  options: { graceMs?: number; name?: string } = {},
): Promise<'stopped' | 'not-running'> {
  if (!signalIfOurs(identity, mode === 'fast' ? 'SIGTERM' : 'SIGKILL')) return 'not-running';
  // A paused process (SIGSTOP, a fault) would sit on its SIGTERM until the grace period ran out.
  if (mode === 'fast') signalGroup(identity.pid, 'SIGCONT');
  const graceMs = mode === 'fast' ? (options.graceMs ?? STOP_GRACE_MS) : 0;
  if (!(await waitUntilDead(identity.pid, graceMs))) {
    signalGroup(identity.pid, 'SIGKILL');
    if (!(await waitUntilDead(identity.pid, KILL_WAIT_MS))) {
      throw new NeonLocalError('stop-failed', `${options.name ?? `pid ${identity.pid}`} is still alive after SIGKILL`, {
        hint: `check \`ps -o pid,stat,cmd -g ${identity.pid}\`; a process in uninterruptible sleep (D) waits for the kernel`,
        ...(options.name ? { component: options.name } : {}),
      });
    }
  }
  // The leader is dead; anything it spawned into its group goes with it.
  signalGroup(identity.pid, 'SIGKILL');
  return 'stopped';
}
