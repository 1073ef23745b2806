// Whole-cluster commands: init, start, stop, status.

import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { loadClusterConfig } from '../../cluster/config/cluster-file.ts';
import { toFile } from '../../cluster/config/schema.ts';
import { FORCE_MODES, initCluster, type ForceMode } from '../../cluster/operations/init.ts';
import { startCluster } from '../../cluster/operations/cluster-start.ts';
import { DEFAULT_START_TIMEOUT_MS, stopComponents } from '../../cluster/operations/lifecycle.ts';
import { clusterStatus } from '../../cluster/operations/status.ts';
import { STOP_MODES, type StopMode } from '../../cluster/process/terminate.ts';
import type { RepoLayout } from '../../cluster/repo/layout.ts';
import type { StartEvent } from '../../cluster/supervisor/protocol.ts';
import { formatDuration } from '../../cluster/util/duration.ts';
import type { Output } from '../output.ts';
import { count, duration } from '../parse.ts';
import { defineAction } from '../action.ts';
import { renderStarted, renderStatus, renderStopped } from '../render.ts';

export function progressPrinter(out: Output): (event: StartEvent) => void {
  return (event) => {
    if (event.type === 'ready') out.progress(`  ready  ${event.component.padEnd(8)} ${event.readyMs} ms`);
  };
}

export async function databaseNote(layout: RepoLayout): Promise<string> {
  const config = await loadClusterConfig(layout);
  return config.storageController.databaseUrl ? 'PostgreSQL' : 'embedded PGlite (storage_controller_db/)';
}

function timeoutOption(): Option {
  return new Option('-t, --start-timeout <duration>', 'how long components may take to become ready')
    .argParser(duration)
    .default(DEFAULT_START_TIMEOUT_MS, formatDuration(DEFAULT_START_TIMEOUT_MS));
}

export function modeOption(): Option {
  return new Option('-m, --mode <mode>', 'fast: SIGTERM, then SIGKILL after 10 s; immediate: SIGKILL').choices(STOP_MODES).default('fast');
}

export function registerClusterCommands(program: Command): void {
  defineAction(
    program
      .command('init')
      .description('create a cluster directory (cluster.yaml, component directories, storage controller database)')
      .addOption(new Option('--num-pageservers <n>', 'number of pageservers (default 1)').argParser(count('--num-pageservers', 1, 64)))
      .addOption(new Option('--num-safekeepers <n>', 'number of safekeepers (default 3)').argParser(count('--num-safekeepers', 1, 64)))
      .addOption(new Option('--config <file>', "a YAML file shaped like cluster.yaml; anything left out gets defaults and fresh ports"))
      .addOption(new Option('--force <mode>', 'what to do when the directory exists').choices(FORCE_MODES).default('must-not-exist'))
      .addOption(new Option('--database-url <url>', 'PostgreSQL for the storage controller (default: embedded PGlite)')),
    {},
    async ({ out, layout, opts }) => {
      const { config } = await initCluster({
        repoDir: layout.root,
        force: opts['force'] as ForceMode,
        ...(opts['numPageservers'] !== undefined ? { numPageservers: opts['numPageservers'] as number } : {}),
        ...(opts['numSafekeepers'] !== undefined ? { numSafekeepers: opts['numSafekeepers'] as number } : {}),
        ...(opts['config'] !== undefined ? { configFile: opts['config'] as string } : {}),
        ...(opts['databaseUrl'] !== undefined ? { databaseUrl: opts['databaseUrl'] as string } : {}),
        onProgress: (line) => out.progress(line),
      });
      const human = [
        `Initialized a cluster in ${layout.root}:`,
        `  ${config.pageservers.length} pageserver(s), ${config.safekeepers.length} safekeeper(s), storage controller database: ${config.storageController.databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}`,
        `  configuration: ${layout.configFile}`,
        'Start it with: neon-local start',
      ].join('\n');
      return { data: { repoDir: layout.root, config: toFile(config) }, human };
    },
  );

  defineAction(
    program
      .command('start')
      .description('start the storage cluster, wait until the storage controller sees all pageservers Active, then start the endpoints that were running')
      .addOption(timeoutOption())
      .addOption(new Option('--init', 'initialise a default cluster first if the directory has none, with a default tenant and a running endpoint ep-main')),
    { startsProcesses: true },
    async ({ out, layout, opts }) => {
      const firstRun = opts['init'] === true && !fs.existsSync(layout.configFile);
      if (firstRun) {
        out.progress(`No cluster in ${layout.root} yet; initialising the default topology.`);
        await initCluster({ repoDir: layout.root, force: 'empty-dir-ok', onProgress: (line) => out.progress(line) });
      }
      out.progress(`Starting the cluster in ${layout.root} ...`);
      const result = await startCluster(layout, { timeoutMs: opts['startTimeout'] as number, onEvent: progressPrinter(out), firstRun, onProgress: (line) => out.progress(line) });
      const status = await clusterStatus(layout);
      return { data: { ...result, repoDir: layout.root, components: status.components }, human: renderStarted(result, status, await databaseNote(layout)) };
    },
  );

  defineAction(
    program.command('stop').description('stop every component, endpoints first (and the supervisor); running endpoints come back on start').addOption(modeOption()),
    {},
    async ({ layout, opts }) => {
      const result = await stopComponents(layout, { mode: opts['mode'] as StopMode });
      return { data: result, human: renderStopped(result) };
    },
  );

  defineAction(program.command('status').description('show each component: state, pid, addresses, log'), {}, async ({ layout }) => {
    const status = await clusterStatus(layout);
    return { data: status, human: renderStatus(status) };
  });
}
