// Runs one scenario: a fresh cluster (temporary directory), the workload on ep-main, the steps in
// order under their time bounds, then — whatever happened — every fault healed, a settle period,
// the final reads, the checker (history rules and reads at each commit LSN), the invariants, and
// the report (JSON, HTML, the schedule and the history).

import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkBugSwitches } from '../../cluster/bugs.ts';
import { Prng } from '../../cluster/util/prng.ts';
import { checkHistory, type CheckResult } from '../../cluster/workload/checker.ts';
import { lsnCheck, type LsnCheckResult } from '../../cluster/workload/lsn-check.ts';
import { startWorkload, type Workload } from '../../cluster/workload/workload.ts';
import { startCluster, type Cluster } from '../../fixtures/cluster.ts';
import { writeReport } from '../report/json.ts';
import { REPORT_FORMAT, type ReportCheck, type ScenarioReport } from '../report/types.ts';
import { makeStepContext, RunRecorder } from './context.ts';
import { prepareRemoteStorage, type RemoteStorageChoice } from './remote-storage.ts';
import { SCHEDULE_FORMAT, scheduleDifference } from './schedule.ts';
import type { Scenario, Schedule, StepContext } from './types.ts';

export interface RunOptions {
  seed: number;
  /** Write report.json, report.html, schedule.json and history.jsonl here. */
  reportDir?: string;
  bugs?: string[];
  /** A schedule to reproduce: the run must execute exactly its entries. */
  replay?: Schedule;
  log?: (line: string) => void;
  /** Keep the cluster's directory (for its logs). */
  keepRepoDir?: boolean;
  /** Where the pageservers' remote storage is (default: the local directory). */
  remoteStorage?: RemoteStorageChoice;
}

export interface RunResult {
  report: ScenarioReport;
  schedule: Schedule;
  reportPaths: { json: string; html: string } | null;
}

const DEFAULT_WORKLOAD = { clients: 4, keys: 20, readFraction: 0.2 };
const DEFAULT_SETTLE_MS = 2000;

