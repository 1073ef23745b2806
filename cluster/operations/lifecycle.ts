// Starting and stopping a cluster or some of its components. Each operation holds the repo lock
// and goes through the cluster's supervisor; `stop` also works when the supervisor is gone or
// wedged, from the run records.

import { loadClusterConfig } from '../config/cluster-file.ts';
import { componentSpecs, selectComponents } from '../components/topology.ts';
import type { StopMode } from '../process/terminate.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { withRepoLock, type LockOptions } from '../repo/lock.ts';
import { ensureSupervisor, killSupervisor, SupervisorClient } from '../supervisor/client.ts';
import type { StartEvent, StartResult, StopResult } from '../supervisor/protocol.ts';
import { stopRecorded, stopWaves } from './stop-recorded.ts';
import type { ComponentSpec } from '../components/spec.ts';
import { isSameProcess } from '../process/proc.ts';
import { readRunRecord } from '../repo/run-records.ts';

export const DEFAULT_START_TIMEOUT_MS = 10_000;

export interface StartOptions {
  /** Component names; all components when absent. */
  components?: string[];
  timeoutMs?: number;
  /** The cluster dies with the calling process (test fixtures); default false. */
  attached?: boolean;
  onEvent?: (event: StartEvent) => void;
  lock?: Partial<LockOptions>;
}

export function startComponents(layout: RepoLayout, options: StartOptions = {}): Promise<StartResult> {
  return withRepoLock(layout, { command: 'neon-local start', ...options.lock }, () => startComponentsLocked(layout, options));
}

/** startComponents for a caller that already holds the repo lock. */
export async function startComponentsLocked(layout: RepoLayout, options: StartOptions): Promise<StartResult> {
  await loadClusterConfig(layout); // config errors surface here, before any process starts
  const client = await ensureSupervisor(layout, { attached: options.attached ?? false });
  try {
    return await client.start(
      {
        components: options.components ?? null,
        timeoutMs: options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS,
        clusterCheck: options.components === undefined,
      },
      options.onEvent,
    );
  } catch (err) {
    // A failed start leaves nothing running: if no component is up, the supervisor goes too.
    const status = await client.status();
    const anyAlive = status && Object.values(status.components).some((c) => c.state === 'running' || c.state === 'starting');
    if (status && !anyAlive) await client.shutdown('immediate').catch(() => killSupervisor(layout));
    throw err;
  }
}

export interface StopOptions {
  components?: string[];
  mode?: StopMode;
  lock?: Partial<LockOptions>;
}

/**
 * Stops components (all of them when none are named; then the supervisor exits too). Works from
 * the run records when no supervisor answers, so nothing outlives `stop`.
 */
export function stopComponents(layout: RepoLayout, options: StopOptions = {}): Promise<StopResult> {
  return withRepoLock(layout, { command: 'neon-local stop', ...options.lock }, () => stopComponentsLocked(layout, options));
}

/** stopComponents for a caller that already holds the repo lock. */
export async function stopComponentsLocked(layout: RepoLayout, options: StopOptions): Promise<StopResult> {
  const mode = options.mode ?? 'fast';
  const config = await loadClusterConfig(layout);
  const all = componentSpecs(config, layout);
  const targets = options.components ? selectComponents(all, options.components) : all;
  const wasAlive = await aliveComponents(layout, targets);
  const client = new SupervisorClient(layout);
  if (await client.status()) {
    try {
      if (options.components) await client.stop({ components: options.components, mode });
      else await client.shutdown(mode);
    } catch {
      await killSupervisor(layout); // wedged: kill it, its components die with it
    }
  } else if (!options.components) {
    await killSupervisor(layout); // a stale record, or a supervisor that stopped answering
  }
  // Whatever is still recorded (no supervisor, or one that failed) is stopped from its record.
  for (const wave of stopWaves(targets)) await Promise.all(wave.map((spec) => stopRecorded(layout, spec, mode)));
  const ordered = stopWaves(targets).flat().map((s) => s.name);
  return { stopped: ordered.filter((n) => wasAlive.has(n)), notRunning: ordered.filter((n) => !wasAlive.has(n)) };
}

async function aliveComponents(layout: RepoLayout, specs: ComponentSpec[]): Promise<Set<string>> {
  const alive = new Set<string>();
  for (const spec of specs) {
    const record = await readRunRecord(layout, spec.name);
    if (record && isSameProcess(record.pid, record.startTime)) alive.add(spec.name);
  }
  return alive;
}

/** Stops then starts components, holding the repo lock across both. */
export function restartComponents(
  layout: RepoLayout,
  components: string[],
  options: Omit<StartOptions, 'components'> & { mode?: StopMode } = {},
): Promise<StartResult> {
  return withRepoLock(layout, { command: 'neon-local restart', ...options.lock }, async () => {
    await stopComponentsLocked(layout, { components, mode: options.mode ?? 'fast' });
    return startComponentsLocked(layout, { ...options, components });
  });
}
