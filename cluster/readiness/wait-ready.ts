// Waiting for a component to become ready: poll its readiness probe under one shared deadline,
// stop at once if the process exits or the caller aborts, and explain a failure with the last
// probe result. Probes follow neon_local: a transport error means "not yet"; an HTTP error is
// fatal for pageservers and safekeepers, "not yet" for the others.

import { httpRequest } from '../clients/http.ts';
import type { ComponentSpec } from '../components/spec.ts';
import { describeExit, type ExitInfo } from '../process/spawn-owned.ts';
import { formatDuration } from '../util/duration.ts';
import { NeonLocalError } from '../util/errors.ts';

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 100;
const PROBE_TIMEOUT_MS = 1000;

type ProbeResult = { ready: true } | { ready: false; fatal: boolean; detail: string };

export async function probeOnce(spec: ComponentSpec, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  try {
    const res = await httpRequest(spec.probe.url, { timeoutMs });
    if (res.status >= 200 && res.status < 300) {
      const want = spec.probe.json;
      if (!want) return { ready: true };
      const body = JSON.parse(res.body) as Record<string, unknown>;
      const value = body[want.field];
      if (value === want.ready) return { ready: true };
      // compute_ctl's /status says why it failed in `error`.
      const why = typeof body['error'] === 'string' && body['error'] ? ` (${body['error']})` : '';
      return { ready: false, fatal: value === want.fatal, detail: `GET ${spec.probe.url}: ${want.field} is ${JSON.stringify(value)}${why}` };
    }
    return { ready: false, fatal: spec.probe.httpErrorIsFatal, detail: `GET ${spec.probe.url} answered ${res.status} ${res.body.slice(0, 200)}` };
  } catch (err) {
    return { ready: false, fatal: false, detail: `GET ${spec.probe.url}: ${(err as Error).message}` };
  }
}

export interface WaitOptions {
  deadline: number;
  timeoutMs: number;
  exited: Promise<ExitInfo>;
  signal?: AbortSignal;
}

export async function waitUntilReady(spec: ComponentSpec, options: WaitOptions): Promise<void> {
  let exit: ExitInfo | null = null;
  void options.exited.then((e) => (exit = e));
  let delayMs = FIRST_POLL_MS;
  let last = 'no probe answered yet';
  for (;;) {
    if (exit) {
      throw new NeonLocalError('start-failed', `${spec.displayName} exited during startup (${describeExit(exit)})`, { component: spec.name });
    }
    if (options.signal?.aborted) throw new NeonLocalError('start-failed', `${spec.displayName}: start cancelled because another component failed`, { component: spec.name });
    const remaining = options.deadline - Date.now();
    if (remaining <= 0) {
      throw new NeonLocalError('start-failed', `${spec.displayName} did not become ready within ${formatDuration(options.timeoutMs)}; last probe: ${last}`, {
        component: spec.name,
        hint: 'raise --start-timeout if the machine is busy, or read the log below',
      });
    }
    const result = await probeOnce(spec, Math.min(PROBE_TIMEOUT_MS, remaining));
    if (result.ready) return;
    last = result.detail;
    if (result.fatal) throw new NeonLocalError('start-failed', `${spec.displayName} is broken: ${result.detail}`, { component: spec.name });
    await new Promise((r) => setTimeout(r, Math.min(delayMs, Math.max(1, options.deadline - Date.now()))));
    delayMs = Math.min(delayMs * 2, MAX_POLL_MS);
  }
}
