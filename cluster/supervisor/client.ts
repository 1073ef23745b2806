// Talking to a cluster's supervisor, and starting one when none runs.

import { httpRequest } from '../clients/http.ts';
import { bundlePath } from '../paths.ts';
import { componentEnvironment } from '../process/environment.ts';
import { processState } from '../process/proc.ts';
import { spawnOwned, findSetpriv } from '../process/spawn-owned.ts';
import { signalIfOurs, type StopMode } from '../process/terminate.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { readRunRecord, removeRunRecord } from '../repo/run-records.ts';
import { NeonLocalError, type SerializedError } from '../util/errors.ts';
import { logTail } from '../util/log-tail.ts';
import { controlSocketName } from './control-server.ts';
import type { ActiveFault, FaultRequest, HealRequest } from '../faults/fault-request.ts';
import type { LinkInfo } from '../faults/link-table.ts';
import type { StartEvent, StartRequest, StartResult, StopRequest, StopResult, SupervisorStatus } from './protocol.ts';

const STATUS_TIMEOUT_MS = 2000;
const SUPERVISOR_READY_TIMEOUT_MS = 10_000;

export class SupervisorClient {
  private readonly socketPath: string;

  constructor(readonly layout: RepoLayout) {
    this.socketPath = controlSocketName(layout.root);
  }

  private async call<T>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    const res = await httpRequest(`http://supervisor${path}`, {
      method,
      body,
      socketPath: this.socketPath,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    const parsed = JSON.parse(res.body) as T | { error: SerializedError };
    if (res.status !== 200) throw NeonLocalError.fromJSON((parsed as { error: SerializedError }).error);
    return parsed as T;
  }

  /** The supervisor's status, or null if none is running. */
  async status(): Promise<SupervisorStatus | null> {
    try {
      return await this.call<SupervisorStatus>('GET', '/v1/status', undefined, STATUS_TIMEOUT_MS);
    } catch {
      return null;
    }
  }

  async start(request: StartRequest, onEvent: (event: StartEvent) => void = () => {}): Promise<StartResult> {
    let outcome: StartEvent | undefined;
    await httpRequest('http://supervisor/v1/start', {
      method: 'POST',
      body: request,
      socketPath: this.socketPath,
      onLine: (line) => {
        if (!line) return;
        const event = JSON.parse(line) as StartEvent;
        if (event.type === 'result' || event.type === 'error') outcome = event;
        else onEvent(event);
      },
    });
    if (outcome?.type === 'result') return outcome.result;
    if (outcome?.type === 'error') throw NeonLocalError.fromJSON(outcome.error);
    throw new NeonLocalError('supervisor', 'the supervisor closed the connection during start', {
      hint: `see ${this.layout.supervisorLog}`,
    });
  }

  stop(request: StopRequest): Promise<StopResult> {
    return this.call('POST', '/v1/stop', request);
  }

  faults(): Promise<{ faults: ActiveFault[]; links: LinkInfo[] }> {
    return this.call('GET', '/v1/faults');
  }

  injectFault(request: FaultRequest): Promise<ActiveFault> {
    return this.call('POST', '/v1/faults', request);
  }

  heal(request: HealRequest): Promise<{ healed: ActiveFault[] }> {
    return this.call('POST', '/v1/faults/heal', request);
  }

  /** Stops every component; the supervisor exits afterwards. Waits for its exit. */
  async shutdown(mode: StopMode): Promise<StopResult> {
    const record = await readRunRecord(this.layout, 'supervisor');
    const result = await this.call<StopResult>('POST', '/v1/shutdown', { mode });
    if (record) await waitForExit(record.pid, 10_000);
    return result;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processState(pid) === 'alive') {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/**
 * Returns a client for the cluster's supervisor, starting the supervisor if none runs.
 * `attached`: the supervisor (and so every component) dies with the calling process — for test
 * fixtures. Otherwise it outlives the caller, as a cluster started by `neon-local start` must.
 */
export async function ensureSupervisor(layout: RepoLayout, options: { attached: boolean }): Promise<SupervisorClient> {
  const client = new SupervisorClient(layout);
  if (await client.status()) return client;
  const watchParent = options.attached && !findSetpriv();
  const proc = await spawnOwned({
    command: process.execPath,
    args: [bundlePath('supervisor'), '--repo-dir', layout.root, ...(watchParent ? ['--watch-parent'] : [])],
    cwd: layout.root,
    env: componentEnvironment(),
    logFile: layout.supervisorLog,
    tieToParent: options.attached,
    extraStdio: ['pipe'],
  });
  const pipe = proc.child.stdio[3] as NodeJS.ReadableStream;
  const line = await new Promise<string>((resolve) => {
    let data = '';
    const timer = setTimeout(() => resolve(data), SUPERVISOR_READY_TIMEOUT_MS);
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk: string) => (data += chunk));
    pipe.on('end', () => {
      clearTimeout(timer);
      resolve(data);
    });
    pipe.on('error', () => resolve(data));
  });
  (pipe as unknown as { destroy(): void }).destroy();
  proc.child.unref();
  let report: { ok: boolean; reason?: string } | null = null;
  try {
    report = JSON.parse(line) as { ok: boolean; reason?: string };
  } catch {
    // no or garbled report: handled below
  }
  if (report?.ok) return client;
  if (report?.reason === 'already-running') return client; // another command started one just now
  throw new NeonLocalError('supervisor', 'the supervisor process did not start', {
    hint: `see ${layout.supervisorLog}`,
    details: { logTail: logTail(layout.supervisorLog, 20) },
  });
}

/** Kills an unresponsive supervisor; its components die with it (they are tied to it). */
export async function killSupervisor(layout: RepoLayout): Promise<boolean> {
  const record = await readRunRecord(layout, 'supervisor');
  if (!record) return false;
  const killed = signalIfOurs(record, 'SIGKILL');
  if (killed) await waitForExit(record.pid, 5000);
  await removeRunRecord(layout, 'supervisor');
  return killed;
}
