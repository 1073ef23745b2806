// Uploads one timeline to remote storage (Neon's RemoteTimelineClient). After every change to the
// local layer set (flush, compaction, GC) the new layers are uploaded under this attachment's
// generation, then index_part.json-<generation> listing all current layers; remote_consistent_lsn
// is then the disk_consistent_lsn that index records. Layers the index no longer lists are handed
// to the deletion queue, which deletes them only once the generation is confirmed current.
//
// Uploads are coalesced (a change during an upload causes one more pass) and retried with backoff
// when the storage fails; a failure never loses data, it only holds remote_consistent_lsn back.

import fsp from 'node:fs/promises';
import type { UploadQueueStatus } from '../../../api/pageserver.ts';
import { formatLsn, type Lsn } from '../../../wal/lsn.ts';
import { log } from '../../common/logger.ts';
import { measureRemote, metrics, shardLabels, type RemoteFileKind } from '../metrics.ts';
import type { LayerInfo } from '../storage/layer-reader.ts';
import { buildIndexPart, parseIndexPart, serializeIndexPart, UNSHARDED, type LayerRemoteMetadata, type RemoteTimelineMetadata } from './index-part.ts';
import { indexPartKey, latestIndexKey, layerKey, timelinePrefix } from './remote-paths.ts';
import type { RemoteStorage } from './remote-storage.ts';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

/** What the client uploads from: the timeline's current layers, their files and metadata. */
export interface UploadSource {
  /** A consistent snapshot: the layers and the metadata (disk_consistent_lsn) they make up. */
  snapshot(): { layers: LayerInfo[]; metadata: RemoteTimelineMetadata };
  layerPath(name: string): string;
}

/** Receives the keys of objects no index of this generation refers to any more (possibly none),
 * and what to run once the generation is confirmed current. */
export type DeleteLater = (tenantShardId: string, generation: number, keys: string[], onValidated?: () => void) => void;

/** Where the latest index at or below a generation says a timeline stands. */
export interface RemoteIndex {
  generation: number;
  layers: Map<string, LayerRemoteMetadata>;
  metadata: RemoteTimelineMetadata;
}

/** Reads the newest index_part at or below `generation`; null when the timeline has none. */
export async function readLatestIndex(storage: RemoteStorage, tenantShardId: string, timelineId: string, generation: number): Promise<RemoteIndex | null> {
  const keys = (await storage.list(timelinePrefix(tenantShardId, timelineId))).map((o) => o.key);
  const latest = latestIndexKey(keys, generation);
  if (!latest) return null;
  const data = await storage.get(latest.key);
  if (!data) return null; // deleted between list and get: as if absent
  const { index, metadata } = parseIndexPart(data, latest.key);
  return { generation: latest.generation, layers: new Map(Object.entries(index.layer_metadata)), metadata };
}

class LayerVanished extends Error {}

export class RemoteTimelineClient {
  /** The layers of the last uploaded index, with the generation each was uploaded in. */
  private uploaded: Map<string, LayerRemoteMetadata>;
  private remoteConsistent: Lsn;
  /** remote_consistent_lsn once validate confirmed the generation that uploaded it: what is published. */
  private visible: Lsn;
  /** The generation of the newest index this client knows remote storage has (null: none yet). */
  private indexGeneration: number | null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private retryMs = FIRST_RETRY_MS;
  /** The last upload failure, until an upload succeeds (for status and logs). */
  lastError: string | null = null;
  private consecutiveFailures = 0;
  private failingSince: Date | null = null;
  /** Operations counted as started and not yet finished ("layer:<name>", "index"), with their size. */
  private readonly inFlight = new Map<string, { kind: RemoteFileKind; bytes: number }>();

  constructor(
    private readonly storage: RemoteStorage,
    readonly tenantShardId: string,
    readonly timelineId: string,
    private readonly generation: () => number,
    private readonly source: UploadSource,
    private readonly deleteLater: DeleteLater,
    /** What remote storage already holds (from readLatestIndex), or null for a new timeline. */
    existing: RemoteIndex | null,
    startLsn: Lsn,
  ) {
    this.uploaded = new Map(existing?.layers ?? []);
    this.remoteConsistent = existing?.metadata.disk_consistent_lsn ?? startLsn;
    this.indexGeneration = existing?.generation ?? null;
    this.visible = this.remoteConsistent;
  }

  get remoteConsistentLsn(): Lsn {
    return this.remoteConsistent;
  }

  /** What may be published: a stale attachment's uploads never get here. */
  get remoteConsistentLsnVisible(): Lsn {
    return this.visible;
  }

  /** The layers remote storage holds (those of the last index, and any uploaded for the next),
   * each with the generation whose object holds it: what heatmaps and kept layers refer to. */
  get uploadedLayers(): ReadonlyMap<string, LayerRemoteMetadata> {
    return this.uploaded;
  }

  uploadQueueStatus(): UploadQueueStatus {
    return {
      state: this.consecutiveFailures > 0 ? 'retrying' : 'ok',
      pending: this.inFlight.size,
      consecutive_failures: this.consecutiveFailures,
      last_error: this.lastError,
      failing_since: this.failingSince?.toISOString() ?? null,
    };
  }

