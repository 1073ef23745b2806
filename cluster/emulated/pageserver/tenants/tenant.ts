// An attached tenant (shard) on the pageserver: its location configuration (mode, generation,
// tenant config), its state (tenant-state.ts), its timelines and their WAL receivers, and its
// heatmap uploads. On disk: tenants/<tsid>/config-v1 and tenants/<tsid>/timelines/<timeline>/.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { LocationConfig, TenantInfo, TenantState, TimelineCreateRequest, TimelineInfo } from '../../../api/pageserver.ts';
import { isHexId } from '../../../api/ids.ts';
import { writeFileAtomic } from '../../../util/atomic-write.ts';
import { align, INITDB_LSN } from '../../../wal/format.ts';
import { formatLsn } from '../../../wal/lsn.ts';
import { failpoint, failpointsActive } from '../../common/failpoints.ts';
import { ApiError, conflict, notFound } from '../../common/http-server.ts';
import { log } from '../../common/logger.ts';
import { gcSettings, type GcResult } from '../timeline/gc-policy.ts';
import { withPageserverDefaults } from './tenant-defaults.ts';
import { Timeline } from '../timeline/timeline.ts';
import { readTimelineMeta, type TimelineMeta } from '../timeline/timeline-meta.ts';
import { WalReceiver } from '../timeline/walreceiver.ts';
import type { DeletionQueue } from '../remote/deletion-queue.ts';
import { downloadTimeline, remoteTimelineIds } from '../remote/download.ts';
import { readLatestIndex, RemoteTimelineClient, type RemoteIndex } from '../remote/remote-timeline-client.ts';
import type { RemoteStorage } from '../remote/remote-storage.ts';
import type { LayerRemoteMetadata } from '../remote/index-part.ts';
import { HeatmapUploader } from '../secondary/heatmap-uploader.ts';
import { RESIDENT_LAYERS_FILE, timelineDirs } from '../secondary/resident-layers.ts';
import { attachmentStatus, brokenState, StateCell } from './tenant-state.ts';

/** The pageserver's remote storage and its deletion queue, shared by its tenants. */
export interface PageserverRemote {
  storage: RemoteStorage;
  deletions: DeletionQueue;
}

export const LOCATION_FILE = 'config-v1';
const DEFAULT_PG_VERSION = 17;
const BRANCH_WAIT_MS = 10_000;
/** How long a branch point beyond everything known may take to become known before a 406. */
const BRANCH_KNOWN_GRACE_MS = 2000;
const GC_TICK_MS = 10_000;

export class Tenant {
  readonly timelines = new Map<string, Timeline>();
  private readonly receivers = new Map<string, WalReceiver>();
  /** Remote deletions decided while not AttachedSingle (see connectRemote). */
  private readonly heldDeletions: { generation: number; keys: string[] }[] = [];
  private gcTimer: NodeJS.Timeout | undefined;
  private lastGcAt = Date.now();
  readonly state = new StateCell({ slug: 'Attaching' });
  /** Set once Active, when there is remote storage. */
  heatmap: HeatmapUploader | null = null;

  private constructor(
    readonly id: string,
    readonly dir: string,
    public location: LocationConfig,
    private readonly consumer: string,
    private readonly remote: PageserverRemote | null,
  ) {
    // Background GC every gc_period (0 disables), read from the tenant config each time.
    this.gcTimer = setInterval(() => void this.backgroundGc(), GC_TICK_MS);
    this.gcTimer.unref();
  }

  private async backgroundGc(): Promise<void> {
    const settings = gcSettings(withPageserverDefaults(this.location.tenant_conf));
    if (settings.gcPeriodMs === 0 || Date.now() - this.lastGcAt < settings.gcPeriodMs) return;
    this.lastGcAt = Date.now();
    for (const timeline of this.timelines.values()) {
      await timeline.gc(settings).catch((err: Error) => log.warn(`gc of timeline ${timeline.id} failed`, { error: err.message }));
    }
  }

  /** PUT .../do_gc: one GC pass now, optionally with another gc_horizon. */
  gcTimeline(timelineId: string, gcHorizon: number | null): Promise<GcResult> {
    return this.timeline(timelineId).gc(gcSettings(withPageserverDefaults(this.location.tenant_conf)), gcHorizon);
  }

  get tenantId(): string {
    return this.id.slice(0, 32);
  }

