// A replication connection: WAL streamed from a start LSN. Pageservers get committed WAL only; a
// proposer recovering old WAL names its term and gets flushed WAL, as long as this safekeeper
// stays in that term (after that, what it holds may be truncated).

import { encodeKeepalive, encodeWalData, decodeFeedback } from '../../../protocol/wal-service.ts';
import type { Frame } from '../../../protocol/frames.ts';
import type { FramedSocket } from '../../../protocol/framed-socket.ts';
import { formatLsn, type Lsn } from '../../../wal/lsn.ts';
import { failpointSleepMillis, failpointsActive } from '../../common/failpoints.ts';
import { log } from '../../common/logger.ts';
import type { SafekeeperTimeline, WalSenderInfo } from '../timeline/timeline.ts';

const MAX_CHUNK_BYTES = 1024 * 1024;
const KEEPALIVE_MS = 1000;

export class ReplicationSession {
  private readonly info: WalSenderInfo;
  private wake: (() => void) | null = null;

  constructor(
    private readonly conn: FramedSocket,
    private readonly timeline: SafekeeperTimeline,
    startLsn: Lsn,
    private readonly term: number | undefined,
    consumer: string,
  ) {
    this.info = { consumer, startLsn, sentLsn: startLsn, feedback: null };
    timeline.walSenders.add(this.info);
    const unsubscribe = timeline.onProgress(() => this.wake?.());
    conn.onClose(() => {
      unsubscribe();
      timeline.walSenders.delete(this.info);
      this.wake?.();
    });
  }

  frames(frames: Frame[]): void {
    for (const f of frames) {
      if (f.tag === 'r') this.info.feedback = decodeFeedback(f.body);
    }
  }

  private limit(): Lsn {
    return this.term === undefined ? this.timeline.acceptor.currentCommitLsn() : this.timeline.acceptor.flushLsn();
  }

  async run(): Promise<void> {
    const a = this.timeline.acceptor;
    try {
      while (!this.conn.isClosed && !this.timeline.isClosed) {
        if (this.term !== undefined && a.state.acceptor.term !== this.term) {
          return this.conn.fail('term-changed', `safekeeper moved to term ${a.state.acceptor.term}; WAL of term ${this.term} may be truncated`);
        }
        const limit = this.limit();
        if (this.info.sentLsn < limit) {
          const end = Math.min(limit, this.info.sentLsn + MAX_CHUNK_BYTES);
          const data = await this.timeline.readWal(this.info.sentLsn, end);
          if (!this.conn.send('w', encodeWalData({ startLsn: this.info.sentLsn, commitLsn: a.currentCommitLsn(), data }))) await this.conn.drain();
          this.info.sentLsn = end;
          // Neon's point is for hot standby replicas (application_name "replica"), which are not emulated yet.
          if (failpointsActive() && this.info.consumer === 'replica') await failpointSleepMillis('sk-send-wal-replica-sleep');
          continue;
        }
        const woke = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), KEEPALIVE_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        this.wake = null;
        if (!woke) this.conn.send('k', encodeKeepalive({ commitLsn: a.currentCommitLsn(), flushLsn: a.flushLsn(), term: a.state.acceptor.term }));
      }
    } catch (err) {
      log.warn(`WAL sender to ${this.info.consumer} failed at ${formatLsn(this.info.sentLsn)}`, { error: String((err as Error).message ?? err) });
      this.conn.fail('internal', (err as Error).message);
    }
  }
}
