// A timeline on the pageserver: WAL records applied to a versioned store, read "as of" any LSN
// between its start and its last record, falling through to the ancestor below a branch point.
// Metadata that never changes (ancestor, start) is in timeline.json; LSN progress lives with the
// store (disk_consistent_lsn and prev_record_lsn are persisted by each checkpoint).

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { TimelineInfo } from '../../../api/pageserver.ts';
import type { WalRecord } from '../../../wal/format.ts';
import { formatLsn, type Lsn } from '../../../wal/lsn.ts';
import { bugOn } from '../../common/bugs.ts';
import { failpoint, failpointsActive } from '../../common/failpoints.ts';
import { log } from '../../common/logger.ts';
import { TimelineStore, type StoreOptions } from '../storage/timeline-store.ts';
import type { RemoteTimelineClient, UploadSource } from '../remote/remote-timeline-client.ts';
import { COMMIT_TIME_KEY, CommitTimeTracker, decodeCommitTime, findLsnForTimestamp, type LsnForTimestamp } from './commit-times.ts';
import { nextGcCutoff, type GcResult, type GcSettings } from './gc-policy.ts';
import { mergeScans, type ScanEntry } from './merge-scans.ts';
import { timelineInfo } from './timeline-info.ts';
import { writeTimelineMeta, type TimelineMeta } from './timeline-meta.ts';

export type { TimelineMeta } from './timeline-meta.ts';

export class LsnError extends Error {
  constructor(readonly code: 'lsn-out-of-range' | 'lsn-timeout', message: string) {
    super(message);
  }
}

/** Bug switch ps-trust-last-received: where received LSN progress is noted, and how often. */
const LAST_RECEIVED_FILE = 'last_received.json';
const LAST_RECEIVED_SAVE_MS = 20;
const CHECKPOINT_IDLE_MS = 10_000;
/** Ingest pauses while this much is in memory, until flushing catches up: memory stays bounded
 * whatever the data size, even when compaction holds up flushes (neon's l0 flush stall). */
const MAX_IN_MEMORY_BYTES = 48 * 1024 * 1024;

/** Store hooks: Neon's checkpoint-before-saving-metadata failpoint (the layer file is written,
 * the index not yet), and after each commit a call to whoever uploads the new layer set. */
function storeOptions(commits: CommitListener): StoreOptions {
  return {
    hooks: {
      beforeCommit: (op) => (op === 'flush' && failpointsActive() ? failpoint('checkpoint-before-saving-metadata') : undefined),
      afterCommit: () => commits.onCommit?.(),
    },
  };
}

/** Set once the Timeline exists (the store is opened before it). */
interface CommitListener {
  onCommit?: () => void;
}

const BUG_TRUST_LAST_RECEIVED = bugOn('ps-trust-last-received');

interface Waiter {
  lsn: Lsn;
  resolve: () => void;
}

export class Timeline {
  private shutDown = false;
  private waiters: Waiter[] = [];
  private lastRecordStart: Lsn;
  private checkpointing: Promise<Error | null> | null = null;
  private lastCheckpointAt = Date.now();
  private timer: NodeJS.Timeout;
  /** Applied GC cutoff: reads and branches below it are refused, and history below it may be gone. */
  private gcCutoff: Lsn;
  /** Stores each commit's time with its LSN, for the LSN-by-time mapping (read lazily: ancestors are loaded first). */
  private readonly commitTimes = new CommitTimeTracker(() => decodeCommitTime(this.get(COMMIT_TIME_KEY, this.lastRecordLsn)));
  /** Branches of this timeline (they read it at their ancestor_lsn, which GC must keep). */
  readonly children = new Set<Timeline>();
  private readonly pendingBranchPoints: Lsn[] = [];
  /** Uploads to remote storage, when the pageserver has one (set by the tenant). */
  remote: RemoteTimelineClient | null = null;
  /** Filled by the WAL receiver, for TimelineInfo. */
  walSource: { connstr: string | null; status: string; lastMsgLsn: Lsn | null; lastMsgTs: number | null } = { connstr: null, status: 'idle', lastMsgLsn: null, lastMsgTs: null };

