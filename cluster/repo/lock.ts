// The repo lock: every command that changes a cluster holds it for its whole run, so two
// neon-local invocations on one repo never interleave (neon_local does the same with flock).

import { NeonLocalError } from '../util/errors.ts';
import { abstractSocketName, SocketMutex, type HolderInfo } from '../util/socket-mutex.ts';
import type { RepoLayout } from './layout.ts';

export const DEFAULT_LOCK_TIMEOUT_MS = 120_000;

export interface LockOptions {
  command: string;
  timeoutMs?: number;
  onWait?: (holder: HolderInfo | null) => void;
}

let defaultOnWait: ((holder: HolderInfo | null, layout: RepoLayout) => void) | undefined;

/** What to do, by default, when a command has to wait for the lock (the CLI prints a line). */
export function setLockWaitNotifier(notify: (holder: HolderInfo | null, layout: RepoLayout) => void): void {
  defaultOnWait = notify;
}

export async function withRepoLock<T>(layout: RepoLayout, options: LockOptions, body: () => Promise<T>): Promise<T> {
  const name = abstractSocketName('repo-lock', layout.root);
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const onWait = options.onWait ?? (defaultOnWait && ((holder: HolderInfo | null) => defaultOnWait!(holder, layout)));
  const result = await SocketMutex.acquire(name, options.command, { timeoutMs, ...(onWait ? { onWait } : {}) });
  if (!(result instanceof SocketMutex)) {
    const who = result.holder ? `pid ${result.holder.pid} (\`${result.holder.command}\`, since ${result.holder.since})` : 'another process';
    throw new NeonLocalError('lock-timeout', `${layout.root} is locked by ${who}; waited ${Math.round(timeoutMs / 1000)} s`, {
      hint: 'wait for that command to finish, or stop it',
    });
  }
  try {
    return await body();
  } finally {
    await result.release();
  }
}

export function describeHolder(holder: HolderInfo | null): string {
  return holder ? `pid ${holder.pid} (\`${holder.command}\`)` : 'another neon-local command';
}