  private labels(kind: RemoteFileKind) {
    return { ...shardLabels(this.tenantShardId), timeline_id: this.timelineId, file_kind: kind, op_kind: 'upload' };
  }

  /** Counts an upload as started the first time it is tried (not on each retry). */
  private opStarted(key: string, kind: RemoteFileKind, bytes: number): void {
    if (this.inFlight.has(key)) return;
    this.inFlight.set(key, { kind, bytes });
    metrics.callsStarted.inc(this.labels(kind));
    metrics.bytesStarted.inc(this.labels(kind), bytes);
  }

  /** Finished: done, or given up (the layer vanished, the client closed), as Neon counts it. */
  private opFinished(key: string): void {
    const op = this.inFlight.get(key);
    if (!op) return;
    this.inFlight.delete(key);
    metrics.callsFinished.inc(this.labels(op.kind));
    metrics.bytesFinished.inc(this.labels(op.kind), op.bytes);
  }

  /** The local layer set changed: upload (now, or after the upload in progress). */
  schedule(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => (this.running = null));
  }

  /** Resolves once remote storage holds everything on local disk at the time of the call. */
  async waitUploaded(): Promise<void> {
    const target = this.source.snapshot().metadata.disk_consistent_lsn;
    this.schedule();
    while (this.remoteConsistent < target || this.running) {
      if (this.closed) throw new Error(`timeline ${this.timelineId} is shutting down; remote_consistent_lsn ${formatLsn(this.remoteConsistent)}`);
      if (this.running) await this.running;
      else this.schedule();
    }
  }

  /** Stops uploading after the pass in progress (which is awaited). */
  async close(): Promise<void> {
    this.closed = true;
    this.again = false;
    await this.running;
    for (const key of [...this.inFlight.keys()]) this.opFinished(key);
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.uploadOnce();
        if (this.consecutiveFailures > 0) log.info(`uploads of timeline ${this.timelineId} succeed again after ${this.consecutiveFailures} failed attempt(s)`);
        this.lastError = null;
        this.consecutiveFailures = 0;
        this.failingSince = null;
        this.retryMs = FIRST_RETRY_MS;
      } catch (err) {
        if (err instanceof LayerVanished) {
          this.again = true; // the layer set changed under us: start over from the new one
          continue;
        }
        this.lastError = (err as Error).message;
        this.consecutiveFailures++;
        this.failingSince ??= new Date();
        log.warn(`upload of timeline ${this.timelineId} failed; retrying in ${this.retryMs} ms`, { error: this.lastError });
        await new Promise((r) => setTimeout(r, this.retryMs));
        this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
        this.again = !this.closed;
      }
    } while (this.again && !this.closed);
  }

  private async uploadOnce(): Promise<void> {
    const generation = this.generation();
    const { layers, metadata } = this.source.snapshot();
    // Uploads of layers that are gone from the layer set (compacted away) will not happen.
    for (const key of [...this.inFlight.keys()]) if (key.startsWith('layer:') && !layers.some((l) => `layer:${l.name}` === key)) this.opFinished(key);
    // Nothing new, and this generation has its index: a new timeline or attachment always writes one.
    const unchanged = metadata.disk_consistent_lsn <= this.remoteConsistent && this.uploaded.size === layers.length && layers.every((l) => this.uploaded.has(l.name));
    if (unchanged && this.indexGeneration === generation) return;
    const current = new Map<string, LayerRemoteMetadata>();
    for (const layer of layers) {
      let remote = this.uploaded.get(layer.name);
      if (!remote) {
        let data: Buffer;
        try {
          data = await fsp.readFile(this.source.layerPath(layer.name));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new LayerVanished(layer.name);
          throw err;
        }
        this.opStarted(`layer:${layer.name}`, 'layer', data.length);
        await measureRemote('layer', 'upload', () => this.storage.put(layerKey(this.tenantShardId, this.timelineId, layer.name, generation), data));
        this.opFinished(`layer:${layer.name}`);
        remote = { file_size: data.length, generation, shard: UNSHARDED };
        this.uploaded.set(layer.name, remote);
      }
      current.set(layer.name, remote);
    }
    const index = serializeIndexPart(buildIndexPart(current, metadata));
    this.opStarted('index', 'index', index.length);
    await measureRemote('index', 'upload', () => this.storage.put(indexPartKey(this.tenantShardId, this.timelineId, generation), index));
    this.opFinished('index');
    this.remoteConsistent = Math.max(this.remoteConsistent, metadata.disk_consistent_lsn);
    this.indexGeneration = generation;
    const dropped = [...this.uploaded].filter(([name]) => !current.has(name));
    this.uploaded = current;
    const published = metadata.disk_consistent_lsn;
    this.deleteLater(this.tenantShardId, generation, dropped.map(([name, m]) => layerKey(this.tenantShardId, this.timelineId, name, m.generation)), () => {
      this.visible = Math.max(this.visible, published);
    });
  }
}
