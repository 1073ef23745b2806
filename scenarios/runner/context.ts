// The StepContext a scenario's steps act through: every fault, heal, planned sleep and endpoint
// restart is executed here and recorded twice — in the schedule (the deterministic plan) and in
// the fault list of the report (with real times).

import { performance } from 'node:perf_hooks';
import type { ActiveFault, FaultRequest, HealRequest } from '../../cluster/faults/fault-request.ts';
import type { Prng } from '../../cluster/util/prng.ts';
import type { Workload } from '../../cluster/workload/workload.ts';
import type { Cluster } from '../../fixtures/cluster.ts';
import type { Endpoint } from '../../fixtures/endpoint.ts';
import type { FaultKind, ReportFault } from '../report/types.ts';
import type { ScheduleEntry, StepContext } from './types.ts';

export interface InvariantResult {
  name: string;
  ok: boolean;
  message?: string;
}

export class RunRecorder {
  readonly entries: ScheduleEntry[] = [];
  readonly faults: ReportFault[] = [];
  readonly invariants: InvariantResult[] = [];
  readonly logLines: string[] = [];
  step = 'setup';

  constructor(private readonly t0: number) {}

  now(): number {
    return performance.now() - this.t0;
  }

  /** Closes the report entries of faults that were healed (by the runner or by their timer). */
  closeFaults(healed: ActiveFault[]): void {
    for (const f of healed) {
      const entry = this.faults.find((r) => r.id === f.id && r.endMs === null);
      if (entry) entry.endMs = this.now();
    }
  }
}

function reportKind(request: FaultRequest): FaultKind {
  if (request.kind === 'resume') return 'pause';
  return request.kind;
}

export function makeStepContext(parts: {
  cluster: Cluster;
  endpoint: Endpoint;
  workload: Workload;
  rng: Prng;
  recorder: RunRecorder;
  log: (message: string) => void;
}): StepContext {
  const { cluster, workload, recorder } = parts;
  const record = (entry: ScheduleEntry) => recorder.entries.push(entry);
  const ctx: StepContext = {
    cluster,
    endpoint: parts.endpoint,
    workload,
    rng: parts.rng,
    async fault(request) {
      record({ step: recorder.step, action: 'fault', request });
      const startMs = recorder.now();
      const fault = await cluster.faults.injectRequest(request);
      const instant = request.kind === 'restart' || request.kind === 'resume';
      const duration = 'durationMs' in request && request.durationMs ? request.durationMs : null;
      if (request.kind !== 'resume') {
        recorder.faults.push({
          id: fault.id, kind: reportKind(request), description: fault.description, targets: fault.targets, startMs,
          endMs: instant ? recorder.now() : duration !== null ? startMs + duration : null,
        });
      }
      parts.log(`  ${recorder.step}: ${fault.description}${duration ? ` for ${duration} ms` : ''}`);
      return fault;
    },
    async heal(request) {
      record({ step: recorder.step, action: 'heal', request });
      const healed = await cluster.faults.healRequest(request);
      recorder.closeFaults(healed);
      if (healed.length) parts.log(`  ${recorder.step}: healed ${healed.map((f) => f.description).join('; ')}`);
    },
    async sleep(ms) {
      record({ step: recorder.step, action: 'sleep', ms });
      await new Promise((r) => setTimeout(r, ms));
    },
    async restartEndpoint(options = {}) {
      record({ step: recorder.step, action: 'restart-endpoint', safekeepers: options.safekeepers ?? null });
      const startMs = recorder.now();
      await cluster.stopEndpoint(parts.endpoint.id, { mode: 'immediate' });
      await ctx.recordDurability();
      await options.whileStopped?.();
      await cluster.startEndpoint(parts.endpoint.id, { ...(options.safekeepers ? { safekeepers: options.safekeepers } : {}), timeoutMs: 60_000 });
      recorder.faults.push({ id: `r${recorder.faults.length + 1}`, kind: 'restart', description: `restart ${parts.endpoint.id}${options.safekeepers ? ` with safekeepers ${options.safekeepers.join(',')}` : ''}`, targets: [parts.endpoint.id], startMs, endMs: recorder.now() });
      parts.log(`  ${recorder.step}: restarted ${parts.endpoint.id}`);
    },
    async waitForProgress(count, timeoutMs) {
      const start = ctx.ackedWrites();
      const deadline = Date.now() + timeoutMs;
      while (ctx.ackedWrites() < start + count) {
        if (Date.now() > deadline) throw new Error(`the workload made too little progress: ${ctx.ackedWrites() - start} of ${count} writes acknowledged in ${timeoutMs} ms (last error: ${workload.lastError ?? 'none'})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async waitForComponents(timeoutMs, names) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const watched = (await cluster.status()).components.filter((c) => !names || names.includes(c.name));
        const down = watched.filter((c) => c.state !== 'running').map((c) => `${c.name} ${c.state}`);
        if (down.length === 0) return;
        if (Date.now() > deadline) throw new Error(`components not running after ${timeoutMs} ms: ${down.join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async recordDurability() {
      const snap = await workload.recordDurability(cluster.safekeepers);
      parts.log(`  ${recorder.step}: safekeepers flushed ${Object.entries(snap.safekeepers).map(([sk, lsn]) => `${sk} ${lsn ?? 'no answer'}`).join(', ')}`);
    },
    ackedWrites: () => workload.stats().writes.ok,
    expect(name, ok, message) {
      recorder.invariants.push({ name, ok, ...(message ? { message } : {}) });
      if (!ok) parts.log(`  ${recorder.step}: VIOLATED ${name}${message ? `: ${message}` : ''}`);
    },
    log: (message) => parts.log(`  ${recorder.step}: ${message}`),
    now: () => recorder.now(),
  };
  return ctx;
}
