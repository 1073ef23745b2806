// `fault` commands: link faults through the harness's proxies (partition, cut, latency,
// bandwidth), process faults (kill, pause, resume, restart), failpoints, heal and list.

import { Option, type Command } from 'commander';
import type { ActiveFault, FaultRequest } from '../../cluster/faults/fault-request.ts';
import { healFaults, injectFault, listFaults } from '../../cluster/operations/faults.ts';
import { NeonLocalError } from '../../cluster/util/errors.ts';
import { defineAction, type ActionContext } from '../action.ts';
import { bytesPerSecond, duration } from '../parse.ts';
import { table } from '../render.ts';

const GROUPS_HELP = 'components (storcon, broker, ps1, sk2, ep-main); a group is a comma list, * matches anything (sk*)';

function forOption(): Option {
  return new Option('--for <duration>', 'heal by itself after this long (default: until healed)').argParser(duration);
}

function linkCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .argument('[a]', `first side: ${GROUPS_HELP}`)
    .argument('[b]', 'second side')
    .addOption(new Option('--between <group>', 'first side (instead of A)'))
    .addOption(new Option('--and <group>', 'second side (instead of B)'))
    .addOption(new Option('--one-way', 'only traffic from the first side to the second'))
    .addOption(forOption());
}

/** The two sides, from positionals or --between/--and. */
function sides(ctx: ActionContext): [string[], string[]] {
  const a = (ctx.opts['between'] as string | undefined) ?? ctx.args[0];
  const b = (ctx.opts['and'] as string | undefined) ?? ctx.args[ctx.opts['between'] ? 0 : 1];
  if (!a || !b) throw new NeonLocalError('usage', 'name both sides: `fault <kind> A B` or `--between A --and B`', { hint: GROUPS_HELP });
  return [[a], [b]];
}

function timed(ctx: ActionContext): { durationMs?: number } {
  return ctx.opts['for'] !== undefined ? { durationMs: ctx.opts['for'] as number } : {};
}

function describe(f: ActiveFault): string {
  return `${f.id}: ${f.description}${f.expiresAt ? ` (until ${f.expiresAt})` : ' (until healed)'}`;
}

async function inject(ctx: ActionContext, request: FaultRequest) {
  const fault = await injectFault(ctx.layout, request);
  return { data: fault, human: describe(fault) };
}

