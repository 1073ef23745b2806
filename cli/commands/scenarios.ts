// `scenario list` and `scenario run NAME|--all [--seed N] [--report DIR] [--bugs ...] [--replay FILE] [--remote-storage ...]`.
// Each run makes its own temporary cluster; the report (HTML, JSON, schedule, history) goes to
// --report DIR/<scenario> or a temporary directory, printed at the end.

import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { BUG_SWITCHES } from '../../cluster/bugs.ts';
import { NeonLocalError } from '../../cluster/util/errors.ts';
import { findScenario, SCENARIOS } from '../../scenarios/library/index.ts';
import { parseRemoteStorageChoice, type RemoteStorageChoice } from '../../scenarios/runner/remote-storage.ts';
import { runScenario } from '../../scenarios/runner/run.ts';
import { readSchedule } from '../../scenarios/runner/schedule.ts';
import type { Scenario } from '../../scenarios/runner/types.ts';
import { defineAction } from '../action.ts';
import { count } from '../parse.ts';
import { table } from '../render.ts';

function pickScenarios(name: string | undefined, all: boolean): Scenario[] {
  if (all && name) throw new NeonLocalError('usage', `name a scenario or pass --all, not both (got "${name}" and --all)`);
  if (all) return [...SCENARIOS];
  if (!name) throw new NeonLocalError('usage', 'name a scenario, or pass --all', { hint: `scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}` });
  const found = findScenario(name);
  if (!found) throw new NeonLocalError('not-found', `no scenario named "${name}"`, { hint: `scenarios: ${SCENARIOS.map((s) => s.name).join(', ')} (see \`neon-local scenario list\`)` });
  return [found];
}

export function registerScenarioCommands(program: Command): void {
  const scenario = program.command('scenario').description('scripted fault scenarios with a workload and the lost-write checker');

  defineAction(scenario.command('list').description('the scenarios, and the bug switches that can be turned on'), {}, async () => {
    const rows = [['SCENARIO', 'WHAT IT DOES'], ...SCENARIOS.map((s) => [s.name, s.description])];
    const bugs = [['BUG SWITCH', 'CAUGHT BY', 'WHAT IT BREAKS'], ...BUG_SWITCHES.map((b) => [b.name, b.caughtBy, b.description])];
    return { data: { scenarios: SCENARIOS.map((s) => ({ name: s.name, description: s.description })), bugSwitches: BUG_SWITCHES }, human: `${table(rows)}\n\n${table(bugs)}` };
  });

  defineAction(
    scenario
      .command('run')
      .description('run scenarios, each on a fresh cluster; exit 1 if any fails')
      .argument('[name]', 'scenario name')
      .addOption(new Option('--all', 'every scenario'))
      .addOption(new Option('--seed <n>', 'seed for every random choice (default: random, printed)').argParser(count('--seed', 0, 2 ** 31 - 1)))
      .addOption(new Option('--report <dir>', 'write reports to DIR/<scenario>/ (default: a temporary directory)'))
      .addOption(new Option('--bugs <names>', `turn on bug switches (comma list): ${BUG_SWITCHES.map((b) => b.name).join(', ')}`))
      .addOption(new Option('--replay <schedule.json>', 'run a recorded schedule again (its scenario, seed and bug switches)'))
      .addOption(new Option('--keep-repo', "keep each cluster's directory, for its logs"))
      .addOption(new Option('--remote-storage <where>', 'pageserver remote storage: local (default), moto (starts a moto_server S3), or s3://BUCKET[/PREFIX]').argParser(remoteStorageOption)),
    {},
    async ({ out, opts, args }) => {
      const replay = opts['replay'] ? readSchedule(opts['replay'] as string) : undefined;
      if (replay && (opts['all'] === true || (args[0] !== undefined && args[0] !== replay.scenario))) {
        throw new NeonLocalError('usage', `--replay runs the schedule's own scenario (${replay.scenario}); drop ${opts['all'] === true ? '--all' : `"${args[0]}"`}`);
      }
      const chosen = replay ? pickScenarios(replay.scenario, false) : pickScenarios(args[0], opts['all'] === true);
      const seed = replay?.seed ?? (opts['seed'] as number | undefined) ?? Math.floor(Math.random() * 2 ** 31);
      const bugs = replay?.bugs ?? (opts['bugs'] ? String(opts['bugs']).split(',').map((b) => b.trim()).filter(Boolean) : []);
      const base = (opts['report'] as string | undefined) ?? path.join(os.tmpdir(), 'neon-local-reports', `${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const results = [];
      for (const s of chosen) {
        const { report, reportPaths } = await runScenario(s, {
          seed, bugs, reportDir: path.resolve(base, s.name), log: (line) => out.progress(line),
          ...(replay ? { replay } : {}), ...(opts['keepRepo'] ? { keepRepoDir: true } : {}),
          ...(opts['remoteStorage'] ? { remoteStorage: opts['remoteStorage'] as RemoteStorageChoice } : {}),
        });
        results.push({ name: s.name, outcome: report.outcome, failure: report.failure, seed: report.seed, durationMs: report.durationMs, check: report.check?.stats ?? null, report: reportPaths?.html ?? null });
      }
      const failed = results.filter((r) => r.outcome === 'failed');
      const rows = [['SCENARIO', 'OUTCOME', 'SECONDS', 'ACKED WRITES', 'REPORT'], ...results.map((r) => [r.name, r.outcome.toUpperCase(), (r.durationMs / 1000).toFixed(1), String(r.check?.acknowledged ?? '-'), r.report ?? '-'])];
      const human = `${table(rows)}\n\nseed ${seed}${bugs.length ? `, bug switches ${bugs.join(',')}` : ''}: ${results.length - failed.length} passed, ${failed.length} failed${failed.map((f) => `\n${f.name}: ${f.failure}`).join('')}`;
      if (failed.length) {
        throw new NeonLocalError('scenario-failed', `${failed.length} of ${results.length} scenario(s) failed (seed ${seed}): ${failed.map((f) => f.name).join(', ')}`, {
          hint: `reports: ${failed.map((f) => f.report).join(', ')}; rerun with --seed ${seed}`,
          details: { results, summary: human },
        });
      }
      return { data: { seed, bugs, results }, human };
    },
  );
}

function remoteStorageOption(value: string): RemoteStorageChoice {
  try {
    return parseRemoteStorageChoice(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^--remote-storage \S+: /, '') + '.');
  }
}
