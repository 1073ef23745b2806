// Messages between neon-local commands (or fixtures) and the supervisor process that owns a
// cluster's components. Transport: HTTP on a Unix socket in the abstract namespace.

import type { StopMode } from '../process/terminate.ts';
import type { SerializedError } from '../util/errors.ts';
import type { ExitRecord } from '../repo/run-records.ts';

export interface StartRequest {
  /** Component names, or null for all of them. */
  components: string[] | null;
  timeoutMs: number;
  /** After starting, wait until the storage controller lists every pageserver Active (start-all). */
  clusterCheck: boolean;
}

export interface StartedComponent {
  name: string;
  pid: number;
  readyMs: number;
}

export interface StartResult {
  started: StartedComponent[];
  alreadyRunning: string[];
  elapsedMs: number;
}

export type StartEvent =
  | { type: 'launched'; component: string; pid: number }
  | { type: 'ready'; component: string; readyMs: number }
  | { type: 'result'; result: StartResult }
  | { type: 'error'; error: SerializedError };

export interface StopRequest {
  components: string[] | null;
  mode: StopMode;
}

export interface StopResult {
  stopped: string[];
  notRunning: string[];
}

export type ManagedState = 'starting' | 'running' | 'stopping' | 'exited';

export interface SupervisorStatus {
  pid: number;
  startedAt: string;
  repoDir: string;
  components: Record<string, { pid: number; state: ManagedState; exit: ExitRecord | null }>;
}
