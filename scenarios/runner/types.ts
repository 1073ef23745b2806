// What a scenario is: a typed module with a topology, a workload, steps each with a time bound,
// and invariants. Steps act through the StepContext, which records every fault and planned wait
// into the schedule. All randomness comes from `ctx.rng` (seeded), and a step must not let
// runtime outcomes change which faults it picks: then the same seed gives the same schedule,
// which is what `--seed` and `--replay` rely on.

import type { ActiveFault, FaultRequest, HealRequest } from '../../cluster/faults/fault-request.ts';
import type { Prng } from '../../cluster/util/prng.ts';
import type { Workload } from '../../cluster/workload/workload.ts';
import type { Cluster } from '../../fixtures/cluster.ts';
import type { Endpoint } from '../../fixtures/endpoint.ts';

export interface ScenarioTopology {
  pageservers?: number;
  safekeepers?: number;
}

export interface ScenarioWorkload {
  clients: number;
  keys: number;
  readFraction?: number;
}

export interface StepContext {
  cluster: Cluster;
  /** ep-main, the endpoint the workload writes through. */
  endpoint: Endpoint;
  workload: Workload;
  /** The scenario's seeded generator: the only source of randomness a step may use. */
  rng: Prng;
  /** Injects a fault (recorded in the schedule and the report). */
  fault(request: FaultRequest): Promise<ActiveFault>;
  heal(request: HealRequest): Promise<void>;
  /** A planned pause (recorded). */
  sleep(ms: number): Promise<void>;
  /** Stops (kill -9) and starts the endpoint (a compute restart; recorded); `whileStopped` runs
   * in between, e.g. to change the network the new compute will find, after a durability snapshot. */
  restartEndpoint(options?: { safekeepers?: number[]; whileStopped?: () => Promise<void> }): Promise<void>;
  /** Live-migrates the tenant to pageserver `nodeId` through the storage controller and waits
   * until it has settled there (recorded). Reports how long the compute's writes stalled. */
  migrateTenant(nodeId: number, options?: { prewarm?: boolean; untilDestination?: boolean }): Promise<MigrationOutcome>;
  /** Kills a pageserver, removes its local tenant data and starts it again: it must restore
   * what it serves from remote storage (recorded). */
  loseDisk(component: string): Promise<void>;
  /** Detaches the tenant from its pageserver (placement Detached), runs `whileDetached`, and
   * attaches it again (recorded). */
  detachTenant(whileDetached?: () => Promise<void>): Promise<void>;
  /** The pageserver id the tenant is attached to now. */
  attachedPageserverId(): Promise<number>;
  /** Waits until the workload has acknowledged `count` more writes (not recorded: an outcome, not a plan). */
  waitForProgress(count: number, timeoutMs: number): Promise<void>;
  /** Waits until every component of the cluster (or the named ones) is running (after kills and restarts). */
  waitForComponents(timeoutMs: number, names?: string[]): Promise<void>;
  /** Records each safekeeper's flush_lsn into the history (a durability snapshot, not a plan:
   * not in the schedule). Take one while the compute is down after a crash; `restartEndpoint`
   * takes one while the endpoint is stopped. */
  recordDurability(): Promise<void>;
  /** Acknowledged writes so far. */
  ackedWrites(): number;
  /** Records an invariant's result; a false one fails the scenario. */
  expect(name: string, ok: boolean, message?: string): void;
  log(message: string): void;
  /** Milliseconds since the scenario started. */
  now(): number;
}

export interface MigrationOutcome {
  from: number | null;
  to: number;
  durationMs: number;
  /** The longest time without an acknowledged write while the migration ran. */
  writeStallMs: number;
  writesDuring: number;
}

export interface Step {
  name: string;
  /** The step fails with a timeout if it runs longer. */
  boundMs: number;
  run(ctx: StepContext): Promise<void>;
}

/** Checked after the faults are healed and the workload finished. */
export interface Invariant {
  name: string;
  check(ctx: StepContext): Promise<string | null>;
}

export interface Scenario {
  name: string;
  description: string;
  topology?: ScenarioTopology;
  workload?: ScenarioWorkload;
  steps: Step[];
  invariants?: Invariant[];
  /** How long the workload runs after the last step, with every fault healed (default 2 s). */
  settleMs?: number;
}

/** One recorded action: the deterministic part of a run. */
export type ScheduleEntry =
  | { step: string; action: 'fault'; request: FaultRequest }
  | { step: string; action: 'heal'; request: HealRequest }
  | { step: string; action: 'sleep'; ms: number }
  | { step: string; action: 'restart-endpoint'; safekeepers: number[] | null }
  | { step: string; action: 'migrate'; node: number; prewarm: boolean | null }
  | { step: string; action: 'disk-loss'; component: string }
  | { step: string; action: 'detach' };

export interface Schedule {
  format: 'neon-local-schedule/1';
  scenario: string;
  seed: number;
  bugs: string[];
  entries: ScheduleEntry[];
}
