// The supervisor owns a cluster's component processes: it launches them (tied to its own life),
// waits for them under one deadline, wires them together, notices when one dies, and stops them.
// Operations run one at a time, in arrival order.

import { StorageControllerClient } from '../clients/storage-controller.ts';
import { loadClusterConfig } from '../config/cluster-file.ts';
import type { ComponentSpec } from '../components/spec.ts';
import { componentSpecs, selectComponents } from '../components/topology.ts';
import { registerSafekeepers, waitForPageserversActive } from '../components/wiring.ts';
import { stopRecorded, stopWaves } from '../operations/stop-recorded.ts';
import type { OwnedProcess } from '../process/spawn-owned.ts';
import { describeExit } from '../process/spawn-owned.ts';
import type { StopMode } from '../process/terminate.ts';
import { waitUntilReady } from '../readiness/wait-ready.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { readRunRecord, writeRunRecord, type ExitRecord } from '../repo/run-records.ts';
import { asNeonLocalError, NeonLocalError } from '../util/errors.ts';
import { logTail } from '../util/log-tail.ts';
import { BUGS_ENV } from '../bugs.ts';
import type { ClusterConfig } from '../config/types.ts';
import { FaultHost } from './fault-host.ts';
import { ensurePortsFree, launchComponent } from './launch.ts';
import type { ManagedState, StartEvent, StartRequest, StartResult, StopRequest, StopResult, SupervisorStatus } from './protocol.ts';

interface Managed {
  spec: ComponentSpec;
  process: OwnedProcess;
  state: ManagedState;
  exit: ExitRecord | null;
}

const LOG_TAIL_LINES = 25;
/** How long a component restarted by a fault (or its heal) may take to become ready. */
const FAULT_START_TIMEOUT_MS = 30_000;

export class Supervisor {
  private readonly managed = new Map<string, Managed>();
  private queue: Promise<unknown> = Promise.resolve();
  readonly startedAt = new Date().toISOString();
  readonly faults: FaultHost;

  constructor(
    readonly layout: RepoLayout,
    private readonly log: (message: string) => void,
  ) {
    const quiet = () => {};
    const one = (name: string): StartRequest => ({ components: [name], timeoutMs: FAULT_START_TIMEOUT_MS, clusterCheck: false });
    this.faults = new FaultHost(layout, {
      start: async (name) => void (await this.start(one(name), quiet)),
      restart: (name) => this.serialize(async () => {
        await this.doStop([name], 'fast');
        await this.doStart(one(name), quiet);
      }),
    }, log);
  }

