// A timeline's WAL receiver: picks a safekeeper from what the broker reports (the one with the
// highest commit_lsn), streams committed WAL from its last record onwards, applies it, and sends
// its progress back. It moves to another safekeeper when the connection breaks or goes silent, when
// another one is ahead by max_lsn_wal_lag, or when its own brought no WAL for lagging_wal_timeout
// while another has more (neon walreceiver connection_manager.rs, simplified).

import { connectFramed, type FramedSocket } from '../../../protocol/framed-socket.ts';
import { parseJsonBody, type Frame } from '../../../protocol/frames.ts';
import { decodeWalData, encodeFeedback, WAL_SERVICE_PROTOCOL, type ErrorMessage } from '../../../protocol/wal-service.ts';
import type { SafekeeperTimelineInfo } from '../../../api/storage-broker.ts';
import { formatLsn, parseLsn } from '../../../wal/lsn.ts';
import { WalReader } from '../../../wal/reader.ts';
import type { WalRecord } from '../../../wal/format.ts';
import { failpoint, FailpointError, failpointSleepMillis, failpointsActive } from '../../common/failpoints.ts';
import { log } from '../../common/logger.ts';
import type { Timeline } from './timeline.ts';

/** neon's lagging_wal_timeout, walreceiver_connect_timeout and max_lsn_wal_lag defaults. */
const CANDIDATE_STALE_MS = 10_000;
const SILENCE_TIMEOUT_MS = 10_000;
const NO_WAL_TIMEOUT_MS = 10_000;
const MAX_LSN_WAL_LAG = 10 * 1024 * 1024;
const RETRY_MS = 200;
const FEEDBACK_MS = 1000;

interface Candidate {
  info: SafekeeperTimelineInfo;
  seenAt: number;
  failedAt: number;
}

