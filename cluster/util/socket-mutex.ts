// A cross-process mutex made of a listening Unix socket in Linux's abstract namespace.
//
// Why a socket and not a lock file: Node has no flock(), and lock files need staleness guesses
// (mtime, pid checks) that race when two waiters both decide the owner is dead. An abstract socket
// name is held by the kernel for exactly as long as the listening process lives — SIGKILL releases
// it, nothing is left on disk, and bind() is atomic. Connecting to the name tells a waiter who holds
// it: the holder answers every connection with a line of JSON about itself.

import crypto from 'node:crypto';
import net from 'node:net';
import { errnoCode } from './errors.ts';

export interface HolderInfo {
  pid: number;
  command: string;
  since: string;
}

export function abstractSocketName(purpose: string, key: string): string {
  const digest = crypto.createHash('sha256').update(key).digest('hex').slice(0, 32);
  return `\0neon-local/${purpose}/${digest}`;
}

export class SocketMutex {
  private constructor(
    private readonly server: net.Server,
    readonly name: string,
  ) {}

  /** Takes the mutex if free; returns null when another process holds it. */
  static async tryAcquire(name: string, command: string): Promise<SocketMutex | null> {
    const info: HolderInfo = { pid: process.pid, command, since: new Date().toISOString() };
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.end(JSON.stringify(info) + '\n');
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ path: name, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      server.close();
      if (errnoCode(err) === 'EADDRINUSE') return null;
      throw err;
    }
    // The mutex must not keep a finished process alive; it still lives as long as the process.
    server.unref();
    return new SocketMutex(server, name);
  }

  /** Waits up to `timeoutMs` for the mutex, calling `onWait` once with the holder if it must wait. */
  static async acquire(
    name: string,
    command: string,
    options: { timeoutMs: number; onWait?: (holder: HolderInfo | null) => void },
  ): Promise<SocketMutex | { timedOut: true; holder: HolderInfo | null }> {
    const deadline = Date.now() + options.timeoutMs;
    let announced = false;
    let delayMs = 10;
    for (;;) {
      const mutex = await SocketMutex.tryAcquire(name, command);
      if (mutex) return mutex;
      if (!announced || Date.now() >= deadline) {
        const holder = await SocketMutex.holder(name);
        if (Date.now() >= deadline) return { timedOut: true, holder };
        options.onWait?.(holder);
        announced = true;
      }
      await new Promise((r) => setTimeout(r, delayMs));
      delayMs = Math.min(delayMs * 2, 100);
    }
  }

  /** Who holds the mutex, or null if nobody does (or the holder does not answer). */
  static holder(name: string, timeoutMs = 500): Promise<HolderInfo | null> {
    return new Promise((resolve) => {
      const socket = net.connect({ path: name });
      let data = '';
      const done = (value: HolderInfo | null) => {
        socket.destroy();
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => {
        try {
          done(JSON.parse(data) as HolderInfo);
        } catch {
          done(null);
        }
      });
      socket.on('error', () => done(null));
    });
  }

  release(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
