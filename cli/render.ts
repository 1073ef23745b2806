// Human renderings of command results.

import type { ClusterStatus, ComponentStatus } from '../cluster/operations/status.ts';
import type { StartResult, StopResult } from '../cluster/supervisor/protocol.ts';

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ').trimEnd()).join('\n');
}

function stateText(c: ComponentStatus): string {
  if (c.state !== 'down') return c.state;
  if (!c.exit) return 'down';
  return c.exit.signal ? `down (${c.exit.signal})` : `down (exit ${c.exit.code})`;
}

function pgAddress(c: ComponentStatus): string {
  const pg = c.ports['pg'];
  return pg === undefined ? '-' : `127.0.0.1:${pg}`;
}

export function renderStatus(status: ClusterStatus): string {
  const rows = [['COMPONENT', 'STATE', 'PID', 'HTTP', 'PG', 'LOG']];
  for (const c of status.components) {
    rows.push([c.name, stateText(c), c.pid !== null && c.state !== 'stopped' ? String(c.pid) : '-', c.httpUrl, pgAddress(c), c.logFile]);
  }
  const supervisor = status.supervisor.running ? `supervisor pid ${status.supervisor.pid}` : 'no supervisor running';
  return `cluster ${status.repoDir} (${supervisor})\n\n${table(rows)}`;
}

export function renderStarted(result: StartResult, status: ClusterStatus, databaseNote: string): string {
  const lines: string[] = [];
  const startedNames = result.started.map((s) => s.name);
  if (startedNames.length === 0) lines.push(`Everything was already running (${status.repoDir}).`);
  else lines.push(`Started ${startedNames.length} component${startedNames.length === 1 ? '' : 's'} in ${(result.elapsedMs / 1000).toFixed(2)} s (${status.repoDir}).`);
  lines.push('');
  const rows: string[][] = [];
  for (const c of status.components) {
    if (c.state === 'stopped') continue;
    const pg = c.ports['pg'] === undefined ? '' : `pg 127.0.0.1:${c.ports['pg']}`;
    const extra = c.kind === 'storage-controller' ? `database: ${databaseNote}` : pg;
    rows.push([`  ${c.displayName}`, c.httpUrl, extra, `pid ${c.pid}`]);
  }
  if (rows.length) lines.push(table(rows));
  const storcon = status.components.find((c) => c.kind === 'storage-controller');
  lines.push('');
  for (const c of status.components) {
    if (c.kind === 'compute' && c.state === 'running') lines.push(`Connect: psql -h 127.0.0.1 -p ${c.ports['pg']} -U cloud_admin postgres   (endpoint ${c.name})`);
  }
  if (storcon && storcon.state === 'running') lines.push(`Try:    curl -s ${storcon.httpUrl}/control/v1/node`);
  lines.push(`Logs:   ${status.repoDir}/<component>/*.log   (neon-local status lists them)`);
  lines.push('Stop:   neon-local stop');
  return lines.join('\n');
}

export function renderStopped(result: StopResult): string {
  if (result.stopped.length === 0) return 'Nothing was running.';
  return `Stopped ${result.stopped.join(', ')}.`;
}
