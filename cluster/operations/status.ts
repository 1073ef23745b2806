// `neon-local status`: what runs, from the run records (so it works without a supervisor), with a
// readiness probe for each live process.

import path from 'node:path';
import { loadClusterConfig } from '../config/cluster-file.ts';
import type { KindName } from '../components/spec.ts';
import { componentSpecs } from '../components/topology.ts';
import { isSameProcess } from '../process/proc.ts';
import { probeOnce } from '../readiness/wait-ready.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { listRunRecords, readRunRecord, type ExitRecord } from '../repo/run-records.ts';
import { SupervisorClient } from '../supervisor/client.ts';

/**
 * running: alive and its readiness probe answers; not-ready: alive but the probe fails (starting,
 * paused, wedged); down: it was started and has died without being stopped (crash, kill -9);
 * stopped: not started, or stopped on request.
 */
export type ComponentState = 'running' | 'not-ready' | 'down' | 'stopped';

export interface ComponentStatus {
  name: string;
  kind: KindName;
  id: number | null;
  displayName: string;
  backend: string;
  state: ComponentState;
  pid: number | null;
  ports: Record<string, number>;
  httpUrl: string;
  dataDir: string;
  logFile: string;
  startedAt: string | null;
  /** How it ended, for state `down`, when the supervisor saw it end. */
  exit: ExitRecord | null;
}

export interface ClusterStatus {
  repoDir: string;
  supervisor: { running: boolean; pid: number | null };
  components: ComponentStatus[];
}

const PROBE_TIMEOUT_MS = 1000;

export async function clusterStatus(layout: RepoLayout): Promise<ClusterStatus> {
  const config = await loadClusterConfig(layout);
  const supervisor = await new SupervisorClient(layout).status();
  const components = await Promise.all(
    componentSpecs(config, layout).map(async (spec): Promise<ComponentStatus> => {
      const record = await readRunRecord(layout, spec.name);
      const alive = record !== null && isSameProcess(record.pid, record.startTime);
      let state: ComponentState = 'stopped';
      if (alive) state = (await probeOnce(spec, PROBE_TIMEOUT_MS)).ready ? 'running' : 'not-ready';
      else if (record) state = 'down';
      return {
        name: spec.name,
        kind: spec.kind,
        id: spec.id,
        displayName: spec.displayName,
        backend: spec.backend,
        state,
        pid: record?.pid ?? null,
        ports: Object.fromEntries(spec.ports.map((p) => [p.name, p.port])),
        httpUrl: spec.httpUrl,
        dataDir: spec.workDir,
        logFile: path.relative(layout.root, spec.logFile),
        startedAt: record?.startedAt ?? null,
        exit: state === 'down' ? (supervisor?.components[spec.name]?.exit ?? record?.exit ?? null) : null,
      };
    }),
  );
  return { repoDir: layout.root, supervisor: { running: supervisor !== null, pid: supervisor?.pid ?? null }, components };
}

/** True if any process of the cluster (supervisor or component) is alive. */
export async function clusterIsRunning(layout: RepoLayout): Promise<boolean> {
  const records = await listRunRecords(layout);
  return records.some((r) => isSameProcess(r.pid, r.startTime));
}
