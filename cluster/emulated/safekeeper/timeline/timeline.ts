// One timeline on a safekeeper: the acceptor core plus its WAL and control file. Every message is
// processed to completion (writes, fsyncs, control file) before the next one starts, whichever
// connection it came from — the core's steps assume exactly that.

import fsp from 'node:fs/promises';
import path from 'node:path';
import { formatLsn, type Lsn } from '../../../wal/lsn.ts';
import type { AcceptorMessage, ProposerMessage, ReplicationFeedback } from '../../../protocol/wal-service.ts';
import { bugOn } from '../../common/bugs.ts';
import { failpoint, FailpointError, failpointsActive } from '../../common/failpoints.ts';
import { log } from '../../common/logger.ts';
import { Acceptor, type ControlState, type Step } from '../core/acceptor.ts';
import { CONTROL_FILE_NAME, readControlFile, writeControlFile } from './control-file.ts';
import { WalStore } from './wal-store.ts';

/** How often a changed commit_lsn etc. is written to the control file (neon: control_file_save_interval). */
const CONTROL_SAVE_INTERVAL_MS = 1000;

/** How long bug switch sk-ack-before-write keeps acknowledged WAL in memory only. */
const DEFERRED_WRITE_MS = 1000;

export interface WalSenderInfo {
  consumer: string;
  startLsn: Lsn;
  sentLsn: Lsn;
  feedback: ReplicationFeedback | null;
}

