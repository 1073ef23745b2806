// The neon-local command tree. Names and flags follow neon_local; every command also takes
// --json and --repo-dir. Each action returns data (for --json) and text (for people).

import { Command, CommanderError, Option } from 'commander';
import { NeonLocalError } from '../cluster/util/errors.ts';
import { resetActionExitCode, actionExitCode, helpHint } from './action.ts';
import { registerComponentCommands } from './commands/components.ts';
import { registerClusterCommands } from './commands/cluster.ts';
import { registerEndpointCommands } from './commands/endpoints.ts';
import { registerFaultCommands } from './commands/faults.ts';
import { registerScenarioCommands } from './commands/scenarios.ts';
import { registerTenantCommands } from './commands/tenants.ts';
import { registerWorkloadCommands } from './commands/workload.ts';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';
import { createOutput, printError } from './output.ts';

export function buildProgram(): Command {
  const program = new Command('neon-local')
    .description('A local Neon storage cluster: storage controller, broker, pageservers, safekeepers and compute endpoints, emulated or real.')
    .addOption(new Option('--json', 'print exactly one JSON document on stdout (errors too)'))
    .addOption(new Option('--repo-dir <dir>', 'the cluster directory (default: $NEON_REPO_DIR or ./.neon)'))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} });
  registerClusterCommands(program);
  registerComponentCommands(program);
  registerTenantCommands(program);
  registerEndpointCommands(program);
  registerWorkloadCommands(program);
  registerFaultCommands(program);
  registerScenarioCommands(program);
  return program;
}

/** Parses argv and runs the command; returns the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  resetActionExitCode();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      const json = argv.includes('--json');
      const sub = commandPath(program, argv).join(' ');
      const error = new NeonLocalError('usage', err.message.replace(/^error: /, ''), { hint: helpHint(sub) });
      printError(createOutput(json), error);
      return err.exitCode === 0 ? EXIT_OK : EXIT_FAILURE;
    }
    throw err;
  }
  return actionExitCode();
}

/** The subcommand names argv selects ("pageserver start"), for pointing at the right --help. */
function commandPath(program: Command, argv: string[]): string[] {
  const names: string[] = [];
  let current = program;
  for (const token of argv) {
    if (token.startsWith('-')) continue;
    const next = current.commands.find((c) => c.name() === token || c.aliases().includes(token));
    if (!next) break;
    names.push(next.name());
    current = next;
  }
  return names;
}