  get generation(): number {
    return this.location.generation ?? 0;
  }

  /** A tenant about to attach: registered (and visible as Attaching) before attach() loads it. */
  static attaching(id: string, dir: string, location: LocationConfig, consumer: string, remote: PageserverRemote | null = null): Tenant {
    return new Tenant(id, dir, location, consumer, remote);
  }

  get isActive(): boolean {
    return this.state.value.slug === 'Active';
  }

  /**
   * Loads the local timelines and restores the rest from remote storage. Active when done; when
   * anything fails the tenant is Broken with the reason (as in Neon) and serves nothing.
   */
  async attach(): Promise<void> {
    try {
      await fsp.mkdir(path.join(this.dir, 'timelines'), { recursive: true });
      await this.saveLocation();
      await this.loadTimelines();
      await this.restoreFromRemote();
      // Loaded, not yet serving: a failure here is a failed attach.
      if (failpointsActive()) await failpoint('attach-before-activate');
    } catch (err) {
      await this.stopServing();
      this.timelines.clear();
      this.receivers.clear();
      this.state.set(brokenState(err));
      log.error(`tenant ${this.id} failed to attach; it is Broken and serves nothing until attached again`, { error: (err as Error).message });
      return;
    }
    if (this.state.value.slug === 'Stopping') return this.stopServing(); // closed while attaching
    if (this.remote) this.heatmap = new HeatmapUploader(this, this.remote.storage);
    this.state.set({ slug: 'Active' });
  }

  async saveLocation(): Promise<void> {
    await writeFileAtomic(path.join(this.dir, LOCATION_FILE), JSON.stringify(this.location, null, 1) + '\n');
  }

  /** Loads timelines ancestors first, so a branch can read through its ancestor. */
  private async loadTimelines(): Promise<void> {
    const metas = new Map<string, TimelineMeta>();
    for (const name of fs.readdirSync(path.join(this.dir, 'timelines')).filter(isHexId)) {
      const meta = readTimelineMeta(path.join(this.dir, 'timelines', name));
      if (meta) metas.set(name, meta);
    }
    const load = async (id: string): Promise<Timeline | null> => {
      const existing = this.timelines.get(id);
      if (existing) return existing;
      const meta = metas.get(id);
      if (!meta) return null;
      const ancestor = meta.ancestor_timeline_id ? await load(meta.ancestor_timeline_id) : null;
      const timeline = await Timeline.load(this.id, path.join(this.dir, 'timelines', id), meta, ancestor);
      await this.connectRemote(timeline, false);
      this.add(timeline);
      return timeline;
    };
    for (const id of metas.keys()) await load(id);
  }

