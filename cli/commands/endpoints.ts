// `endpoint` commands, with neon_local's names and flags: create, start, stop, list, reconfigure.

import { Option, type Command } from 'commander';
import {
  createEndpoint, ENDPOINT_STOP_MODES, listEndpoints, psqlCommand, reconfigureEndpoint, startEndpoint, stopEndpoint,
  type EndpointStopMode, type EndpointWiringOptions,
} from '../../cluster/operations/endpoints.ts';
import { formatDuration } from '../../cluster/util/duration.ts';
import { NeonLocalError } from '../../cluster/util/errors.ts';
import { defineAction, type ActionContext } from '../action.ts';
import { boolValue, duration, idList, positiveInt } from '../parse.ts';
import { table } from '../render.ts';
import { progressPrinter } from './cluster.ts';

const ENDPOINT_START_TIMEOUT_MS = 90_000;

function wiringOptions(command: Command): Command {
  return command
    .addOption(new Option('--pageserver-id <id>', 'pageserver to read from (default: where the storage controller has the tenant)').argParser(positiveInt('--pageserver-id')))
    .addOption(new Option('--safekeepers <ids>', 'safekeeper ids, e.g. 1,2,3 (default: the timeline\'s set at the storage controller)').argParser(idList('--safekeepers')))
    .addOption(new Option('--safekeepers-generation <n>', 'membership generation for neon.safekeepers (default: the storage controller\'s)').argParser(positiveInt('--safekeepers-generation')));
}

function wiringFrom(opts: ActionContext['opts']): EndpointWiringOptions {
  return {
    ...(opts['pageserverId'] !== undefined ? { pageserverId: opts['pageserverId'] as number } : {}),
    ...(opts['safekeepers'] !== undefined ? { safekeepers: opts['safekeepers'] as number[] } : {}),
    ...(opts['safekeepersGeneration'] !== undefined ? { safekeepersGeneration: opts['safekeepersGeneration'] as number } : {}),
  };
}

