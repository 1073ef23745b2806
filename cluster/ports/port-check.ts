// Is a port free, and if not, who holds it? Used before launching a component so that a port taken
// by a foreign process is reported by name instead of surfacing as a crashed component.

import fs from 'node:fs';
import net from 'node:net';
import { errnoCode } from '../util/errors.ts';
import { processCommandLine } from '../process/proc.ts';

export function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err) => {
      const code = errnoCode(err);
      if (code === 'EADDRINUSE' || code === 'EACCES') resolve(false);
      else reject(err);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export interface PortOwner {
  pid: number;
  command: string | null;
}

/** The process listening on `port` (TCP, any address), found through /proc; null if unknown. */
export function findPortOwner(port: number): PortOwner | null {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== '0A') continue; // 0A = LISTEN
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) inodes.add(cols[9]!);
    }
  }
  if (inodes.size === 0) return null;
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]!)) return { pid: Number(pid), command: processCommandLine(Number(pid)) };
    }
  }
  return null;
}

export function describePortOwner(owner: PortOwner | null): string {
  if (!owner) return 'another process';
  return `pid ${owner.pid}${owner.command ? ` (${owner.command.length > 80 ? owner.command.slice(0, 77) + '...' : owner.command})` : ''}`;
}
