// The scenario report: what the scenario runner writes after a run (report.json) and what the HTML
// page is rendered from. The format string is versioned so a reader can refuse what it does not know.

import type { SeriesPoint } from '../../cluster/workload/workload.ts';

export const REPORT_FORMAT = 'neon-local-scenario-report/1';

export type FaultKind = 'partition' | 'cut' | 'latency' | 'bandwidth' | 'kill' | 'pause' | 'restart' | 'failpoint' | 'migrate' | 'disk-loss' | 'detach';
export const FAULT_KINDS: readonly FaultKind[] = ['partition', 'cut', 'latency', 'bandwidth', 'kill', 'pause', 'restart', 'failpoint', 'migrate', 'disk-loss', 'detach'];

export interface ReportStep {
  name: string;
  startMs: number;
  endMs: number;
  boundMs: number;
  outcome: 'ok' | 'failed' | 'timeout';
  error?: string;
}

/** A fault that was in effect; times in ms since the scenario start, endMs null = still active at the end (healed by the runner). */
export interface ReportFault {
  id: string;
  kind: FaultKind;
  description: string;
  targets: string[];
  startMs: number;
  endMs: number | null;
}

/** One bucket of workload figures (per second), as the workload counts them. */
export type ReportSeriesPoint = SeriesPoint;

export interface ReportOperation {
  type: string;
  op: string;
  process: number;
  key: string;
  value: string | null;
  timeMs: number;
  lsn?: string | null;
  /** Why a fail or unknown operation ended so (optional, shown when present). */
  error?: string;
}

export interface ReportViolation {
  kind: string;
  key: string;
  message: string;
  ops: ReportOperation[];
}

export interface ReportCheck {
  ok: boolean;
  /** Part of the check could not run (why); the rest still counts. */
  incomplete?: string;
  stats: {
    writes: number; acknowledged: number; failed: number; unknown: number; reads: number; keys: number; lsnChecked: number;
    /** Optional: reports written before durability snapshots existed lack them. */
    durabilitySnapshots?: number; durabilityChecked?: number;
  };
  violations: ReportViolation[];
}

export interface ReportInvariant {
  name: string;
  ok: boolean;
  message?: string;
}

export interface ScenarioReport {
  format: typeof REPORT_FORMAT;
  scenario: { name: string; description: string };
  seed: number;
  startedAt: string; // ISO time
  durationMs: number;
  outcome: 'passed' | 'failed';
  failure: string | null; // why it failed (a step error, a checker violation summary)
  /** remoteStorage: where the pageservers' remote storage was (absent in reports before it was recorded). */
  topology: { pageservers: number; safekeepers: number; endpoints: string[]; components: string[]; remoteStorage?: string };
  steps: ReportStep[];
  faults: ReportFault[];
  series: ReportSeriesPoint[];
  check: ReportCheck | null;
  invariants: ReportInvariant[];
  schedule: unknown; // the replayable fault schedule, shown as JSON in a collapsible block
}