  /**
   * Attach: timelines remote storage holds that this disk lacks (a new location, a lost disk) are
   * downloaded from the newest index at or below our generation, then loaded; their WAL
   * receivers catch up from the index's disk_consistent_lsn.
   */
  private async restoreFromRemote(): Promise<void> {
    if (!this.remote) return;
    const remoteIds = await remoteTimelineIds(this.remote.storage, this.id);
    const missing = remoteIds.filter((id) => !this.timelines.has(id));
    const total = { layersReused: 0, bytesReused: 0, layersDownloaded: 0, bytesDownloaded: 0 };
    for (const id of missing) {
      const index = await downloadTimeline(this.remote.storage, this.id, id, this.generation, path.join(this.dir, 'timelines', id));
      if (!index) continue;
      const r = index.restore;
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r[k];
      log.info(`restored timeline ${this.id}/${id} from remote storage: ${r.layersReused} layer(s) (${r.bytesReused} bytes) already on local disk, ${r.layersDownloaded} (${r.bytesDownloaded} bytes) downloaded`, { generation: index.generation, disk_consistent_lsn: formatLsn(index.metadata.disk_consistent_lsn) });
    }
    if (missing.length) {
      log.info(`attach of tenant ${this.id}: ${total.bytesDownloaded} layer bytes downloaded, ${total.bytesReused} reused from local disk`, total);
      await this.loadTimelines();
    }
    // Layers kept for timelines remote storage no longer has (deleted meanwhile) are of no use.
    for (const { id, dir } of timelineDirs(this.dir)) {
      if (!this.timelines.has(id) && !remoteIds.includes(id) && fs.existsSync(path.join(dir, RESIDENT_LAYERS_FILE))) await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  /** Per timeline, the remote object of each uploaded layer: what a secondary here may keep. */
  uploadedLayers(): Map<string, ReadonlyMap<string, LayerRemoteMetadata>> {
    return new Map([...this.timelines].map(([id, t]) => [id, new Map(t.remote?.uploadedLayers ?? [])]));
  }

  /**
   * Gives the timeline its uploader. A loaded timeline first learns what remote storage already
   * holds (so unchanged layers are not uploaded again); a new one uploads its first index at once,
   * so that even an empty timeline can be restored from remote storage.
   */
  private async connectRemote(timeline: Timeline, isNew: boolean): Promise<void> {
    if (!this.remote) return;
    const { storage, deletions } = this.remote;
    let existing: RemoteIndex | null = null;
    if (!isNew) {
      existing = await readLatestIndex(storage, this.id, timeline.id, this.generation).catch((err: Error) => {
        log.warn(`cannot read the remote index of timeline ${timeline.id}; uploading it whole`, { error: err.message });
        return null;
      });
    }
    timeline.remote = new RemoteTimelineClient(storage, this.id, timeline.id, () => this.generation, timeline.uploadSource(), (t, g, keys, onValidated) => {
      // As Neon's: AttachedStale and AttachedMulti delete nothing (a migration between them may
      // still fall back either way); the keys wait until this location is AttachedSingle.
      if (keys.length && this.location.mode !== 'AttachedSingle') {
        this.heldDeletions.push({ generation: g, keys });
        keys = [];
      }
      deletions.enqueue(t, g, keys, onValidated);
    }, existing, timeline.startLsn);
    timeline.remote.schedule();
  }

  private add(timeline: Timeline): void {
    this.timelines.set(timeline.id, timeline);
    timeline.ancestor?.children.add(timeline);
    this.receivers.set(timeline.id, new WalReceiver(timeline, this.tenantId, this.consumer));
  }

  receiver(timelineId: string): WalReceiver | undefined {
    return this.receivers.get(timelineId);
  }

  timeline(timelineId: string): Timeline {
    const t = this.timelines.get(timelineId);
    if (!t) throw notFound(`Timeline ${this.id}/${timelineId} was not found`);
    return t;
  }

  /** Bootstrap or branch; idempotent when asked again with the same parameters. */
  async createTimeline(req: TimelineCreateRequest, knownCommitLsn: (timelineId: string) => number): Promise<{ info: TimelineInfo; created: boolean }> {
    const existing = this.timelines.get(req.new_timeline_id);
    if (existing) {
      const same = existing.meta.ancestor_timeline_id === (req.ancestor_timeline_id ?? null) &&
        (req.ancestor_start_lsn === undefined || existing.meta.ancestor_lsn === align(req.ancestor_start_lsn));
      if (!same) throw conflict('timeline already exists with different parameters');
      return { info: existing.info(), created: false };
    }
    const dir = path.join(this.dir, 'timelines', req.new_timeline_id);
    let timeline: Timeline;
    if (req.ancestor_timeline_id) {
      const ancestor = this.timelines.get(req.ancestor_timeline_id);
      if (!ancestor) throw notFound(`Cannot branch off the timeline that's not present in pageserver: ${req.ancestor_timeline_id}`);
      const start = await this.branchPoint(ancestor, req.ancestor_start_lsn, () => knownCommitLsn(ancestor.id));
      const prev = start === ancestor.lastRecordLsn ? ancestor.prevRecordLsn : 0;
      const release = ancestor.holdBranchPoint(start); // GC must not pass it while the branch is made
      try {
        timeline = await Timeline.create(this.id, dir, {
          timeline_id: req.new_timeline_id, ancestor_timeline_id: ancestor.id, ancestor_lsn: start,
          initdb_lsn: ancestor.meta.initdb_lsn, pg_version: ancestor.meta.pg_version,
        }, ancestor, prev);
      } finally {
        release();
      }
    } else {
      timeline = await Timeline.create(this.id, dir, {
        timeline_id: req.new_timeline_id, ancestor_timeline_id: null, ancestor_lsn: null,
        initdb_lsn: INITDB_LSN, pg_version: req.pg_version ?? DEFAULT_PG_VERSION,
      }, null, 0);
    }
    await this.connectRemote(timeline, true);
    this.add(timeline);
    log.info(`created timeline ${this.id}/${timeline.id}`, { ancestor: timeline.meta.ancestor_timeline_id, start: formatLsn(timeline.startLsn) });
    return { info: timeline.info(), created: true };
  }

  /** The validated branch point (neon: 406 for an LSN the ancestor cannot serve). */
  private async branchPoint(ancestor: Timeline, requested: number | undefined, commitLsn: () => number): Promise<number> {
    if (requested === undefined) return ancestor.lastRecordLsn;
    const lsn = align(requested);
    const bad = (message: string) => new ApiError(406, message);
    if (lsn < ancestor.appliedGcCutoffLsn) {
      throw bad(`invalid branch start lsn: less than latest GC cutoff ${formatLsn(ancestor.appliedGcCutoffLsn)}`);
    }
    if (ancestor.meta.ancestor_lsn !== null && lsn < ancestor.meta.ancestor_lsn) {
      throw bad(`invalid start lsn ${formatLsn(lsn)} for ancestor timeline ${ancestor.id}: less than timeline ancestor lsn ${formatLsn(ancestor.meta.ancestor_lsn)}`);
    }
    // Neon waits for the ancestor to reach the point. We refuse early a point that neither the
    // ancestor nor the safekeepers' commit_lsn (from the broker) has reached after a short grace:
    // a request right after a commit may arrive before the broker's news of it.
    const known = () => Math.max(ancestor.lastRecordLsn, commitLsn());
    for (const deadline = Date.now() + BRANCH_KNOWN_GRACE_MS; lsn > known() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    if (lsn > known()) {
      throw bad(`invalid branch start lsn ${formatLsn(lsn)}: beyond the end of ancestor timeline ${ancestor.id} (last record ${formatLsn(ancestor.lastRecordLsn)})`);
    }
    try {
      await ancestor.waitForLsn(lsn, BRANCH_WAIT_MS);
    } catch (err) {
      throw bad(`invalid branch start lsn ${formatLsn(lsn)}: ${(err as Error).message}`);
    }
    if (lsn < ancestor.appliedGcCutoffLsn) {
      throw bad(`invalid branch start lsn: less than latest GC cutoff ${formatLsn(ancestor.appliedGcCutoffLsn)}`); // GC ran while waiting
    }
    return lsn;
  }

  info(): TenantInfo {
    const state: TenantState = this.state.value;
    return {
      id: this.id,
      state,
      current_physical_size: [...this.timelines.values()].reduce((s, t) => s + (t.info().current_physical_size ?? 0), 0),
      attachment_status: attachmentStatus(state),
      generation: this.generation,
    };
  }

  /** A location change in place (same or newer generation): deletions held while the location was
   * AttachedStale or AttachedMulti go to the deletion queue once it is AttachedSingle. */
  async changeLocation(location: LocationConfig): Promise<void> {
    this.location = location;
    await this.saveLocation();
    if (location.mode !== 'AttachedSingle' || !this.remote || this.heldDeletions.length === 0) return;
    const held = this.heldDeletions.splice(0);
    for (const h of held) this.remote.deletions.enqueue(this.id, h.generation, h.keys);
    log.info(`tenant ${this.id}: ${held.reduce((n, h) => n + h.keys.length, 0)} remote deletion(s) held while AttachedStale or AttachedMulti now queued`);
  }

  /** Flushes every timeline and waits for the uploads, for at most `ms` (location_config flush_ms). */
  async flushAndUpload(ms: number): Promise<void> {
    const work = Promise.all([...this.timelines.values()].map(async (t) => {
      await t.checkpointOrThrow();
      await t.remote?.waitUploaded();
    }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
    const outcome = await Promise.race([work.then(() => 'done' as const, (err: Error) => err), timeout]).finally(() => clearTimeout(timer));
    if (outcome !== 'done') log.warn(`tenant ${this.id}: flush before the location change ${outcome === 'timeout' ? `took longer than ${ms} ms` : `failed: ${outcome.message}`}; going on`);
  }

  async close(): Promise<void> {
    if (this.state.value.slug !== 'Broken') this.state.set({ slug: 'Stopping' });
    await this.stopServing();
  }

  private async stopServing(): Promise<void> {
    await this.heatmap?.close();
    clearInterval(this.gcTimer);
    for (const r of this.receivers.values()) r.stop();
    for (const t of [...this.timelines.values()].reverse()) await t.close();
  }
}