export class SafekeeperTimeline {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private persistedSnapshot: string;
  private saveTimer: NodeJS.Timeout;
  readonly walSenders = new Set<WalSenderInfo>();
  walReceivers = 0;
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly acceptor: Acceptor,
    readonly wal: WalStore,
  ) {
    this.persistedSnapshot = JSON.stringify(acceptor.snapshot());
    this.saveTimer = setInterval(() => void this.saveControlIfChanged(), CONTROL_SAVE_INTERVAL_MS);
    this.saveTimer.unref();
  }

  static async create(dir: string, nodeId: number, control: ControlState): Promise<SafekeeperTimeline> {
    await fsp.mkdir(dir, { recursive: true });
    // A directory without a control file is no timeline (loadAll skips it): failing here is clean.
    if (failpointsActive()) await failpoint('sk-persist-control');
    await writeControlFile(path.join(dir, CONTROL_FILE_NAME), control);
    return SafekeeperTimeline.open(dir, nodeId);
  }

  static async open(dir: string, nodeId: number): Promise<SafekeeperTimeline> {
    const control = readControlFile(path.join(dir, CONTROL_FILE_NAME));
    const wal = await WalStore.open(dir, control.localStartLsn || control.timelineStartLsn, { deferWritesMs: bugOn('sk-ack-before-write') ? DEFERRED_WRITE_MS : 0 });
    return new SafekeeperTimeline(dir, new Acceptor(nodeId, control, wal.endLsn), wal);
  }

  get tenantId(): string { return this.acceptor.state.tenantId; }
  get timelineId(): string { return this.acceptor.state.timelineId; }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Processes a batch from one connection: appends are flushed once, at the end of the batch. */
  process(batch: ProposerMessage[]): Promise<AcceptorMessage[]> {
    return this.serialize(async () => {
      if (this.closed) throw new Error('timeline is being deleted');
      const replies: AcceptorMessage[] = [];
      let unflushed = false;
      for (const [i, msg] of batch.entries()) {
        const batched = msg.tag === 'a' && batch.slice(i + 1).some((m) => m.tag === 'a');
        // Before the acceptor takes the append in (it advances write_lsn at once): a failure here
        // leaves its state and the WAL on disk in agreement.
        if (failpointsActive() && msg.tag === 'a' && msg.walData.length > 0) await failpoint('sk-write-wal');
        replies.push(...(await this.run(this.acceptor.handle(msg, { flush: !batched }))));
        unflushed = batched;
      }
      if (unflushed) replies.push(...(await this.run(this.acceptor.flush())));
      // The appends are durable here; the proposer has not heard of it yet.
      if (failpointsActive() && batch.some((m) => m.tag === 'a')) await failpoint('sk-append-before-reply');
      this.notify();
      return replies;
    });
  }

  // Failpoints are checked behind failpointsActive(): the append path has no extra awaits when off.
  private async run(steps: Step[]): Promise<AcceptorMessage[]> {
    const replies: AcceptorMessage[] = [];
    for (const step of steps) {
      switch (step.kind) {
        case 'write-wal':
          try {
            await this.wal.write(step.lsn, step.data);
          } catch (err) {
            this.acceptor.walWriteFailed(this.wal.endLsn); // e.g. sk-zero-segment: the acceptor had moved on
            throw err;
          }
          break;
        case 'truncate-wal':
          await this.wal.truncate(step.lsn);
          break;
        case 'flush-wal':
          if (failpointsActive()) await failpoint('sk-flush-wal');
          this.acceptor.walFlushed(await this.wal.flush());
          break;
        case 'persist':
          await this.persistControl(step.control);
          break;
        case 'reply':
          replies.push(step.message);
          break;
        case 'then':
          replies.push(...(await this.run(step.next())));
          break;
      }
    }
    return replies;
  }

  private async persistControl(control: ControlState): Promise<void> {
    if (failpointsActive()) await failpoint('sk-persist-control');
    await writeControlFile(path.join(this.dir, CONTROL_FILE_NAME), control);
    this.persistedSnapshot = JSON.stringify(control);
  }

  private saveControlIfChanged(): Promise<void> {
    return this.serialize(async () => {
      const snapshot = this.acceptor.snapshot();
      if (this.closed || JSON.stringify(snapshot) === this.persistedSnapshot) return;
      await this.persistControl(snapshot);
    }).catch(failedAtFailpoint);
  }

  /** Called when flush or commit LSNs may have moved (replication senders wait on it). */
  onProgress(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  /** commit_lsn learned from a peer (through the broker). */
  peerCommit(commitLsn: Lsn, lastLogTerm: number): void {
    const before = this.acceptor.currentCommitLsn();
    this.acceptor.peerCommitLsn(commitLsn, lastLogTerm);
    if (this.acceptor.currentCommitLsn() !== before) this.notify();
  }

  readWal(from: Lsn, to: Lsn): Promise<Buffer> {
    return this.wal.read(from, to);
  }

  /** neon's TimelineStatus (GET /v1/tenant/:t/timeline/:tl). */
  status(): Record<string, unknown> {
    const s = this.acceptor.state;
    return {
      tenant_id: s.tenantId,
      timeline_id: s.timelineId,
      mconf: s.mconf,
      acceptor_state: {
        term: s.acceptor.term,
        epoch: this.acceptor.lastLogTerm(),
        term_history: s.acceptor.termHistory.map((e) => ({ term: e.term, lsn: formatLsn(e.lsn) })),
      },
      pg_info: { pg_version: s.server.pgVersion, system_id: s.server.systemId, wal_seg_size: s.server.walSegSize },
      flush_lsn: formatLsn(this.acceptor.flushLsn()),
      timeline_start_lsn: formatLsn(s.timelineStartLsn),
      local_start_lsn: formatLsn(s.localStartLsn),
      commit_lsn: formatLsn(this.acceptor.currentCommitLsn()),
      backup_lsn: formatLsn(s.backupLsn),
      peer_horizon_lsn: formatLsn(this.acceptor.currentPeerHorizonLsn()),
      remote_consistent_lsn: formatLsn(this.remoteConsistentLsn()),
      peers: [],
      walsenders: [...this.walSenders].map((w) => ({
        ttid: `${s.tenantId}/${s.timelineId}`,
        consumer: w.consumer,
        start_lsn: formatLsn(w.startLsn),
        sent_lsn: formatLsn(w.sentLsn),
        feedback: w.feedback && {
          last_received_lsn: formatLsn(w.feedback.lastReceivedLsn),
          disk_consistent_lsn: formatLsn(w.feedback.diskConsistentLsn),
          remote_consistent_lsn: formatLsn(w.feedback.remoteConsistentLsn),
        },
      })),
      walreceivers: Array.from({ length: this.walReceivers }, (_, i) => ({ conn_id: i, status: 'Streaming' })),
    };
  }

  /** The highest remote_consistent_lsn any pageserver reported. */
  remoteConsistentLsn(): Lsn {
    let best = this.acceptor.state.remoteConsistentLsn;
    for (const w of this.walSenders) best = Math.max(best, w.feedback?.remoteConsistentLsn ?? 0);
    return best;
  }

  /** Stops background work and closes files; pending operations finish first. */
  close(): Promise<void> {
    clearInterval(this.saveTimer);
    return this.serialize(async () => {
      if (this.closed) return;
      const snapshot = this.acceptor.snapshot();
      if (JSON.stringify(snapshot) !== this.persistedSnapshot) await this.persistControl(snapshot).catch(failedAtFailpoint);
      this.closed = true;
      await this.wal.close();
      this.notify();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/** A control file save the failpoint sk-persist-control failed: the next save retries it. */
function failedAtFailpoint(err: unknown): void {
  if (!(err instanceof FailpointError)) throw err;
  log.warn(`control file not saved: ${err.message}`);
}
