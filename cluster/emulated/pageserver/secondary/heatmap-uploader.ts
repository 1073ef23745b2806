// An attached tenant's heatmap uploads: every heatmap_period (tenant config; 0 = never), skipped
// when nothing changed since the last upload, and on demand (POST .../heatmap_upload, or a
// location_config with flush_ms), which always uploads. A stale attachment (AttachedStale) does
// not upload on its own: another attachment is probably running and its heatmap is the one to keep.
// After a successful upload the heatmap is also written to tenants/<tsid>/heatmap-v1.json locally.

import fs from 'node:fs';
import path from 'node:path';
import type { LocationMode } from '../../../api/pageserver.ts';
import type { TenantConfig } from '../../../api/tenant-config.ts';
import { writeFileAtomic } from '../../../util/atomic-write.ts';
import { parseDuration } from '../../../util/duration.ts';
import { log } from '../../common/logger.ts';
import { metrics } from '../metrics.ts';
import { heatmapKey } from '../remote/remote-paths.ts';
import type { RemoteStorage } from '../remote/remote-storage.ts';
import type { Timeline } from '../timeline/timeline.ts';
import { heatmapTimeline, type HeatMapTenant } from './heatmap.ts';
import { withPageserverDefaults } from '../tenants/tenant-defaults.ts';

export const LOCAL_HEATMAP_FILE = 'heatmap-v1.json';
/** How often the schedule is looked at; heatmap_period is read from the tenant config each time. */
const TICK_MS = 250;

/** What the uploader reads from its tenant. */
export interface HeatmapSource {
  readonly id: string;
  readonly dir: string;
  readonly generation: number;
  readonly location: { mode: LocationMode; tenant_conf: TenantConfig };
  readonly isActive: boolean;
  readonly timelines: ReadonlyMap<string, Timeline>;
}

export function heatmapPeriodMs(conf: TenantConfig): number {
  const value = conf['heatmap_period'];
  return typeof value === 'string' ? parseDuration(value) : 0;
}

export class HeatmapUploader {
  private readonly timer: NodeJS.Timeout;
  private lastAttemptAt = Date.now();
  private lastUploaded: string | null = null;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly tenant: HeatmapSource,
    private readonly storage: RemoteStorage,
  ) {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    const period = heatmapPeriodMs(withPageserverDefaults(this.tenant.location.tenant_conf));
    if (period === 0 || this.running || !this.tenant.isActive || this.tenant.location.mode === 'AttachedStale') return;
    if (Date.now() - this.lastAttemptAt < period) return;
    this.upload(false).catch(() => {}); // logged and counted in upload()
  }

  /** Builds and uploads the heatmap; `force` uploads even an unchanged one. Throws when the upload fails. */
  upload(force: boolean): Promise<void> {
    const run = (this.running ?? Promise.resolve()).catch(() => {}).then(() => this.uploadOnce(force));
    const tracked = run.finally(() => {
      if (this.running === tracked) this.running = null;
    });
    this.running = tracked;
    return tracked;
  }

  build(): HeatMapTenant {
    const period = heatmapPeriodMs(withPageserverDefaults(this.tenant.location.tenant_conf));
    const timelines = [...this.tenant.timelines.values()].map((t) =>
      heatmapTimeline(t.id, t.store.layers(), t.remote?.uploadedLayers ?? new Map(), (name) => fs.statSync(path.join(t.dir, 'layers', name), { throwIfNoEntry: false })?.mtimeMs ?? Date.now()),
    );
    return { generation: this.tenant.generation, timelines, upload_period_ms: period > 0 ? period : null };
  }

  private async uploadOnce(force: boolean): Promise<void> {
    if (this.closed) return;
    this.lastAttemptAt = Date.now();
    const text = JSON.stringify(this.build());
    if (!force && text === this.lastUploaded) return;
    const began = performance.now();
    try {
      await this.storage.put(heatmapKey(this.tenant.id), Buffer.from(text));
    } catch (err) {
      metrics.uploadHeatmapErrors.inc();
      log.warn(`heatmap upload of tenant ${this.tenant.id} failed`, { error: (err as Error).message });
      throw err;
    }
    metrics.uploadHeatmap.inc();
    metrics.uploadHeatmapDuration.observe({}, (performance.now() - began) / 1000);
    this.lastUploaded = text;
    await writeFileAtomic(path.join(this.tenant.dir, LOCAL_HEATMAP_FILE), text).catch((err: Error) => log.warn(`cannot write the local heatmap of ${this.tenant.id}`, { error: err.message }));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running?.catch(() => {});
  }
}