export function registerFaultCommands(program: Command): void {
  const fault = program.command('fault').description('inject faults into a running cluster: links, processes, failpoints');

  defineAction(
    linkCommand(fault, 'partition', 'hold traffic between two sides, as a network partition (connections stay open, bytes wait)')
      .addOption(new Option('--mode <mode>', 'blackhole: hold bytes; cut: refuse connections and reset open ones').choices(['blackhole', 'cut']).default('blackhole')),
    {},
    async (ctx) => {
      const [from, to] = sides(ctx);
      return inject(ctx, { kind: ctx.opts['mode'] === 'cut' ? 'cut' : 'partition', from, to, oneWay: ctx.opts['oneWay'] === true, ...timed(ctx) });
    },
  );

  defineAction(linkCommand(fault, 'cut', 'refuse connections between two sides and reset open ones'), {}, async (ctx) => {
    const [from, to] = sides(ctx);
    return inject(ctx, { kind: 'cut', from, to, oneWay: ctx.opts['oneWay'] === true, ...timed(ctx) });
  });

  defineAction(
    linkCommand(fault, 'latency', 'delay traffic between two sides')
      .argument('[delay]', 'e.g. 50ms')
      .addOption(new Option('--jitter <duration>', 'random variation, ± (e.g. 10ms)').argParser(duration)),
    {},
    async (ctx) => {
      const useFlags = ctx.opts['between'] !== undefined;
      const delayArg = ctx.args[useFlags ? 0 : 2];
      if (delayArg === undefined) throw new NeonLocalError('usage', 'say how long: `fault latency A B 50ms`');
      const [from, to] = sides(ctx);
      return inject(ctx, {
        kind: 'latency', from, to, oneWay: ctx.opts['oneWay'] === true, latencyMs: duration(delayArg),
        ...(ctx.opts['jitter'] !== undefined ? { jitterMs: ctx.opts['jitter'] as number } : {}), ...timed(ctx),
      });
    },
  );

  defineAction(linkCommand(fault, 'bandwidth', 'limit the bytes per second between two sides').argument('[rate]', 'e.g. 1MB/s'), {}, async (ctx) => {
    const rateArg = ctx.args[ctx.opts['between'] !== undefined ? 0 : 2];
    if (rateArg === undefined) throw new NeonLocalError('usage', 'say how much: `fault bandwidth A B 1MB/s`');
    const [from, to] = sides(ctx);
    return inject(ctx, { kind: 'bandwidth', from, to, oneWay: ctx.opts['oneWay'] === true, bytesPerSecond: bytesPerSecond(rateArg), ...timed(ctx) });
  });

  for (const [name, description] of [
    ['kill', 'kill -9 a component (with --for, start it again after that long)'],
    ['pause', 'SIGSTOP a component (with --for, resume it after that long)'],
  ] as const) {
    defineAction(fault.command(name).description(description).argument('<component>', GROUPS_HELP).addOption(forOption()), {}, (ctx) =>
      inject(ctx, { kind: name, component: ctx.args[0]!, ...timed(ctx) }),
    );
  }
  defineAction(fault.command('resume').description('SIGCONT a paused component').argument('<component>'), {}, (ctx) => inject(ctx, { kind: 'resume', component: ctx.args[0]! }));
  defineAction(fault.command('restart').description('stop (fast) and start a component').argument('<component>'), {}, (ctx) => inject(ctx, { kind: 'restart', component: ctx.args[0]! }));

  defineAction(
    fault
      .command('failpoint')
      .description("set one of a component's failpoints (neon's PUT /v1/failpoints); heal turns it off")
      .argument('<component>')
      .argument('<name>', 'failpoint name, e.g. sk-write-wal')
      .argument('<actions>', 'e.g. pause, return, sleep(100), 50%return, 1*pause->off')
      .addOption(forOption()),
    {},
    (ctx) => inject(ctx, { kind: 'failpoint', component: ctx.args[0]!, name: ctx.args[1]!, actions: ctx.args[2]!, ...timed(ctx) }),
  );

  defineAction(
    fault
      .command('heal')
      .description('end faults: those between two sides, one by id, or all')
      .argument('[a]')
      .argument('[b]')
      .addOption(new Option('--all', 'every fault'))
      .addOption(new Option('--id <id>', 'one fault, as `fault list` shows it')),
    {},
    async (ctx) => {
      const request = ctx.opts['all'] ? { all: true } : ctx.opts['id'] ? { id: ctx.opts['id'] as string } : ctx.args.length === 2 ? { between: [[ctx.args[0]!], [ctx.args[1]!]] as [string[], string[]] } : null;
      if (!request) throw new NeonLocalError('usage', 'say what to heal: `fault heal A B`, `fault heal --id f3` or `fault heal --all`');
      const healed = await healFaults(ctx.layout, request);
      return { data: { healed }, human: healed.length ? healed.map((f) => `healed ${f.id}: ${f.description}`).join('\n') : 'Nothing to heal.' };
    },
  );

  defineAction(
    fault.command('list').description('the faults in effect (and with --links, every link proxy)').addOption(new Option('--links', 'also list the link proxies and their open connections')),
    {},
    async (ctx) => {
      const { faults, links } = await listFaults(ctx.layout);
      const lines = [faults.length ? table([['ID', 'KIND', 'WHAT', 'SINCE', 'UNTIL'], ...faults.map((f) => [f.id, f.kind, f.description, f.startedAt, f.expiresAt ?? 'heal'])]) : 'No faults in effect.'];
      if (ctx.opts['links']) {
        lines.push('', table([['FROM', 'TO', 'PORT', 'PROXY', 'CONNECTIONS'], ...links.map((l) => [l.source, l.target, `${l.port} ${l.targetPort}`, String(l.proxyPort), String(l.connections)])]));
      }
      return { data: ctx.opts['links'] ? { faults, links } : { faults }, human: lines.join('\n') };
    },
  );
}
