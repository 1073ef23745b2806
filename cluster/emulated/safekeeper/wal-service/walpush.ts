// A proposer's connection: greeting, vote, elected, appends. Frames that arrive while a batch is
// being processed are processed together next, so under load many appends share one fsync.

import { AcceptorError } from '../core/acceptor.ts';
import { decodeProposerMessage, encodeAcceptorMessage, type ProposerMessage } from '../../../protocol/wal-service.ts';
import type { Frame } from '../../../protocol/frames.ts';
import type { FramedSocket } from '../../../protocol/framed-socket.ts';
import { log } from '../../common/logger.ts';
import type { SafekeeperTimeline } from '../timeline/timeline.ts';

export class WalPushSession {
  private pending: Frame[] = [];
  private busy = false;

  constructor(
    private readonly conn: FramedSocket,
    private readonly timeline: SafekeeperTimeline,
    private readonly peer: string,
  ) {
    timeline.walReceivers++;
    conn.onClose(() => timeline.walReceivers--);
  }

  frames(frames: Frame[]): void {
    this.pending.push(...frames);
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.pending.length && !this.conn.isClosed) {
        const batch = this.pending.splice(0);
        let messages: ProposerMessage[];
        try {
          messages = batch.map((f) => decodeProposerMessage(f.tag, f.body));
        } catch (err) {
          return this.conn.fail('protocol', (err as Error).message);
        }
        const replies = await this.timeline.process(messages);
        for (const reply of replies) this.conn.send(reply.tag, encodeAcceptorMessage(reply));
      }
    } catch (err) {
      const protocol = err instanceof AcceptorError;
      log[protocol ? 'warn' : 'error'](`walproposer connection from ${this.peer} failed`, { error: String((err as Error).message ?? err) });
      this.conn.fail(protocol ? 'protocol' : 'internal', (err as Error).message);
    } finally {
      this.busy = false;
    }
  }
}