  private constructor(
    readonly tenantShardId: string,
    readonly dir: string,
    readonly meta: TimelineMeta,
    readonly store: TimelineStore,
    readonly ancestor: Timeline | null,
    commits: CommitListener,
  ) {
    commits.onCommit = () => this.remote?.schedule();
    this.lastRecordStart = Number(store.metadata['prev_record_lsn'] ?? 0);
    this.gcCutoff = Number(store.metadata['applied_gc_cutoff_lsn'] ?? 0);
    this.timer = setInterval(() => void this.maybeCheckpoint(true), CHECKPOINT_IDLE_MS / 2);
    this.timer.unref();
  }

  get id(): string {
    return this.meta.timeline_id;
  }

  /** Where this timeline's own history starts (branch point, or initdb for a root). */
  get startLsn(): Lsn {
    return this.meta.ancestor_lsn ?? this.meta.initdb_lsn;
  }

  get lastRecordLsn(): Lsn {
    return this.store.lastLsn;
  }

  /** Start of the last record; the next record points back at it. 0 when unknown. */
  get prevRecordLsn(): Lsn {
    return this.lastRecordStart;
  }

  get appliedGcCutoffLsn(): Lsn {
    return Math.max(this.startLsn, this.gcCutoff);
  }

  /** Versions at or above this LSN are kept: the cutoff, lowered to every branch point of a child. */
  private retainHorizon(): Lsn {
    const branchPoints = [...this.children].map((c) => c.meta.ancestor_lsn ?? Infinity);
    return Math.min(this.appliedGcCutoffLsn, ...branchPoints, ...this.pendingBranchPoints);
  }

  /** Keeps `lsn` readable while a branch at it is being created; call the result when it is registered. */
  holdBranchPoint(lsn: Lsn): () => void {
    this.pendingBranchPoints.push(lsn);
    return () => {
      const i = this.pendingBranchPoints.indexOf(lsn);
      if (i >= 0) this.pendingBranchPoints.splice(i, 1);
    };
  }

  static async create(tenantShardId: string, dir: string, meta: TimelineMeta, ancestor: Timeline | null, prevRecordLsn: Lsn): Promise<Timeline> {
    await fsp.mkdir(path.join(dir, 'layers'), { recursive: true });
    const commits: CommitListener = {};
    const store = await TimelineStore.open(path.join(dir, 'layers'), storeOptions(commits));
    await store.initialize(meta.ancestor_lsn ?? meta.initdb_lsn, { prev_record_lsn: prevRecordLsn });
    await writeTimelineMeta(dir, meta); // last: it makes the directory a timeline
    return new Timeline(tenantShardId, dir, meta, store, ancestor, commits);
  }

  static async load(tenantShardId: string, dir: string, meta: TimelineMeta, ancestor: Timeline | null): Promise<Timeline> {
    const commits: CommitListener = {};
    const store = await TimelineStore.open(path.join(dir, 'layers'), storeOptions(commits));
    const timeline = new Timeline(tenantShardId, dir, meta, store, ancestor, commits);
    if (BUG_TRUST_LAST_RECEIVED) timeline.skipToLastReceived();
    return timeline;
  }

  private lastReceivedSavedAt = 0;

