// One walproposer connection to a safekeeper's WAL service: hello, then proposer messages out and
// acceptor messages in. Sends go out strictly in order even when their WAL must be fetched first.

import { connectFramed, type FramedSocket } from '../../../protocol/framed-socket.ts';
import { parseJsonBody, type Frame } from '../../../protocol/frames.ts';
import {
  decodeAcceptorMessage, encodeProposerMessage, WAL_SERVICE_PROTOCOL, type AcceptorMessage, type ErrorMessage, type ProposerMessage,
} from '../../../protocol/wal-service.ts';

export interface SafekeeperAddress {
  host: string;
  port: number;
}

export interface ConnectionEvents {
  message(msg: AcceptorMessage): void;
  closed(reason: string): void;
}

export class SafekeeperConnection {
  private queue: Promise<void> = Promise.resolve();
  private conn: FramedSocket | null = null;
  private helloDone = false;
  private closedReason: string | null = null;
  /** When the oldest unanswered append was sent (to notice a safekeeper that stopped answering). */
  oldestUnackedAt: number | null = null;

  private constructor(
    readonly address: SafekeeperAddress,
    private readonly events: ConnectionEvents,
  ) {}

  static async open(address: SafekeeperAddress, ids: { tenantId: string; timelineId: string }, events: ConnectionEvents, timeoutMs: number): Promise<SafekeeperConnection> {
    const c = new SafekeeperConnection(address, events);
    let helloResolve!: () => void;
    let helloReject!: (err: Error) => void;
    const hello = new Promise<void>((resolve, reject) => {
      helloResolve = resolve;
      helloReject = reject;
    });
    c.conn = await connectFramed(address.host, address.port, (frames) => c.onFrames(frames, helloResolve, helloReject), timeoutMs);
    c.conn.onClose((err) => {
      const reason = `connection closed${err ? `: ${err.message}` : ''}`;
      helloReject(new Error(c.closedReason ?? reason));
      c.finish(reason);
    });
    c.conn.sendJson('H', { protocol: WAL_SERVICE_PROTOCOL, mode: 'walpush', tenant_id: ids.tenantId, timeline_id: ids.timelineId });
    const timer = setTimeout(() => helloReject(new Error(`no hello from ${address.host}:${address.port} within ${timeoutMs} ms`)), timeoutMs);
    try {
      await hello;
    } catch (err) {
      c.close(String((err as Error).message));
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return c;
  }

  private onFrames(frames: Frame[], helloOk: () => void, helloFail: (err: Error) => void): void {
    for (const frame of frames) {
      if (frame.tag === 'E') {
        const e = parseJsonBody<ErrorMessage>(frame);
        this.closedReason = `safekeeper refused: ${e.message}`;
        helloFail(new Error(this.closedReason));
        this.conn?.destroy();
        return;
      }
      if (!this.helloDone) {
        if (frame.tag === 'H') {
          this.helloDone = true;
          helloOk();
        }
        continue;
      }
      let msg: AcceptorMessage;
      try {
        msg = decodeAcceptorMessage(frame.tag, frame.body);
      } catch (err) {
        this.close(`bad message from safekeeper: ${(err as Error).message}`);
        return;
      }
      if (msg.tag === 'a') this.oldestUnackedAt = null;
      this.events.message(msg);
    }
  }

  /** Queues a message; `build` may be async (WAL to fetch); order is kept. */
  send(build: () => ProposerMessage | Promise<ProposerMessage>): void {
    this.queue = this.queue.then(async () => {
      if (this.closedReason || !this.conn) return;
      try {
        const msg = await build();
        if (msg.tag === 'a' && this.oldestUnackedAt === null) this.oldestUnackedAt = Date.now();
        if (!this.conn.send(msg.tag, encodeProposerMessage(msg))) await this.conn.drain();
      } catch (err) {
        this.close(`cannot send to safekeeper: ${(err as Error).message}`);
      }
    });
  }

  /** Reports the end of an established connection once; a failed open just throws. */
  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.closedReason ??= reason;
    if (this.helloDone) this.events.closed(this.closedReason);
  }

  private finished = false;

  close(reason: string): void {
    this.closedReason ??= reason;
    this.conn?.destroy();
    this.finish(reason);
  }
}
