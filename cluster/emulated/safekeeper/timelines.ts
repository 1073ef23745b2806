// The timelines a safekeeper holds: loaded from its data directory at startup
// (<datadir>/<tenant>/<timeline>/safekeeper.control), created by the storage controller, deleted.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { isHexId } from '../../api/ids.ts';
import type { TimelineCreateRequest } from '../../api/safekeeper.ts';
import { log } from '../common/logger.ts';
import { CONTROL_FILE_NAME } from './timeline/control-file.ts';
import { SEGMENT_SIZE } from '../../wal/format.ts';
import { SafekeeperTimeline } from './timeline/timeline.ts';

const key = (tenantId: string, timelineId: string) => `${tenantId}/${timelineId}`;

export class TimelineRegistry {
  private readonly timelines = new Map<string, SafekeeperTimeline>();
  /** Deleted timelines: a compute may not bring them back. */
  private readonly tombstones = new Set<string>();
  private readonly creating = new Map<string, Promise<SafekeeperTimeline>>();
  private readonly progressListeners: (() => void)[] = [];

  constructor(
    readonly datadir: string,
    readonly nodeId: number,
  ) {}

  async loadAll(): Promise<void> {
    for (const tenant of fs.readdirSync(this.datadir).filter(isHexId)) {
      for (const timeline of fs.readdirSync(path.join(this.datadir, tenant)).filter(isHexId)) {
        const dir = path.join(this.datadir, tenant, timeline);
        if (!fs.existsSync(path.join(dir, CONTROL_FILE_NAME))) continue;
        try {
          this.add(key(tenant, timeline), await SafekeeperTimeline.open(dir, this.nodeId));
        } catch (err) {
          log.error(`cannot load timeline ${tenant}/${timeline}`, { error: String(err) });
        }
      }
    }
    log.info('timelines loaded', { count: this.timelines.size });
  }

  /** Called whenever any timeline's flush or commit LSN may have moved. */
  onAnyProgress(listener: () => void): void {
    this.progressListeners.push(listener);
    for (const t of this.timelines.values()) t.onProgress(listener);
  }

  private add(k: string, timeline: SafekeeperTimeline): void {
    this.timelines.set(k, timeline);
    for (const l of this.progressListeners) timeline.onProgress(l);
  }

  get(tenantId: string, timelineId: string): SafekeeperTimeline | undefined {
    return this.timelines.get(key(tenantId, timelineId));
  }

  list(): SafekeeperTimeline[] {
    return [...this.timelines.values()];
  }

  isDeleted(tenantId: string, timelineId: string): boolean {
    return this.tombstones.has(key(tenantId, timelineId));
  }

  /** Idempotent: an existing timeline is returned as it is (the given configuration is not applied). */
  async create(req: TimelineCreateRequest): Promise<{ timeline: SafekeeperTimeline; created: boolean }> {
    const k = key(req.tenant_id, req.timeline_id);
    const existing = this.timelines.get(k);
    if (existing) return { timeline: existing, created: false };
    if (this.tombstones.has(k)) throw new Error(`timeline ${k} was deleted and cannot be created again`);
    let pending = this.creating.get(k);
    if (!pending) {
      pending = SafekeeperTimeline.create(path.join(this.datadir, req.tenant_id, req.timeline_id), this.nodeId, {
        tenantId: req.tenant_id,
        timelineId: req.timeline_id,
        mconf: req.mconf,
        acceptor: { term: 0, termHistory: [] },
        server: { pgVersion: req.pg_version, systemId: req.system_id ?? 0, walSegSize: req.wal_seg_size ?? SEGMENT_SIZE },
        timelineStartLsn: req.start_lsn,
        localStartLsn: req.start_lsn,
        commitLsn: req.commit_lsn ?? req.start_lsn,
        backupLsn: req.start_lsn,
        peerHorizonLsn: req.start_lsn,
        remoteConsistentLsn: req.start_lsn,
      });
      this.creating.set(k, pending);
    }
    try {
      const timeline = await pending;
      if (!this.timelines.has(k)) this.add(k, timeline);
      log.info(`created timeline ${k}`, { start_lsn: req.start_lsn, generation: req.mconf.generation });
      return { timeline, created: true };
    } finally {
      this.creating.delete(k);
    }
  }

  async delete(tenantId: string, timelineId: string): Promise<boolean> {
    const k = key(tenantId, timelineId);
    const timeline = this.timelines.get(k);
    this.tombstones.add(k);
    this.timelines.delete(k);
    await timeline?.close();
    const dir = path.join(this.datadir, tenantId, timelineId);
    const existed = fs.existsSync(dir);
    await fsp.rm(dir, { recursive: true, force: true });
    return existed;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.list().map((t) => t.close()));
  }
}
