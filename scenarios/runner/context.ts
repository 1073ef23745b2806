// The StepContext a scenario's steps act through: every fault, heal, planned sleep and endpoint
// restart is executed here and recorded twice — in the schedule (the deterministic plan) and in
// the fault list of the report (with real times).

import fsp from 'node:fs/promises';
import path from 'node:path';
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

/** Watches acknowledged writes from now until stop(): the longest time without one. */
function watchWriteStall(workload: Workload): { stop(): { longestGapMs: number; writes: number } } {
  let last = performance.now();
  let longest = 0;
  let writes = 0;
  const unsubscribe = workload.onEvent((e) => {
    if (e.type !== 'ok' || e.op !== 'write') return;
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    writes++;
  });
  return {
    stop() {
      unsubscribe();
      return { longestGapMs: Math.max(longest, performance.now() - last), writes };
    },
  };
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
    async migrateTenant(nodeId, options = {}) {
      record({ step: recorder.step, action: 'migrate', node: nodeId, prewarm: options.prewarm ?? null });
      const startMs = recorder.now();
      const stall = watchWriteStall(workload);
      // The report's entry carries the stall, so report.html shows it on the timeline.
      const entry = { id: `m${recorder.faults.length + 1}`, kind: 'migrate' as const, description: `migrate the tenant to ps${nodeId}`, targets: [`ps${nodeId}`], startMs, endMs: null as number | null };
      recorder.faults.push(entry);
      let result;
      let measured;
      try {
        result = await cluster.migrateTenant(nodeId, { tenantId: parts.endpoint.tenantId, ...(options.prewarm !== undefined ? { prewarm: options.prewarm } : {}), untilDestination: options.untilDestination ?? false });
      } finally {
        entry.endMs = recorder.now();
        measured = stall.stop();
      }
      const { longestGapMs, writes } = measured;
      entry.description = `migrate the tenant ps${result.from} → ps${result.to}: compute write stall ${Math.round(longestGapMs)} ms`;
      parts.log(`  ${recorder.step}: tenant migrated from ps${result.from} to ps${result.to} in ${result.durationMs} ms; compute write stall ${Math.round(longestGapMs)} ms (${writes} writes acknowledged meanwhile)`);
      return { from: result.from, to: result.to, durationMs: result.durationMs ?? 0, writeStallMs: longestGapMs, writesDuring: writes };
    },
    async loseDisk(component) {
      record({ step: recorder.step, action: 'disk-loss', component });
      const startMs = recorder.now();
      const id = Number(/^ps(\d+)$/.exec(component)?.[1]);
      if (!Number.isInteger(id)) throw new Error(`loseDisk: ${component} is not a pageserver (ps<N>)`);
      await cluster.stopComponent(component, 'immediate');
      const tenants = path.join(cluster.layout.pageserverDir(id), 'tenants');
      await fsp.rm(tenants, { recursive: true, force: true });
      await fsp.mkdir(tenants, { recursive: true });
      await cluster.startComponent(component, 60_000);
      recorder.faults.push({ id: `d${recorder.faults.length + 1}`, kind: 'disk-loss', description: `${component} loses its disk (kill -9, tenants/ removed, start)`, targets: [component], startMs, endMs: recorder.now() });
      parts.log(`  ${recorder.step}: ${component} lost its local data and started again`);
    },
    async detachTenant(whileDetached) {
      record({ step: recorder.step, action: 'detach' });
      const startMs = recorder.now();
      const tenantId = parts.endpoint.tenantId;
      try {
        await cluster.setTenantPlacement('detached', { tenantId, timeoutMs: 60_000 });
        await whileDetached?.();
        await cluster.setTenantPlacement('attached', { tenantId, timeoutMs: 60_000 });
      } finally {
        recorder.faults.push({ id: `a${recorder.faults.length + 1}`, kind: 'detach', description: 'tenant detached, then attached again', targets: ['storcon'], startMs, endMs: recorder.now() });
      }
      parts.log(`  ${recorder.step}: tenant detached and attached again (now on ps${await ctx.attachedPageserverId()})`);
    },
    async attachedPageserverId() {
      return (await cluster.attachedPageserver(parts.endpoint.tenantId)).id;
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
