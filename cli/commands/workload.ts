// `workload run` records a history of racing writes and reads on an endpoint; `check` proves from
// a history that no acknowledged write was lost (and, given the running endpoint, reads every
// acknowledged write back from the pageserver at its commit LSN).

import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatDuration } from '../../cluster/util/duration.ts';
import { NeonLocalError } from '../../cluster/util/errors.ts';
import { checkHistory, type Violation } from '../../cluster/workload/checker.ts';
import { describeStats, describeViolation } from '../../cluster/workload/describe.ts';
import { readFinalValues } from '../../cluster/workload/final-read.ts';
import { FINAL_PROCESS, readHistory, type HistoryEvent } from '../../cluster/workload/history.ts';
import { lsnCheck, type LsnCheckResult } from '../../cluster/workload/lsn-check.ts';
import { resolveWorkloadTarget } from '../../cluster/workload/target.ts';
import { startWorkload } from '../../cluster/workload/workload.ts';
import { defineAction } from '../action.ts';
import { duration, positiveInt } from '../parse.ts';

const FINAL_READ_TIMEOUT_MS = 60_000;

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError(`--read-fraction must be a number from 0 to 1, got "${value}".`);
  return n;
}

function seed(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`--seed must be a non-negative integer, got "${value}".`);
  return Number(value);
}

