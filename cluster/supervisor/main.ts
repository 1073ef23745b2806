// The supervisor process: `node dist/supervisor.mjs --repo-dir DIR`. One per cluster. It reports
// readiness (or why it cannot run) as one JSON line on fd 3, then serves its control channel.

import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { RepoLayout } from '../repo/layout.ts';
import { removeRunRecord, writeRunRecord } from '../repo/run-records.ts';
import { processStartTime } from '../process/proc.ts';
import type { StopMode } from '../process/terminate.ts';
import { listenControl } from './control-server.ts';
import { Supervisor } from './supervisor.ts';

const { values } = parseArgs({ options: { 'repo-dir': { type: 'string' }, 'watch-parent': { type: 'boolean' } } });
const layout = new RepoLayout(values['repo-dir'] ?? '.neon');

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()}  INFO supervisor: ${message}\n`);
}

function report(message: object): void {
  try {
    fs.writeSync(3, JSON.stringify(message) + '\n');
    fs.closeSync(3);
  } catch {
    // no readiness pipe (started by hand)
  }
}

const supervisor = new Supervisor(layout, log);
let exiting = false;

async function shutdown(mode: StopMode, reason: string): Promise<unknown> {
  if (exiting) return { stopped: [], notRunning: [] };
  exiting = true;
  log(`shutting down (${reason}, ${mode})`);
  const result = await supervisor.stopAll(mode);
  await removeRunRecord(layout, 'supervisor');
  log(`stopped: ${result.stopped.join(', ') || 'nothing'}`);
  // Exit once the answer to the caller has been flushed.
  setTimeout(() => process.exit(0), 20);
  return result;
}

const server = await listenControl(supervisor, { shutdown: (mode) => shutdown(mode, 'requested') });
if (!server) {
  report({ ok: false, reason: 'already-running' });
  process.exit(3);
}
await writeRunRecord(layout, {
  name: 'supervisor',
  pid: process.pid,
  startTime: processStartTime(process.pid) ?? 'unknown',
  backend: 'emulated',
  startedAt: supervisor.startedAt,
  supervisorPid: process.pid,
  exit: null,
});
process.on('SIGTERM', () => void shutdown('fast', 'SIGTERM'));
process.on('SIGINT', () => void shutdown('fast', 'SIGINT'));
process.on('uncaughtException', (err) => {
  log(`crashed: ${err.stack ?? err}`);
  process.exit(1);
});
if (values['watch-parent']) {
  // Fallback for systems without setpriv: follow the owner (a test runner) when it dies.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown('immediate', 'owner process died');
  }, 250).unref();
}
log(`supervising ${layout.root} (pid ${process.pid})`);
report({ ok: true, pid: process.pid });