export function registerEndpointCommands(program: Command): void {
  const endpoint = program.command('endpoint').description('compute endpoints: Postgres-protocol front ends on a branch');

  defineAction(
    endpoint
      .command('create')
      .description('create an endpoint on a branch (not started); the default id is ep-<branch>')
      .argument('[id]', 'endpoint id')
      .addOption(new Option('--tenant-id <id>', 'tenant (default: the default tenant)'))
      .addOption(new Option('--branch-name <name>', 'branch').default('main'))
      .addOption(new Option('--lsn <lsn>', 'a read-only endpoint at this LSN (neon\'s static mode)'))
      .addOption(new Option('--pg-port <port>', 'Postgres port (default: a free one)').argParser(positiveInt('--pg-port')))
      .addOption(new Option('--external-http-port <port>', 'HTTP port (default: a free one)').argParser(positiveInt('--external-http-port')))
      .addOption(new Option('--http-port <port>', 'alias of --external-http-port').argParser(positiveInt('--http-port')).hideHelp())
      .addOption(new Option('--pageserver-id <id>', 'pin a pageserver (default: where the storage controller has the tenant)').argParser(positiveInt('--pageserver-id')))
      .addOption(new Option('--hot-standby <bool>', 'a replica following the primary (not emulated yet)').argParser(boolValue('--hot-standby'))),
    {},
    async ({ layout, opts, args }) => {
      if (opts['hotStandby'] === true) {
        throw new NeonLocalError('usage', 'hot-standby replicas are not emulated yet', { hint: 'use --lsn LSN for a read-only endpoint at a fixed LSN' });
      }
      const httpPort = (opts['externalHttpPort'] ?? opts['httpPort']) as number | undefined;
      const ep = await createEndpoint(layout, {
        ...(args[0] !== undefined ? { id: args[0] } : {}),
        ...(opts['tenantId'] !== undefined ? { tenantId: opts['tenantId'] as string } : {}),
        branchName: opts['branchName'] as string,
        ...(opts['lsn'] !== undefined ? { lsn: opts['lsn'] as string } : {}),
        ...(opts['pgPort'] !== undefined ? { pgPort: opts['pgPort'] as number } : {}),
        ...(httpPort !== undefined ? { httpPort } : {}),
        ...(opts['pageserverId'] !== undefined ? { pageserverId: opts['pageserverId'] as number } : {}),
      });
      const mode = ep.mode.kind === 'static' ? `read-only at ${ep.mode.lsn}` : 'primary';
      return {
        data: ep,
        human: `Created endpoint ${ep.id} (${mode}) on branch ${ep.branchName} of tenant ${ep.tenantId}: pg 127.0.0.1:${ep.pgPort}, http 127.0.0.1:${ep.httpPort}\nStart it: neon-local endpoint start ${ep.id}`,
      };
    },
  );

  defineAction(
    wiringOptions(endpoint.command('start').description('start an endpoint; ready once it is elected and serving').argument('<id>', 'endpoint id'))
      .addOption(new Option('--allow-multiple', 'allow a second running primary on the same timeline'))
      .addOption(new Option('-t, --start-timeout <duration>', 'readiness deadline').argParser(duration).default(ENDPOINT_START_TIMEOUT_MS, formatDuration(ENDPOINT_START_TIMEOUT_MS))),
    { startsProcesses: true },
    async ({ out, layout, opts, args }) => {
      const id = args[0]!;
      const result = await startEndpoint(layout, id, { ...wiringFrom(opts), allowMultiple: opts['allowMultiple'] === true, timeoutMs: opts['startTimeout'] as number, onEvent: progressPrinter(out) });
      const { endpoint: ep, ...started } = result;
      return {
        data: { id, ...started, address: `127.0.0.1:${ep.pgPort}` },
        human: `Started endpoint ${id}${result.started[0] ? ` (pid ${result.started[0].pid}, ready after ${result.started[0].readyMs} ms)` : ''}.\nConnect: ${psqlCommand(ep)}`,
      };
    },
  );

  defineAction(
    endpoint
      .command('stop')
      .description('stop an endpoint; prints the last LSN it flushed to the safekeepers (or null)')
      .argument('<id>', 'endpoint id')
      .addOption(new Option('-m, --mode <mode>', 'fast: finish commits in flight; immediate: abort them').choices(ENDPOINT_STOP_MODES).default('fast'))
      .addOption(new Option('--destroy', 'also delete the endpoint and its directory')),
    {},
    async ({ layout, opts, args }) => {
      const id = args[0]!;
      const { lsn, wasRunning } = await stopEndpoint(layout, id, { mode: opts['mode'] as EndpointStopMode, destroy: opts['destroy'] === true });
      const what = wasRunning ? `Stopped endpoint ${id}` : `Endpoint ${id} was not running`;
      return { data: { id, lsn, wasRunning, destroyed: opts['destroy'] === true }, human: `${what}${opts['destroy'] ? ' and destroyed it' : ''}; last flush LSN: ${lsn ?? 'null'}` };
    },
  );

  defineAction(endpoint.command('list').description('list endpoints').addOption(new Option('--tenant-id <id>', 'only this tenant (default: the default tenant)')), {}, async ({ layout, opts }) => {
    const endpoints = await listEndpoints(layout, opts['tenantId'] as string | undefined);
    const rows = [['ENDPOINT', 'ADDRESS', 'TIMELINE', 'BRANCH NAME', 'LSN', 'STATUS']];
    for (const e of endpoints) rows.push([e.id, e.address, e.timelineId, e.branchName ?? '', e.lsn ?? '', e.status]);
    return { data: endpoints, human: endpoints.length ? table(rows) : 'No endpoints; create one with `neon-local endpoint create`.' };
  });

  defineAction(
    wiringOptions(endpoint.command('reconfigure').description('point a running endpoint at another pageserver or safekeeper set').argument('<id>', 'endpoint id')),
    {},
    async ({ layout, opts, args }) => {
      const wiring = await reconfigureEndpoint(layout, args[0]!, wiringFrom(opts));
      return {
        data: wiring,
        human: `Reconfigured endpoint ${args[0]!}: pageserver ${wiring.pageserver.id}, safekeepers ${wiring.safekeepers.map((s) => s.id).join(',')} (generation ${wiring.generation ?? 'none'})`,
      };
    },
  );
}