export function registerWorkloadCommands(program: Command): void {
  const workload = program.command('workload').description('a history-recording register workload, for `neon-local check`');

  defineAction(
    workload
      .command('run')
      .description('race clients on shared keys through an endpoint, recording every operation in a history file')
      .addOption(new Option('--endpoint <id>', 'endpoint to run against').default('ep-main'))
      .addOption(new Option('--clients <n>', 'concurrent clients').argParser(positiveInt('--clients')).default(4))
      .addOption(new Option('--duration <duration>', 'how long to run').argParser(duration).default(10_000, '10s'))
      .addOption(new Option('--keys <n>', 'number of keys the clients share').argParser(positiveInt('--keys')).default(10))
      .addOption(new Option('--read-fraction <f>', 'share of operations that are reads, 0..1').argParser(fraction).default(0.2))
      .addOption(new Option('--seed <n>', 'PRNG seed for the choice of keys and operations (default: random)').argParser(seed))
      .addOption(new Option('--table <name>', 'table to use; it is emptied first').default('workload_kv'))
      .addOption(new Option('--request-timeout <duration>', 'a request without answer this long has an unknown outcome').argParser(duration).default(10_000, '10s'))
      .addOption(new Option('--history <file>', 'the history file to write (JSON lines)').makeOptionMandatory()),
    {},
    async ({ out, layout, opts }) => {
      const target = await resolveWorkloadTarget(layout, opts['endpoint'] as string);
      const historyFile = path.resolve(opts['history'] as string);
      const durationMs = opts['duration'] as number;
      const run = await startWorkload({
        endpoint: target.endpoint, clients: opts['clients'] as number, durationMs, keys: opts['keys'] as number, table: opts['table'] as string,
        historyFile, readFraction: opts['readFraction'] as number, requestTimeoutMs: opts['requestTimeout'] as number,
        ...(opts['seed'] !== undefined ? { seed: opts['seed'] as number } : {}),
      });
      out.progress(`Running ${opts['clients']} clients on ${target.endpoint.id} for ${formatDuration(durationMs)} (seed ${run.seed}); history: ${historyFile}`);
      const started = Date.now();
      const ticker = setInterval(() => {
        const s = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
        if (run.setupMs === null) out.progress(`${s} s  setting up table ${run.header.table} (retried until the endpoint commits)${run.lastError ? `  last error: ${run.lastError}` : ''}`);
        else out.progress(`${s} s  ok ${run.ok}  fail ${run.fail}  unknown ${run.unknown}${run.lastError && run.fail + run.unknown > 0 ? `  last error: ${run.lastError}` : ''}`);
      }, 1000);
      const interrupt = () => void run.stop();
      process.once('SIGINT', interrupt);
      try {
        await run.done;
        out.progress('Reading the final value of every key ...');
        const result = await run.finish();
        const s = result.stats;
        const human = [
          `Workload on ${target.endpoint.id} (table ${result.header.table}, ${result.header.keys} keys, ${result.header.clients} clients, seed ${s.seed}): ${(s.durationMs / 1000).toFixed(1)} s${(s.setupMs ?? 0) >= 1000 ? ` (${((s.setupMs ?? 0) / 1000).toFixed(1)} s of it setting up the table)` : ''}, ` +
            `${s.ok} ok (${s.writes.ok} writes, ${s.reads.ok} reads), ${s.fail} failed, ${s.unknown} unknown; ${s.opsPerSecond} ops/s.`,
          `History: ${historyFile} (${result.events.length} events).`,
          `Check it: neon-local check ${historyFile} --endpoint ${target.endpoint.id}`,
        ].join('\n');
        return { data: { endpoint: target.endpoint.id, historyFile, header: result.header, stats: s, series: run.series() }, human };
      } finally {
        clearInterval(ticker);
        process.off('SIGINT', interrupt);
      }
    },
  );

  defineAction(
    program
      .command('check')
      .description('check a workload history: no acknowledged write lost, no value from nowhere; exit 1 on any violation')
      .argument('<history>', 'history file written by `neon-local workload run`')
      .addOption(new Option('--endpoint <id>', 'also read every acknowledged write back at its commit LSN and re-read the final values through this running endpoint')),
    {},
    async ({ out, layout, opts, args }) => {
      const file = args[0]!;
      const history = readHistory(file);
      const { header } = history;
      let events = history.events;
      let lsn: LsnCheckResult | null = null;
      let reread: number | null = null;
      const endpointId = opts['endpoint'] as string | undefined;
      if (endpointId !== undefined) {
        const target = await resolveWorkloadTarget(layout, endpointId);
        if (target.endpoint.tenant !== header.tenant || target.endpoint.timeline !== header.timeline) {
          throw new NeonLocalError('usage', `endpoint ${endpointId} is on timeline ${target.endpoint.tenant}/${target.endpoint.timeline}; the history is of ${header.tenant}/${header.timeline}`, {
            hint: `check with the endpoint the history was recorded on (${header.endpoint})`,
          });
        }
        out.progress(`Re-reading final values through ${endpointId} ...`);
        const finals: HistoryEvent[] = [];
        const since = Date.parse(header.startedAt);
        await readFinalValues({
          sqlUrl: `${target.endpoint.httpUrl}/v1/sql`, table: header.table, keys: [...new Set(events.map((e) => e.key))].sort(),
          deadline: Date.now() + FINAL_READ_TIMEOUT_MS, requestTimeoutMs: 10_000,
          onValue: (key, value) => void finals.push({ type: 'final', op: 'read', process: FINAL_PROCESS, time: Date.now() - since, key, value, lsn: null, endpoint: endpointId, tenant: header.tenant, timeline: header.timeline }),
        });
        events = [...events, ...finals];
        reread = finals.length;
        out.progress(`Reading acknowledged writes back from pageserver ${target.pageserver.host}:${target.pageserver.port} at their commit LSNs ...`);
        lsn = await lsnCheck(history.events, { pageserver: target.pageserver, pageserverHttpUrl: target.pageserver.httpUrl, table: header.table });
      }
      const result = checkHistory(events, history.durability);
      const violations: Violation[] = [...result.violations, ...(lsn?.violations ?? [])];
      const ok = violations.length === 0;
      const lines = [
        `History ${file}: endpoint ${header.endpoint}, table ${header.table}, started ${header.startedAt}.`,
        `Checked ${describeStats(result.stats)}.`,
        ...(reread !== null ? [`Final values re-read through ${endpointId}: ${reread} keys.`] : []),
        ...(lsn ? [`LSN check: ${lsn.checked} acknowledged writes read back at their commit LSN, ${lsn.skipped} skipped (below the GC cutoff).`] : []),
        ok ? 'OK: no acknowledged write was lost, no read saw a value it should not.' : `${violations.length} violation${violations.length === 1 ? '' : 's'}:\n\n${violations.map(describeViolation).join('\n\n')}`,
      ];
      return {
        data: { ok, file, header, stats: result.stats, lsnCheck: lsn && { checked: lsn.checked, skipped: lsn.skipped }, finalsReread: reread, violations },
        human: lines.join('\n'),
        ...(ok ? {} : { exitCode: 1 }),
      };
    },
  );
}