export class WalReceiver {
  private readonly candidates = new Map<number, Candidate>();
  private conn: FramedSocket | null = null;
  private current: number | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private lastFrameAt = 0;
  /** When the current connection last brought WAL (or was made). */
  private lastWalAt = 0;
  /** Since when some safekeeper has reported WAL beyond what this timeline has (null: none has). */
  private newWalSince: number | null = null;
  private stalled = false;
  /** Frames are going through failpoints (the socket is paused meanwhile). */
  private holding = false;
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly timeline: Timeline,
    private readonly tenantId: string,
    private readonly consumer: string,
  ) {
    this.ticker = setInterval(() => this.tick(), FEEDBACK_MS);
    this.ticker.unref();
  }

  /** A safekeeper reported on this timeline through the broker. */
  offer(info: SafekeeperTimelineInfo): void {
    const existing = this.candidates.get(info.safekeeper_id);
    this.candidates.set(info.safekeeper_id, { info, seenAt: Date.now(), failedAt: existing?.failedAt ?? 0 });
    if (!this.conn && !this.retry) this.connect();
  }

  private pick(): Candidate | null {
    const now = Date.now();
    const fresh = [...this.candidates.values()].filter((c) => now - c.seenAt < CANDIDATE_STALE_MS && c.info.commit_lsn !== '0/0');
    if (!fresh.length) return null;
    // Prefer ones that did not just fail; among them the highest commit_lsn.
    fresh.sort((a, b) => Number(now - a.failedAt < 2000) - Number(now - b.failedAt < 2000) || parseLsn(b.info.commit_lsn) - parseLsn(a.info.commit_lsn));
    return fresh[0]!;
  }

  /** Stops reading from the safekeeper while the timeline flushes (TCP pushes back to it). */
  private applyBackpressure(): void {
    const conn = this.conn;
    if (!conn || !this.timeline.ingestStalled) return;
    conn.socket.pause(); // idempotent: a connection made while stalled is paused too
    if (this.stalled) return;
    this.stalled = true;
    void this.timeline.relieve().finally(() => {
      this.stalled = false;
      if (this.conn && !this.conn.isClosed && !this.holding) this.conn.socket.resume();
    });
  }

  private connect(): void {
    if (this.stopped || this.conn) return;
    const candidate = this.pick();
    if (!candidate) return;
    const [host, port] = candidate.info.safekeeper_connstr.split(':') as [string, string];
    const start = this.timeline.lastRecordLsn;
    const reader = new WalReader(start, this.timeline.prevRecordLsn);
    this.current = candidate.info.safekeeper_id;
    this.timeline.walSource = { connstr: `host=${host} port=${port}`, status: 'Connecting', lastMsgLsn: null, lastMsgTs: null };
    let queued: Frame[] | null = null; // frames waiting behind a failpoint, in order
    connectFramed(host, Number(port), (frames) => {
      this.lastFrameAt = Date.now();
      if (queued) {
        queued.push(...frames);
        return;
      }
      if (failpointsActive()) {
        queued = [...frames];
        void this.ingestThroughFailpoints(candidate, reader, queued).finally(() => (queued = null));
        return;
      }
      for (const f of frames) {
        const records = this.receive(candidate, reader, f);
        if (records === null || (records && !this.apply(candidate, records))) return;
      }
      this.applyBackpressure();
    }).then(
      (conn) => {
        if (this.stopped) return conn.destroy();
        this.conn = conn;
        this.lastFrameAt = Date.now();
        this.lastWalAt = Date.now();
        this.newWalSince = null;
        conn.onClose(() => {
          if (this.conn === conn) this.fail(candidate, 'connection closed');
        });
        conn.sendJson('H', { protocol: WAL_SERVICE_PROTOCOL, mode: 'replication', tenant_id: this.tenantId, timeline_id: this.timeline.id, start_lsn: formatLsn(start), consumer: this.consumer });
        log.info(`WAL receiver for ${this.timeline.id} streaming from safekeeper ${candidate.info.safekeeper_id} at ${formatLsn(start)}`);
      },
      (err: Error) => this.fail(candidate, err.message),
    );
  }

  /** A frame's WAL records (undefined: not WAL); null after failing the connection. */
  private receive(candidate: Candidate, reader: WalReader, f: Frame): WalRecord[] | undefined | null {
    if (f.tag === 'E') {
      this.fail(candidate, `safekeeper refused: ${parseJsonBody<ErrorMessage>(f).message}`);
      return null;
    }
    if (f.tag !== 'w') return undefined;
    const data = decodeWalData(f.body);
    if (data.startLsn !== reader.fedEnd) {
      this.fail(candidate, `WAL stream jumped to ${formatLsn(data.startLsn)}`);
      return null;
    }
    let records: WalRecord[];
    try {
      records = reader.feed(data.data);
    } catch (err) {
      this.fail(candidate, `cannot decode WAL: ${(err as Error).message}`);
      return null;
    }
    this.timeline.walSource = { ...this.timeline.walSource, status: 'Streaming', lastMsgLsn: data.startLsn + data.data.length, lastMsgTs: Date.now() * 1000 };
    if (data.data.length) this.lastWalAt = Date.now();
    return records;
  }

  private apply(candidate: Candidate, records: WalRecord[]): boolean {
    try {
      this.timeline.ingest(records);
      return true;
    } catch (err) {
      this.fail(candidate, `cannot decode WAL: ${(err as Error).message}`);
      return false;
    }
  }

  /**
   * The slow path, taken only while failpoints are set: wal-ingest-record-sleep before each
   * record, walreceiver-after-ingest after each message. Reading stops until the queue is empty.
   */
  private async ingestThroughFailpoints(candidate: Candidate, reader: WalReader, queue: Frame[]): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    conn.socket.pause();
    this.holding = true;
    try {
      while (queue.length) {
        const records = this.receive(candidate, reader, queue.shift()!);
        if (records === null) return;
        if (records === undefined) continue;
        for (const record of records) {
          await failpointSleepMillis('wal-ingest-record-sleep');
          if (this.conn !== conn) return; // the connection failed meanwhile; a new one starts over
          if (!this.apply(candidate, [record])) return;
        }
        if (!records.length && !this.apply(candidate, records)) return;
        await failpoint('walreceiver-after-ingest');
        if (this.conn !== conn) return;
      }
    } catch (err) {
      if (!(err instanceof FailpointError)) throw err;
      if (this.conn === conn) this.fail(candidate, err.message);
      return;
    } finally {
      this.holding = false;
      this.lastFrameAt = Date.now();
      if (this.conn === conn && !this.stalled) conn.socket.resume();
    }
    this.applyBackpressure();
  }

  private fail(candidate: Candidate, reason: string): void {
    log.info(`WAL receiver for ${this.timeline.id}: safekeeper ${candidate.info.safekeeper_id}: ${reason}`);
    candidate.failedAt = Date.now();
    const conn = this.conn;
    this.conn = null;
    this.current = null;
    conn?.destroy();
    this.timeline.walSource = { ...this.timeline.walSource, status: 'Reconnecting' };
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect();
    }, RETRY_MS);
  }

  /** Feedback to the safekeeper; leave one that went silent. */
  private tick(): void {
    if (!this.conn) {
      if (!this.retry) this.connect();
      return;
    }
    if (this.stalled || this.holding) {
      this.lastFrameAt = Date.now(); // silence we asked for is not the safekeeper's fault
    } else if (Date.now() - this.lastFrameAt > SILENCE_TIMEOUT_MS) {
      const candidate = this.candidates.get(this.current!);
      if (candidate) this.fail(candidate, `no message for ${SILENCE_TIMEOUT_MS / 1000} s`);
      return;
    }
    const lagging = this.laggingReason();
    if (lagging) return this.fail(this.candidates.get(this.current!)!, lagging);
    const t = this.timeline;
    this.conn.send('r', encodeFeedback({ lastReceivedLsn: t.lastRecordLsn, diskConsistentLsn: t.store.diskConsistentLsn, remoteConsistentLsn: t.remote?.remoteConsistentLsnVisible ?? t.startLsn, appliedLsn: t.lastRecordLsn }));
  }

  /** Why another safekeeper would serve better than the current one (null: it would not). */
  private laggingReason(): string | null {
    const current = this.candidates.get(this.current!);
    const best = this.pick();
    if (!current || !best || best === current || this.stalled || this.holding) return null;
    const bestCommit = parseLsn(best.info.commit_lsn);
    if (bestCommit - parseLsn(current.info.commit_lsn) >= MAX_LSN_WAL_LAG) {
      return `safekeeper ${best.info.safekeeper_id} is ahead by ${bestCommit - parseLsn(current.info.commit_lsn)} bytes of WAL`;
    }
    // The wait counts from when the newer WAL appeared, not from the last WAL: an idle timeline's
    // first new WAL, reported by the broker before it arrives on the connection, is no reason to leave.
    if (bestCommit <= this.timeline.lastRecordLsn) {
      this.newWalSince = null;
      return null;
    }
    this.newWalSince ??= Date.now();
    if (Date.now() - Math.max(this.lastWalAt, this.newWalSince) > NO_WAL_TIMEOUT_MS) {
      return `no WAL for ${NO_WAL_TIMEOUT_MS / 1000} s while safekeeper ${best.info.safekeeper_id} has WAL up to ${best.info.commit_lsn}`;
    }
    return null;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.ticker);
    if (this.retry) clearTimeout(this.retry);
    this.conn?.destroy();
    this.conn = null;
  }
}
