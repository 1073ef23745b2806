// How a command runs: shared option handling (--json, --repo-dir), output and exit codes around
// an action that returns data (for --json) and text (for people).

import { InvalidArgumentError, type Command } from 'commander';
import { RepoLayout, resolveRepoDir } from '../cluster/repo/layout.ts';
import { describeHolder, setLockWaitNotifier } from '../cluster/repo/lock.ts';
import { asNeonLocalError, NeonLocalError } from '../cluster/util/errors.ts';
import { EXIT_OK, exitCodeFor } from './exit-codes.ts';
import { createOutput, printError, printResult, type Output } from './output.ts';

export interface ActionContext {
  out: Output;
  layout: RepoLayout;
  opts: Record<string, unknown>;
  args: string[];
}

export interface ActionResult {
  data: unknown;
  human: string;
  /** A result that is still a failure (e.g. a check that found violations): exit with this code. */
  exitCode?: number;
}

export type Action = (ctx: ActionContext) => Promise<ActionResult>;

export interface ActionOptions {
  /** Failures of this command to bring processes up exit with 2, as neon_local's start. */
  startsProcesses?: boolean;
}

let exitCode = EXIT_OK;

export function resetActionExitCode(): void {
  exitCode = EXIT_OK;
}

export function actionExitCode(): number {
  return exitCode;
}

/** Attaches `action` to `command` with the shared option handling, output and exit codes. */
export function defineAction(command: Command, options: ActionOptions, action: Action): Command {
  return command.action(async (...params: unknown[]) => {
    const cmd = params[params.length - 1] as Command;
    const opts = cmd.optsWithGlobals() as Record<string, unknown>;
    const out = createOutput(opts['json'] === true);
    setLockWaitNotifier((holder, layout) => out.progress(`Waiting for ${describeHolder(holder)} to release ${layout.root} ...`));
    try {
      const layout = new RepoLayout(resolveRepoDir(opts['repoDir'] as string | undefined));
      const result = await action({ out, layout, opts, args: cmd.args });
      printResult(out, result.data, result.human);
      if (result.exitCode !== undefined) exitCode = result.exitCode;
    } catch (err) {
      // An argument parser (cli/parse.ts) applied inside the action: a usage error like the others.
      const error = err instanceof InvalidArgumentError ? new NeonLocalError('usage', err.message, { hint: helpHint(commandPathOf(cmd)) }) : asNeonLocalError(err);
      printError(out, error);
      if (error.code === 'internal' && !out.json && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      exitCode = exitCodeFor(error.code, options.startsProcesses ?? false);
    }
  });
}

/** Where a usage error points: `see \`neon-local <sub> --help\``. */
export function helpHint(sub: string): string {
  return `see \`neon-local ${sub ? sub + ' ' : ''}--help\``;
}

/** "fault latency" for that subcommand: its names below the program's. */
function commandPathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
