// Per-component commands, as neon_local has them: `pageserver start|stop|restart|status [--id N]`,
// `safekeeper start|stop|restart|status [ID]`, `storage-controller ...`, `storage-broker ...`.

import { Option, type Command } from 'commander';
import { loadClusterConfig } from '../../cluster/config/cluster-file.ts';
import type { KindName } from '../../cluster/components/spec.ts';
import { componentByKindId, componentSpecs } from '../../cluster/components/topology.ts';
import { DEFAULT_START_TIMEOUT_MS, restartComponents, startComponents, stopComponents } from '../../cluster/operations/lifecycle.ts';
import { clusterStatus } from '../../cluster/operations/status.ts';
import type { StopMode } from '../../cluster/process/terminate.ts';
import type { RepoLayout } from '../../cluster/repo/layout.ts';
import type { StartResult } from '../../cluster/supervisor/protocol.ts';
import { formatDuration } from '../../cluster/util/duration.ts';
import { duration, positiveInt } from '../parse.ts';
import { defineAction, type ActionContext } from '../action.ts';
import { modeOption, progressPrinter } from './cluster.ts';

interface ComponentCommand {
  name: string;
  aliases: string[];
  kind: KindName;
  /** How the node id is given: `--id N`, a positional `[id]`, `--instance-id N`, or not at all. */
  idStyle: 'id-option' | 'positional' | 'instance-id' | 'none';
  noun: string;
}

const COMMANDS: ComponentCommand[] = [
  { name: 'pageserver', aliases: [], kind: 'pageserver', idStyle: 'id-option', noun: 'a pageserver' },
  { name: 'safekeeper', aliases: [], kind: 'safekeeper', idStyle: 'positional', noun: 'a safekeeper' },
  { name: 'storage-controller', aliases: ['storage_controller'], kind: 'storage-controller', idStyle: 'instance-id', noun: 'the storage controller' },
  { name: 'storage-broker', aliases: ['storage_broker'], kind: 'storage-broker', idStyle: 'none', noun: 'the storage broker' },
];

function addId(command: Command, style: ComponentCommand['idStyle']): Command {
  if (style === 'id-option') command.addOption(new Option('--id <id>', 'node id').argParser(positiveInt('--id')).default(1));
  if (style === 'positional') command.argument('[id]', 'safekeeper id (default 1)', positiveInt('safekeeper id'), 1);
  if (style === 'instance-id') command.addOption(new Option('--instance-id <id>', 'storage controller instance (only 1)').argParser(positiveInt('--instance-id')).default(1));
  return command;
}

async function resolveName(layout: RepoLayout, def: ComponentCommand, ctx: ActionContext, positionalId: unknown): Promise<{ name: string; displayName: string }> {
  const config = await loadClusterConfig(layout);
  const all = componentSpecs(config, layout);
  let spec;
  if (def.idStyle === 'none') spec = all.find((c) => c.kind === def.kind)!;
  else {
    const id = def.idStyle === 'positional' ? (positionalId as number) : def.idStyle === 'id-option' ? (ctx.opts['id'] as number) : (ctx.opts['instanceId'] as number);
    spec = componentByKindId(all, def.kind, id);
  }
  return { name: spec.name, displayName: spec.displayName };
}

function startedText(displayName: string, result: StartResult): string {
  const started = result.started[0];
  if (!started) return `${displayName} is already running.`;
  return `${displayName} started (pid ${started.pid}, ready after ${started.readyMs} ms).`;
}

export function registerComponentCommands(program: Command): void {
  for (const def of COMMANDS) {
    const parent = program.command(def.name).description(`start, stop, restart or inspect ${def.noun}`);
    for (const alias of def.aliases) parent.alias(alias);
    // The positional id is the first action argument when the command has one.
    const positional = (ctx: ActionContext) => (def.idStyle === 'positional' ? (ctx.args[0] === undefined ? 1 : Number(ctx.args[0])) : undefined);
    const timeout = () => new Option('-t, --start-timeout <duration>', 'readiness deadline').argParser(duration).default(DEFAULT_START_TIMEOUT_MS, formatDuration(DEFAULT_START_TIMEOUT_MS));

    defineAction(addId(parent.command('start').description(`start ${def.noun}`), def.idStyle).addOption(timeout()), { startsProcesses: true }, async (ctx) => {
      const { name, displayName } = await resolveName(ctx.layout, def, ctx, positional(ctx));
      const result = await startComponents(ctx.layout, { components: [name], timeoutMs: ctx.opts['startTimeout'] as number, onEvent: progressPrinter(ctx.out) });
      return { data: { component: name, ...result }, human: startedText(displayName, result) };
    });

    defineAction(addId(parent.command('stop').description(`stop ${def.noun}`), def.idStyle).addOption(modeOption()), {}, async (ctx) => {
      const { name, displayName } = await resolveName(ctx.layout, def, ctx, positional(ctx));
      const result = await stopComponents(ctx.layout, { components: [name], mode: ctx.opts['mode'] as StopMode });
      return { data: { component: name, ...result }, human: result.stopped.length ? `Stopped ${displayName}.` : `${displayName} was not running.` };
    });

    defineAction(addId(parent.command('restart').description(`stop (fast) and start ${def.noun}`), def.idStyle).addOption(timeout()).addOption(modeOption()), { startsProcesses: true }, async (ctx) => {
      const { name, displayName } = await resolveName(ctx.layout, def, ctx, positional(ctx));
      const result = await restartComponents(ctx.layout, [name], { timeoutMs: ctx.opts['startTimeout'] as number, mode: ctx.opts['mode'] as StopMode });
      return { data: { component: name, ...result }, human: startedText(displayName, result) };
    });

    defineAction(addId(parent.command('status').description(`show ${def.noun}'s state`), def.idStyle), {}, async (ctx) => {
      const { name } = await resolveName(ctx.layout, def, ctx, positional(ctx));
      const component = (await clusterStatus(ctx.layout)).components.find((c) => c.name === name)!;
      const human = `${component.displayName}: ${component.state}${component.pid && component.state !== 'stopped' ? ` (pid ${component.pid})` : ''}  ${component.httpUrl}  log ${component.logFile}`;
      return { data: component, human };
    });
  }
}
