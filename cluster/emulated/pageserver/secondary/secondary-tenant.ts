// A secondary location (location_config mode Secondary): no timelines served, no WAL, no
// generation, never a remote write — only a local copy of the layers the attached location's
// heatmap lists, so that an attach here (a migration to this node) starts from them. Downloads run
// on request (POST .../secondary/download) and, when secondary_conf.warm is set, in the background
// on the heatmap's upload_period_ms (Neon's default, 60 s, while there is no heatmap).
// On disk: tenants/<tsid>/config-v1, heatmap-v1.json, timelines/<tl>/{layers/, resident-layers.json}.

import fsp from 'node:fs/promises';
import path from 'node:path';
import type { LocationConfig, SecondaryProgress } from '../../../api/pageserver.ts';
import { writeFileAtomic } from '../../../util/atomic-write.ts';
import { log } from '../../common/logger.ts';
import type { RemoteStorage } from '../remote/remote-storage.ts';
import { downloadPass, emptyProgress, localProgress } from './downloader.ts';

const DEFAULT_DOWNLOAD_INTERVAL_MS = 60_000;
/** A heatmap may ask for very frequent checks (tests do); passes never start closer than this. */
const MIN_DOWNLOAD_INTERVAL_MS = 200;

export class SecondaryTenant {
  progress: SecondaryProgress = emptyProgress();
  /** The pass in progress; resolves true when everything the heatmap lists is here. */
  private job: Promise<boolean> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private periodMs = DEFAULT_DOWNLOAD_INTERVAL_MS;
  private closed = false;

  private constructor(
    readonly id: string,
    readonly dir: string,
    public location: LocationConfig,
    private readonly storage: RemoteStorage | null,
    private readonly locationFile: string,
  ) {}

  static async open(id: string, dir: string, location: LocationConfig, storage: RemoteStorage | null, locationFile: string): Promise<SecondaryTenant> {
    await fsp.mkdir(path.join(dir, 'timelines'), { recursive: true });
    const tenant = new SecondaryTenant(id, dir, location, storage, locationFile);
    tenant.progress = await localProgress(dir);
    await tenant.setLocation(location);
    return tenant;
  }

  get warm(): boolean {
    return this.location.secondary_conf?.warm === true;
  }

  /** Persists the location; starts or stops background downloads as `warm` says. */
  async setLocation(location: LocationConfig): Promise<void> {
    this.location = location;
    await writeFileAtomic(path.join(this.dir, this.locationFile), JSON.stringify(location, null, 1) + '\n');
    if (this.warm && !this.timer && !this.closed) this.schedule(0);
    if (!this.warm && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.download().finally(() => {
        if (this.warm && !this.closed) this.schedule(Math.max(MIN_DOWNLOAD_INTERVAL_MS, this.periodMs));
      });
    }, delayMs);
    this.timer.unref();
  }

  /** One pass, or the one already running; resolves true when complete. Never throws: a failure is logged. */
  download(): Promise<boolean> {
    this.job ??= this.runPass().finally(() => (this.job = null));
    return this.job;
  }

  private async runPass(): Promise<boolean> {
    if (!this.storage || this.closed) return !this.closed;
    try {
      const { heatmap, complete } = await downloadPass({ storage: this.storage, tenantShardId: this.id, dir: this.dir, progress: this.progress, cancelled: () => this.closed });
      this.periodMs = heatmap?.upload_period_ms ?? DEFAULT_DOWNLOAD_INTERVAL_MS;
      if (complete && heatmap) log.info(`secondary ${this.id}: up to date with the heatmap of generation ${heatmap.generation}`, { layers: this.progress.layers_total, bytes: this.progress.bytes_total });
      return complete;
    } catch (err) {
      log.warn(`secondary ${this.id}: download failed; will try again`, { error: (err as Error).message });
      return false;
    }
  }

  /** Stops background work; the layer in progress finishes, so what is on disk stays whole. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.job;
  }
}
