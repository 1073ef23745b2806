// What the harness knows about one component of a cluster, independent of how it is run.
// A kind (pageserver, safekeeper, ...) builds this from the cluster config; a backend (emulated,
// later binary or docker) turns it into a running process. Neither knows the other's details.

import type { BackendName } from '../config/types.ts';

export type KindName = 'storage-broker' | 'storage-controller' | 'pageserver' | 'safekeeper' | 'compute';

/** The Neon binary a component corresponds to; emulators accept the same command line. */
export type ProgramName = 'storage_broker' | 'storage_controller' | 'pageserver' | 'safekeeper' | 'compute_ctl';

export interface NamedPort {
  /** What the port is for: http, pg, listen. */
  name: string;
  host: string;
  port: number;
}

export interface ReadinessProbe {
  url: string;
  /**
   * neon_local's rule: for pageservers and safekeepers an HTTP error status means the process is
   * broken (fatal); for the storage controller and broker any error only means "not yet".
   */
  httpErrorIsFatal: boolean;
  /** Ready only when this JSON field of the answer has this value (compute_ctl's status). */
  json?: { field: string; ready: string; fatal: string };
}

export interface ComponentSpec {
  /** Short, stable name used everywhere: broker, storcon, ps1, sk2. */
  name: string;
  kind: KindName;
  id: number | null;
  /** For people: "pageserver 1". */
  displayName: string;
  backend: BackendName;
  program: ProgramName;
  args: string[];
  env: Record<string, string>;
  /** Working directory and data directory. */
  workDir: string;
  logFile: string;
  /**
   * The pid file the harness writes, for programs that do not write their own (neon_local's
   * "Create" mode: broker, storage controller). Pageservers and safekeepers write theirs.
   */
  pidFile: string | null;
  ports: NamedPort[];
  httpUrl: string;
  probe: ReadinessProbe;
  /** Components stop in ascending order of this group (neon_local: computes, pageservers, safekeepers, broker, storcon). */
  stopGroup: number;
  /** Files to (re)write before each launch, generated from cluster.yaml. */
  files: { path: string; content: string }[];
}