  /** Bug switch ps-trust-last-received: notes how far WAL was received, durable or not. */
  private noteLastReceived(): void {
    if (Date.now() - this.lastReceivedSavedAt < LAST_RECEIVED_SAVE_MS) return;
    this.lastReceivedSavedAt = Date.now();
    // Renamed into place: a kill -9 mid-write must leave the last whole note (no fsync: the page
    // cache survives a process kill, which is all this switch is about).
    const file = path.join(this.dir, LAST_RECEIVED_FILE);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ lsn: this.lastRecordLsn, prev: this.lastRecordStart }));
    fs.renameSync(`${file}.tmp`, file);
  }

  /** The bug itself: resumes after what was received, though only disk_consistent_lsn survived. */
  private skipToLastReceived(): void {
    const file = path.join(this.dir, LAST_RECEIVED_FILE);
    if (!fs.existsSync(file)) return;
    const { lsn, prev } = JSON.parse(fs.readFileSync(file, 'utf8')) as { lsn: Lsn; prev: Lsn };
    if (lsn <= this.store.lastLsn) return;
    log.warn(`bug switch ps-trust-last-received: skipping WAL ${formatLsn(this.store.lastLsn)}..${formatLsn(lsn)} that was never persisted`);
    this.store.apply(lsn, []);
    this.lastRecordStart = prev;
  }

  /** Applies decoded WAL records in order. */
  ingest(records: WalRecord[]): void {
    for (const r of records) {
      if (r.endLsn <= this.store.lastLsn) continue; // already have it (a reconnect overlapping)
      this.store.apply(r.endLsn, this.commitTimes.mutationsFor(r));
      this.lastRecordStart = r.startLsn;
    }
    if (records.length) {
      this.wake();
      if (BUG_TRUST_LAST_RECEIVED) this.noteLastReceived();
    }
    void this.maybeCheckpoint(false);
  }

  private wake(): void {
    const now = this.lastRecordLsn;
    const ready = this.waiters.filter((w) => w.lsn <= now);
    if (!ready.length) return;
    this.waiters = this.waiters.filter((w) => w.lsn > now);
    for (const w of ready) w.resolve();
  }

  /** Resolves once WAL up to `lsn` is ingested; fails after `timeoutMs`. */
  waitForLsn(lsn: Lsn, timeoutMs: number): Promise<void> {
    if (lsn <= this.lastRecordLsn) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { lsn, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new LsnError('lsn-timeout', `timed out waiting for WAL up to ${formatLsn(lsn)}; the timeline has ${formatLsn(this.lastRecordLsn)} (is a safekeeper with that WAL reachable?)`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /**
   * The LSN to serve a read at (see the page service protocol): refused below the GC cutoff;
   * waits only for WAL up to `notModifiedSince`.
   */
  async readLsn(requestLsn: Lsn, notModifiedSince: Lsn, waitMs: number): Promise<Lsn> {
    if (requestLsn < this.appliedGcCutoffLsn) {
      throw new LsnError('lsn-out-of-range', `tried to request a page version that was garbage collected: requested at ${formatLsn(requestLsn)}, gc cutoff ${formatLsn(this.appliedGcCutoffLsn)}`);
    }
    const floor = Math.min(notModifiedSince, requestLsn);
    await this.waitForLsn(floor, waitMs);
    return Math.max(floor, Math.min(requestLsn, this.lastRecordLsn));
  }

  private checkReadable(lsn: Lsn): void {
    if (lsn < this.appliedGcCutoffLsn) {
      throw new LsnError('lsn-out-of-range', `LSN ${formatLsn(lsn)} is earlier than the start of timeline ${this.id} (${formatLsn(this.appliedGcCutoffLsn)})`);
    }
  }

  /** The value of `key` as of `lsn` (null if absent); the caller has waited for the LSN. */
  get(key: Buffer, lsn: Lsn): Buffer | null {
    this.checkReadable(lsn);
    let timeline: Timeline | null = this;
    let at = lsn;
    while (timeline) {
      const found = timeline.store.get(key, at);
      if (found.found) return found.value;
      at = Math.min(at, timeline.meta.ancestor_lsn ?? at);
      timeline = timeline.ancestor;
    }
    return null;
  }

  /** Live entries in [start, end) as of `lsn`, ancestors included, ascending by key. */
  *scan(start: Buffer, end: Buffer | null, lsn: Lsn): Generator<ScanEntry> {
    this.checkReadable(lsn);
    const sources: Generator<{ key: Buffer; value: Buffer | null }>[] = [];
    let timeline: Timeline | null = this;
    let at = lsn;
    while (timeline) {
      sources.push(timeline.store.scan(start, end, at));
      at = Math.min(at, timeline.meta.ancestor_lsn ?? at);
      timeline = timeline.ancestor;
    }
    yield* mergeScans(sources);
  }

  /**
   * Neon's find_lsn_for_timestamp: searches the commit times stored in this timeline (and its
   * ancestor below the branch point) between the GC cutoff and the last record.
   */
  findLsnForTimestamp(timeUs: number): LsnForTimestamp {
    return findLsnForTimestamp(timeUs, this.appliedGcCutoffLsn, this.lastRecordLsn, (lsn) => decodeCommitTime(this.get(COMMIT_TIME_KEY, lsn)));
  }

  private async maybeCheckpoint(idle: boolean): Promise<void> {
    if (this.checkpointing) return;
    const due = this.store.shouldCheckpoint() || (idle && this.unflushed() && Date.now() - this.lastCheckpointAt >= CHECKPOINT_IDLE_MS);
    if (due) await this.checkpoint();
  }

  /** WAL applied (even WAL that changed no key) but not yet covered by disk_consistent_lsn. */
  private unflushed(): boolean {
    return this.store.lastLsn > this.store.diskConsistentLsn;
  }

  /** True when the WAL receiver should stop reading until relieve() resolves. */
  get ingestStalled(): boolean {
    return this.store.inMemoryBytes() > MAX_IN_MEMORY_BYTES;
  }

  /** Flushes until the in-memory layers are back under the limit. */
  async relieve(): Promise<void> {
    while (this.ingestStalled) {
      if (this.checkpointing) await this.checkpointing;
      else await this.checkpoint();
    }
  }

  /** Flushes what is in memory to a layer file; disk_consistent_lsn then covers it. Never fails: a failure is logged. */
  async checkpoint(): Promise<void> {
    await this.runCheckpoint();
  }

  /** The same for PUT .../checkpoint, which answers with the failure. */
  async checkpointOrThrow(): Promise<void> {
    const failure = await this.runCheckpoint();
    if (failure) throw failure;
  }

  private runCheckpoint(): Promise<Error | null> {
    this.checkpointing ??= (async () => {
      try {
        if (failpointsActive()) await failpoint('flush-frozen-pausable');
        await this.store.checkpoint({ prev_record_lsn: this.lastRecordStart, applied_gc_cutoff_lsn: this.gcCutoff });
        await this.store.compact(this.retainHorizon());
        this.lastCheckpointAt = Date.now();
        return null;
      } catch (err) {
        log.error(`checkpoint of timeline ${this.id} failed`, { error: String((err as Error).stack ?? err) });
        return err as Error;
      } finally {
        this.checkpointing = null;
      }
    })();
    return this.checkpointing;
  }

  /**
   * Advances the GC cutoff (persisted before anything is removed) and drops the layers no read at
   * or above the retain horizon needs. `horizonOverride` is do_gc's gc_horizon.
   */
  async gc(settings: GcSettings, horizonOverride: number | null = null): Promise<GcResult> {
    if (failpointsActive()) await failpoint('before-timeline-gc');
    const began = Date.now();
    const before = this.store.layers().length;
    const next = nextGcCutoff({
      lastRecordLsn: this.lastRecordLsn,
      diskConsistentLsn: this.store.diskConsistentLsn,
      current: this.appliedGcCutoffLsn,
      gcHorizon: horizonOverride ?? settings.gcHorizon,
      pitrIntervalMs: settings.pitrIntervalMs,
      lsnForTimestamp: (timeUs) => this.findLsnForTimestamp(timeUs),
      now: began,
    });
    if (next > this.gcCutoff) {
      this.gcCutoff = next;
      // Persist the cutoff before removing anything, so that after a restart reads below it stay
      // refused. A checkpoint already running carries the old cutoff: wait for it, then start one.
      while (this.checkpointing) await this.checkpointing;
      await this.checkpoint();
      if (Number(this.store.metadata['applied_gc_cutoff_lsn']) !== next) throw new Error(`could not persist the GC cutoff ${formatLsn(next)}; nothing was removed`);
    }
    const removed = await this.store.gc(this.retainHorizon());
    const total = this.store.layers().length;
    return {
      layers_total: before,
      layers_needed_by_cutoff: total,
      layers_needed_by_pitr: 0,
      layers_needed_by_branches: this.children.size > 0 ? total : 0,
      layers_needed_by_leases: 0,
      layers_not_updated: 0,
      layers_removed: removed.length,
      elapsed: Date.now() - began,
    };
  }

  /** What remote storage gets: the layer set and the metadata committed with it, read together. */
  uploadSource(): UploadSource {
    return {
      snapshot: () => ({
        layers: this.store.layers(),
        metadata: {
          ...this.meta,
          disk_consistent_lsn: this.store.diskConsistentLsn,
          prev_record_lsn: Number(this.store.metadata['prev_record_lsn'] ?? 0),
          applied_gc_cutoff_lsn: Number(this.store.metadata['applied_gc_cutoff_lsn'] ?? 0),
        },
      }),
      layerPath: (name) => path.join(this.dir, 'layers', name),
    };
  }

  info(): TimelineInfo {
    return timelineInfo(this);
  }

  /** Closing or closed (its tenant detached, went secondary, or the pageserver stops). */
  get isShutDown(): boolean {
    return this.shutDown;
  }

  async close(): Promise<void> {
    this.shutDown = true;
    clearInterval(this.timer);
    await this.checkpointing;
    // As the real pageserver on a clean shutdown: flush, so a restart need not replay this WAL.
    if (this.unflushed()) await this.checkpoint();
    await this.remote?.close();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    await this.store.close();
  }
}