  /** Runs operations one after another, so a stop never interleaves with a start. */
  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => {});
    return run;
  }

  status(): SupervisorStatus {
    const components: SupervisorStatus['components'] = {};
    for (const [name, m] of this.managed) components[name] = { pid: m.process.pid, state: m.state, exit: m.exit };
    return { pid: process.pid, startedAt: this.startedAt, repoDir: this.layout.root, components };
  }

  private isRunning(name: string): boolean {
    const m = this.managed.get(name);
    return m !== undefined && (m.state === 'running' || m.state === 'starting');
  }

  start(request: StartRequest, emit: (event: StartEvent) => void): Promise<StartResult> {
    return this.serialize(() => this.doStart(request, emit));
  }

  stop(request: StopRequest): Promise<StopResult> {
    return this.serialize(() => this.doStop(request.components, request.mode));
  }

  private async doStart(request: StartRequest, emit: (event: StartEvent) => void): Promise<StartResult> {
    const began = Date.now();
    const deadline = began + request.timeoutMs;
    const config = await loadClusterConfig(this.layout);
    const all = componentSpecs(config, this.layout);
    // "Everything" is the storage cluster; endpoints start only when named (neon_local does the same).
    const targets = request.components ? selectComponents(all, request.components) : all.filter((s) => s.kind !== 'compute');
    const alreadyRunning = targets.filter((s) => this.isRunning(s.name)).map((s) => s.name);
    const toStart = targets.filter((s) => !this.isRunning(s.name));
    await ensurePortsFree(toStart);
    if (config.linkProxies) await this.faults.prepareLinks(all);

    const abort = new AbortController();
    const launched: ComponentSpec[] = [];
    const started: StartResult['started'] = [];
    const outcomes = await Promise.allSettled(
      toStart.map(async (spec) => {
        try {
          const child = await launchComponent(this.layout, this.withClusterEnv(config, spec), process.pid);
          launched.push(spec);
          this.track(spec, child);
          emit({ type: 'launched', component: spec.name, pid: child.pid });
          await waitUntilReady(spec, { deadline, timeoutMs: request.timeoutMs, exited: child.exited, signal: abort.signal });
          if (spec.kind === 'storage-controller') await registerSafekeepers(config, new StorageControllerClient(spec.httpUrl));
          this.managed.get(spec.name)!.state = 'running';
          const readyMs = Date.now() - began;
          started.push({ name: spec.name, pid: child.pid, readyMs });
          emit({ type: 'ready', component: spec.name, readyMs });
        } catch (err) {
          abort.abort();
          throw withLogTail(asNeonLocalError(err), spec);
        }
      }),
    );
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as NeonLocalError] : []));
    if (failures.length > 0) {
      await this.doStop(launched.map((s) => s.name), 'immediate');
      // The first failure that is not merely "cancelled because another failed" is the cause.
      throw failures.find((f) => !/start cancelled/.test(f.message)) ?? failures[0]!;
    }

    const storcon = all.find((s) => s.kind === 'storage-controller')!;
    if (request.clusterCheck && this.isRunning(storcon.name)) {
      try {
        await waitForPageserversActive(config, new StorageControllerClient(storcon.httpUrl), deadline);
      } catch (err) {
        await this.doStop(launched.map((s) => s.name), 'immediate');
        throw withLogTail(asNeonLocalError(err), storcon);
      }
    }
    return { started: started.sort((a, b) => a.readyMs - b.readyMs), alreadyRunning, elapsedMs: Date.now() - began };
  }

  /** The environment the cluster gives every component: link proxies, bug switches. */
  private withClusterEnv(config: ClusterConfig, spec: ComponentSpec): ComponentSpec {
    const linked = config.linkProxies ? this.faults.withLinkEnv(spec) : spec;
    return config.bugSwitches.length ? { ...linked, env: { ...linked.env, [BUGS_ENV]: config.bugSwitches.join(',') } } : linked;
  }

  /** Watches a launched process; an exit nobody asked for is recorded in its run record. */
  private track(spec: ComponentSpec, child: OwnedProcess): void {
    const entry: Managed = { spec, process: child, state: 'starting', exit: null };
    this.managed.set(spec.name, entry);
    void child.exited.then(async (exit) => {
      if (this.managed.get(spec.name) !== entry || entry.state === 'stopping') return;
      entry.state = 'exited';
      entry.exit = { code: exit.code, signal: exit.signal, at: new Date().toISOString() };
      this.log(`${spec.name} (pid ${child.pid}) exited unexpectedly: ${describeExit(exit)}`);
      const record = await readRunRecord(this.layout, spec.name);
      if (record && record.pid === child.pid) await writeRunRecord(this.layout, { ...record, exit: entry.exit });
    });
  }

  private async doStop(names: string[] | null, mode: StopMode): Promise<StopResult> {
    const config = await loadClusterConfig(this.layout);
    const all = componentSpecs(config, this.layout);
    const targets = names ? selectComponents(all, names) : all;
    const result: StopResult = { stopped: [], notRunning: [] };
    for (const wave of stopWaves(targets)) {
      await Promise.all(
        wave.map(async (spec) => {
          await this.faults.controller.forgetProcessFaults(spec.name);
          const entry = this.managed.get(spec.name);
          if (entry) entry.state = 'stopping';
          const outcome = await stopRecorded(this.layout, spec, mode);
          this.managed.delete(spec.name);
          (outcome === 'stopped' ? result.stopped : result.notRunning).push(spec.name);
        }),
      );
    }
    return result;
  }

  /** Stops everything (used on shutdown), ignoring a cluster.yaml that has become unreadable. */
  async stopAll(mode: StopMode): Promise<StopResult> {
    return this.serialize(async () => {
      try {
        const result = await this.doStop(null, mode);
        this.faults.close();
        return result;
      } catch (err) {
        this.log(`stopping by topology failed (${(err as Error).message}); stopping tracked processes directly`);
        const result: StopResult = { stopped: [], notRunning: [] };
        for (const [name, entry] of this.managed) {
          entry.state = 'stopping';
          (await stopRecorded(this.layout, entry.spec, mode)) === 'stopped' ? result.stopped.push(name) : result.notRunning.push(name);
        }
        this.managed.clear();
        return result;
      }
    });
  }
}

function withLogTail(err: NeonLocalError, spec: ComponentSpec): NeonLocalError {
  if (err.details?.['logTail']) return err;
  return new NeonLocalError(err.code, err.message, {
    component: err.component ?? spec.name,
    ...(err.hint ? { hint: err.hint } : {}),
    details: { ...err.details, logFile: spec.logFile, logTail: logTail(spec.logFile, LOG_TAIL_LINES) },
    cause: err,
  });
}
