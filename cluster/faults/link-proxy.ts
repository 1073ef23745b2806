// A TCP proxy for one directed link to one port: `source` connects here instead of to `target`'s
// port. Bytes source→target follow the rule for (source, target), bytes target→source the rule for
// (target, source), so a one-way partition holds one direction of every connection between them,
// whoever opened it (the reverse link's proxy consults the same rules).

import net from 'node:net';
import type { LinkRule } from './link-rule.ts';
import { Pipe } from './pipe.ts';

export interface LinkEnds {
  source: string;
  target: string;
  /** Which of the target's ports (pg, http). */
  portName: string;
  upstream: { host: string; port: number };
}

interface Connection {
  client: net.Socket;
  upstream: net.Socket | null;
  pipes: Pipe[];
  closeTimer?: NodeJS.Timeout;
}

const CONNECT_TIMEOUT_MS = 10_000;
const CLOSE_GRACE_MS = 5000;

export class LinkProxy {
  private server: net.Server;
  private port = 0;
  private listening = false;
  private readonly connections = new Set<Connection>();
  /** Connections accepted while the link is blackholed, waiting to be connected upstream. */
  private readonly held = new Set<Connection>();

  constructor(
    readonly ends: LinkEnds,
    /** The current rule for bytes from → to (component names). */
    private readonly rule: (from: string, to: string) => LinkRule,
    private readonly random: () => number,
  ) {
    this.server = this.makeServer();
  }

  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private makeServer(): net.Server {
    const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => this.accept(client));
    server.on('error', () => {});
    return server;
  }

  /** Listens on a free port the first time, on the same port after a cut is healed. */
  async listen(): Promise<void> {
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: '127.0.0.1', port: this.port, exclusive: true }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    this.listening = true;
  }

  private accept(client: net.Socket): void {
    client.setNoDelay(true);
    const conn: Connection = { client, upstream: null, pipes: [] };
    this.connections.add(conn);
    client.on('error', () => this.reset(conn));
    client.on('close', () => this.dropIfClosed(conn));
    client.on('end', () => {
      if (!conn.upstream) this.drop(conn); // gave up before the link let it through
    });
    const forward = this.rule(this.ends.source, this.ends.target);
    if (forward.mode === 'cut') return this.reset(conn);
    client.pause();
    if (forward.mode === 'blackhole') {
      this.held.add(conn); // like a SYN that is lost and retried: connect once the link heals
      return;
    }
    const delay = forward.latencyMs;
    if (delay > 0) setTimeout(() => this.connectUpstream(conn), delay);
    else this.connectUpstream(conn);
  }

  private connectUpstream(conn: Connection): void {
    if (conn.client.destroyed) return;
    const upstream = net.connect({ ...this.ends.upstream, noDelay: true, allowHalfOpen: true });
    conn.upstream = upstream;
    const timer = setTimeout(() => this.reset(conn), CONNECT_TIMEOUT_MS).unref();
    upstream.on('error', () => {
      clearTimeout(timer);
      this.reset(conn);
    });
    upstream.on('close', () => this.dropIfClosed(conn));
    upstream.once('connect', () => {
      clearTimeout(timer);
      const { source, target } = this.ends;
      conn.pipes = [
        new Pipe(conn.client, upstream, () => this.rule(source, target), this.random),
        new Pipe(upstream, conn.client, () => this.rule(target, source), this.random),
      ];
      conn.client.resume();
      for (const p of conn.pipes) p.refresh();
    });
  }

  /** The rules changed: reset cut connections, hold or release the others. */
  async refresh(): Promise<void> {
    const forward = this.rule(this.ends.source, this.ends.target);
    const backward = this.rule(this.ends.target, this.ends.source);
    if (forward.mode === 'cut') {
      this.stopListening();
    } else {
      await this.listen().catch(() => {}); // a healed cut listens again on the same port
    }
    for (const conn of [...this.connections]) {
      if (forward.mode === 'cut' || backward.mode === 'cut') {
        this.reset(conn);
        continue;
      }
      if (this.held.has(conn) && forward.mode !== 'blackhole') {
        this.held.delete(conn);
        this.connectUpstream(conn);
      }
      for (const p of conn.pipes) p.refresh();
    }
  }

  private stopListening(): void {
    if (!this.listening) return;
    this.listening = false;
    this.server.close();
    this.server = this.makeServer();
  }

  private reset(conn: Connection): void {
    if (!conn.client.destroyed) conn.client.resetAndDestroy();
    if (conn.upstream && !conn.upstream.destroyed) conn.upstream.resetAndDestroy();
    this.drop(conn);
  }

  private dropIfClosed(conn: Connection): void {
    if (conn.client.destroyed && (!conn.upstream || conn.upstream.destroyed)) return this.drop(conn);
    // One side is gone: the other still gets what was queued for it (the pipe ends it after
    // that), with a grace period to close before it is dropped.
    conn.closeTimer ??= setTimeout(() => this.drop(conn), CLOSE_GRACE_MS).unref();
  }

  private drop(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    this.held.delete(conn);
    if (conn.closeTimer) clearTimeout(conn.closeTimer);
    for (const p of conn.pipes) p.close();
    if (!conn.client.destroyed) conn.client.destroy();
    if (conn.upstream && !conn.upstream.destroyed) conn.upstream.destroy();
  }

  close(): void {
    this.stopListening();
    for (const conn of [...this.connections]) this.drop(conn);
  }
}