async function bounded<T>(work: Promise<T>, ms: number): Promise<'ok' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  try {
    return await Promise.race([work.then(() => 'ok' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunResult> {
  const log = options.log ?? (() => {});
  const seed = options.replay?.seed ?? options.seed;
  const bugs = checkBugSwitches(options.replay?.bugs ?? options.bugs ?? []);
  const rng = new Prng(seed);
  const startedAt = new Date().toISOString();
  const remote = await prepareRemoteStorage(options.remoteStorage ?? 'local');
  log(`${scenario.name} (seed ${seed}${bugs.length ? `, bug switches: ${bugs.join(', ')}` : ''}, remote storage: ${remote.description})`);

  const cluster = await startCluster({
    withEndpoint: true,
    ...(scenario.topology?.pageservers ? { pageservers: scenario.topology.pageservers } : {}),
    ...(scenario.topology?.safekeepers ? { safekeepers: scenario.topology.safekeepers } : {}),
    ...(options.keepRepoDir ? { keepRepoDir: true } : {}),
    spec: { bug_switches: bugs, remote_storage: remote.spec },
  }).catch(async (err: unknown) => {
    await remote.stop();
    throw err;
  });
  const failures: string[] = [];
  let workload: Workload | null = null;
  let recorder = new RunRecorder(performance.now());
  const steps: ScenarioReport['steps'] = [];
  let check: ReportCheck | null = null;
  let ctx: StepContext | null = null;
  try {
    if (options.reportDir) fs.mkdirSync(options.reportDir, { recursive: true });
    const endpoint = cluster.endpoint('ep-main');
    const w = { ...DEFAULT_WORKLOAD, ...scenario.workload };
    workload = await startWorkload({
      endpoint: { id: endpoint.id, host: '127.0.0.1', pgPort: endpoint.pgPort, httpUrl: endpoint.http.baseUrl, tenant: endpoint.tenantId, timeline: endpoint.timelineId },
      clients: w.clients,
      keys: w.keys,
      readFraction: w.readFraction ?? 0,
      seed: rng.int(0, 2 ** 31 - 1),
      requestTimeoutMs: 5000,
      setupTimeoutMs: 20_000, // also bounds the final reads of a cluster a bug switch broke
      ...(options.reportDir ? { historyFile: path.join(options.reportDir, 'history.jsonl') } : {}),
    });
    await workload.started;
    recorder = new RunRecorder(performance.now());
    ctx = makeStepContext({ cluster, endpoint, workload, rng, recorder, log });

    for (const step of scenario.steps) {
      recorder.step = step.name;
      const startMs = recorder.now();
      let outcome: 'ok' | 'failed' | 'timeout';
      let error: string | undefined;
      try {
        outcome = await bounded(step.run(ctx), step.boundMs);
        if (outcome === 'timeout') error = `did not finish within ${step.boundMs} ms`;
      } catch (err) {
        outcome = 'failed';
        error = (err as Error).message;
      }
      steps.push({ name: step.name, startMs, endMs: recorder.now(), boundMs: step.boundMs, outcome, ...(error ? { error } : {}) });
      log(`  step ${step.name}: ${outcome}${error ? ` (${error})` : ''}`);
      if (outcome !== 'ok') {
        failures.push(`step ${step.name}: ${error}`);
        break;
      }
    }
  } catch (err) {
    failures.push(`setup: ${(err as Error).message}`);
  }

  try {
    recorder.step = 'heal';
    recorder.closeFaults(await cluster.faults.healAll());
    await new Promise((r) => setTimeout(r, scenario.settleMs ?? DEFAULT_SETTLE_MS));
    if (workload) {
      const checked = await runChecker(cluster, workload);
      check = checked.check;
      if (checked.finalReadError) failures.push(`final reads: ${checked.finalReadError}`);
      if (checked.lsnError) failures.push(`LSN check could not run: ${checked.lsnError}`);
    }
    if (check && !check.ok) failures.push(`checker: ${check.violations.length} violation(s): ${[...new Set(check.violations.map((v) => v.kind))].join(', ')}`);
    if (ctx) {
      for (const inv of scenario.invariants ?? []) {
        const problem = await inv.check(ctx).catch((err: Error) => `could not check: ${err.message}`);
        ctx.expect(inv.name, problem === null, problem ?? undefined);
      }
    }
  } catch (err) {
    failures.push(`final checks: ${(err as Error).message}`);
  }
  for (const inv of recorder.invariants.filter((i) => !i.ok)) failures.push(`invariant ${inv.name}${inv.message ? `: ${inv.message}` : ''}`);

  const schedule: Schedule = { format: SCHEDULE_FORMAT, scenario: scenario.name, seed, bugs, entries: recorder.entries };
  if (options.replay) {
    const diff = scheduleDifference(options.replay.entries, schedule.entries);
    if (diff) failures.push(`replay diverged from the recorded schedule at ${diff}`);
  }
  const report: ScenarioReport = {
    format: REPORT_FORMAT,
    scenario: { name: scenario.name, description: scenario.description },
    seed,
    startedAt,
    durationMs: Math.round(recorder.now()),
    outcome: failures.length ? 'failed' : 'passed',
    failure: failures.length ? failures.join('; ') : null,
    topology: {
      pageservers: cluster.config.pageservers.length,
      safekeepers: cluster.config.safekeepers.length,
      endpoints: cluster.config.endpoints.map((e) => e.id),
      components: cluster.specs().map((s) => s.name),
      remoteStorage: remote.description,
    },
    steps,
    faults: recorder.faults,
    series: workload ? workload.series(1000) : [],
    check,
    invariants: recorder.invariants,
    schedule,
  };
  await cluster.stop('immediate');
  await remote.stop();
  let reportPaths: RunResult['reportPaths'] = null;
  if (options.reportDir) {
    const paths = await writeReport(options.reportDir, report);
    fs.writeFileSync(path.join(options.reportDir, 'schedule.json'), JSON.stringify(schedule, null, 2) + '\n');
    reportPaths = { json: paths.json, html: paths.html };
  }
  log(`${scenario.name}: ${report.outcome.toUpperCase()}${report.failure ? ` — ${report.failure}` : ''}`);
  return { report, schedule, reportPaths };
}

/** The history rules, plus every acknowledged write read back at its commit LSN. */
async function runChecker(cluster: Cluster, workload: Workload): Promise<{ check: ReportCheck; finalReadError: string | null; lsnError: string | null }> {
  // One more snapshot before the clients stop: cheap, and sound at any moment.
  await workload.recordDurability(cluster.safekeepers);
  const result = await workload.finish({ unreadable: 'report' });
  const history: CheckResult = checkHistory(result.events, result.durability);
  // The LSN reads need the pageserver; when it cannot be reached the history rules still stand.
  let lsn: LsnCheckResult = { ok: true, checked: 0, skipped: 0, violations: [] };
  let lsnError: string | null = null;
  try {
    const attached = await cluster.attachedPageserver(result.header.tenant);
    const ps = cluster.config.pageservers.find((p) => p.id === attached.id)!;
    lsn = await lsnCheck(result.events, {
      pageserver: { host: ps.listenPg.host, port: ps.listenPg.port },
      pageserverHttpUrl: attached.baseUrl,
      table: result.header.table,
    });
  } catch (err) {
    lsnError = (err as Error).message;
  }
  const violations = [...history.violations, ...lsn.violations];
  const check: ReportCheck = {
    ok: violations.length === 0 && lsnError === null,
    ...(lsnError !== null ? { incomplete: `the LSN reads could not run: ${lsnError}` } : {}),
    stats: { ...history.stats, lsnChecked: lsn.checked },
    violations: violations.map((v) => ({
      kind: v.kind,
      key: v.key,
      message: v.message,
      ops: v.ops.map((e) => ({ type: e.type, op: e.op, process: e.process, key: e.key, value: e.value, timeMs: e.time, lsn: e.lsn, ...(e.error ? { error: e.error } : {}) })),
    })),
  };
  return { check, finalReadError: result.finalReadError, lsnError };
}
