// The versioned key-value storage of one timeline, organised like Neon's pageserver: applied
// mutations go to an in-memory layer; a checkpoint freezes it and writes it out as an immutable
// delta layer file; compaction turns stacked deltas into image layers; gc drops what no read above
// a cutoff needs. store.json (layer list, diskConsistentLsn, caller metadata) is the commit point.
//
// Concurrency: `apply`, `get` and `scan` are synchronous and run between the awaits of
// `checkpoint`, `compact` and `gc`, which are serialised among themselves. Reads see a snapshot:
// the in-memory layers plus an immutable layer map, swapped in one assignment together with the
// state it was committed with. A scan holds references on the layer files it reads, which are
// closed only after it finishes (their files may already be unlinked).
//
// Files: in-memory-layer.ts, layer-format.ts (the file format), layer-writer.ts, layer-reader.ts,
// block-cache.ts, layer-map.ts, read-path.ts, merge.ts, flush.ts, compaction.ts, gc.ts,
// store-state.ts.

import fsp from 'node:fs/promises';
import { compactLayers, planCompaction } from './compaction.ts';
import { StorageError } from './errors.ts';
import { writeDeltaLayer } from './flush.ts';
import { planGc } from './gc.ts';
import { InMemoryLayer } from './in-memory-layer.ts';
import { LayerMap } from './layer-map.ts';
import { DiskLayer, type LayerInfo } from './layer-reader.ts';
import { getAt, scanAt, type Lookup } from './read-path.ts';
import {
  checkApply,
  checkLsn,
  resolveOptions,
  sameJson,
  type Mutation,
  type ResolvedOptions,
  type StoreHooks,
  type StoreOperation,
  type StoreOptions,
} from './store-options.ts';
import { loadStore, writeState, type StoreState } from './store-state.ts';

export type { LayerInfo } from './layer-reader.ts';
export type { Lookup } from './read-path.ts';
export { StorageError } from './errors.ts';
export type { Mutation, StoreHooks, StoreOperation, StoreOptions } from './store-options.ts';

interface Frozen {
  layer: InMemoryLayer;
  metadata: Record<string, unknown>;
}

export class TimelineStore {
  readonly #dir: string;
  readonly #options: ResolvedOptions;
  readonly #hooks: StoreHooks;
  #diskConsistentLsn: number;
  #lastLsn: number;
  #metadata: Record<string, unknown>;
  #latestMetadata: Record<string, unknown>; // the last given to checkpoint, maybe not persisted yet
  #open: InMemoryLayer;
  #frozen: Frozen[] = []; // oldest first
  #memory: InMemoryLayer[]; // open, then frozen, newest first
  #map: LayerMap;
  readonly #live = new Set<DiskLayer>(); // layers with an open file, in the map or retired
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(dir: string, options: StoreOptions, state: StoreState, layers: DiskLayer[]) {
    this.#dir = dir;
    this.#options = resolveOptions(options);
    this.#hooks = options.hooks ?? {};
    this.#diskConsistentLsn = state.diskConsistentLsn;
    this.#lastLsn = state.diskConsistentLsn;
    this.#metadata = state.metadata;
    this.#latestMetadata = state.metadata;
    this.#open = new InMemoryLayer(state.diskConsistentLsn + 1);
    this.#memory = [this.#open];
    for (const l of layers) this.#track(l);
    this.#map = new LayerMap(layers);
  }

  /** Opens (creating if needed) the store in `dir`. Removes temp files and any layer file not
   * listed in store.json (left by a crash). */
  static async open(dir: string, options: StoreOptions = {}): Promise<TimelineStore> {
    const { state, layers } = await loadStore(dir);
    return new TimelineStore(dir, options, state, layers);
  }

  /** Last LSN whose mutations are durable in layer files. */
  get diskConsistentLsn(): number {
    return this.#diskConsistentLsn;
  }

  /** Last LSN applied (in memory or on disk). */
  get lastLsn(): number {
    return this.#lastLsn;
  }

  /** The metadata persisted with diskConsistentLsn. */
  get metadata(): Record<string, unknown> {
    return this.#metadata;
  }

  /** Initialises an empty store whose history starts at `lsn`; persisted before it resolves. */
  async initialize(lsn: number, metadata: Record<string, unknown>): Promise<void> {
    this.#assertOpen();
    if (this.#lastLsn !== 0 || this.#map.layers.length > 0 || this.#frozen.length > 0) {
      throw new StorageError('invalid-argument', `initialize: the store is in use (last LSN ${this.#lastLsn})`);
    }
    checkLsn(lsn, 'initialize');
    this.#lastLsn = lsn;
    this.#open = new InMemoryLayer(lsn + 1);
    this.#memory = [this.#open];
    this.#latestMetadata = metadata;
    await this.#exclusive(async () => {
      await writeState(this.#dir, { diskConsistentLsn: lsn, metadata, layers: this.#map.infos() });
      this.#diskConsistentLsn = lsn;
      this.#metadata = metadata;
    });
  }

  /** Applies all mutations at `lsn`, which must be above lastLsn. In memory only. */
  apply(lsn: number, mutations: readonly Mutation[]): void {
    this.#assertOpen();
    checkApply(lsn, this.#lastLsn, mutations);
    this.#open.apply(lsn, mutations);
    this.#lastLsn = lsn;
  }

  /** The value of `key` as of `lsn`: its newest version at or below `lsn`. */
  get(key: Buffer, lsn: number): Lookup {
    this.#assertOpen();
    return getAt({ memory: this.#memory, map: this.#map }, key, lsn);
  }

  /** Entries in [start, end) (end null: unbounded) as of `lsn`, ascending, tombstones included
   * (value null). Streams through the layer files; the snapshot is taken at the first `next()`. */
  *scan(start: Buffer, end: Buffer | null, lsn: number): Generator<{ key: Buffer; value: Buffer | null }> {
    this.#assertOpen();
    const memory = this.#memory;
    const layers = this.#map.forRead(lsn, start, end);
    for (const l of layers) l.acquire();
    try {
      yield* scanAt(memory, layers, start, end, lsn);
    } finally {
      for (const l of layers) l.release();
    }
  }

  /** True when the in-memory layer holds checkpointDistanceBytes or more. */
  shouldCheckpoint(): boolean {
    return this.#open.bytes >= this.#options.checkpointDistanceBytes;
  }

  /** Freezes the in-memory layer (now: writes arriving later go to a new one), writes it out as a
   * delta layer, then persists diskConsistentLsn = the LSN it was frozen at, with `metadata`
   * (default: the last metadata given). Resolves once that and every earlier checkpoint are durable. */
  async checkpoint(metadata?: Record<string, unknown>): Promise<void> {
    this.#assertOpen();
    const md = metadata ?? this.#latestMetadata;
    const hasData = this.#open.lastLsn >= this.#open.lsnStart;
    if (hasData || !sameJson(md, this.#latestMetadata)) {
      this.#frozen.push({ layer: this.#open, metadata: md });
      this.#open = new InMemoryLayer(this.#lastLsn + 1);
      this.#memory = [this.#open, ...this.#frozen.map((f) => f.layer).reverse()];
      this.#latestMetadata = md;
    }
    if (this.#frozen.length === 0) return;
    await this.#exclusive(() => this.#flushFrozen());
  }

  /** Merges the stacked delta layers (when compactionThreshold or more) into an image layer at
   * their last LSN, keeping the history reads above `horizonLsn` need. */
  async compact(horizonLsn: number): Promise<void> {
    this.#assertOpen();
    await this.#exclusive(async () => {
      const stacked = planCompaction(this.#map, this.#options.compactionThreshold);
      if (!stacked) return;
      const { added, removed } = await compactLayers({
        dir: this.#dir,
        map: this.#map,
        stacked,
        horizonLsn,
        targetFileBytes: this.#options.layerFileTargetBytes,
      });
      for (const l of added) this.#track(l);
      const map = this.#map.with(added, removed);
      await this.#commit('compaction', map, this.#diskConsistentLsn, this.#metadata, added);
      await this.#retire(removed);
    });
  }

  /** Removes the layers no read at or above `cutoffLsn` needs; returns them. */
  async gc(cutoffLsn: number): Promise<LayerInfo[]> {
    this.#assertOpen();
    return this.#exclusive(async () => {
      const removed = planGc(this.#map, cutoffLsn);
      if (removed.length === 0) return [];
      const infos = removed.map((l) => l.info());
      await this.#commit('gc', this.#map.with([], removed), this.#diskConsistentLsn, this.#metadata, []);
      await this.#retire(removed);
      return infos;
    });
  }

  /** The on-disk layers, by LSN. */
  layers(): LayerInfo[] {
    return this.#map.infos();
  }

  /** Bytes of keys and values held by the in-memory layers (open and frozen). */
  inMemoryBytes(): number {
    return this.#memory.reduce((sum, l) => sum + l.bytes, 0);
  }

  /** Waits for the running checkpoint/compaction/gc and closes every file. Does not checkpoint:
   * data past diskConsistentLsn is dropped (call checkpoint() first for a clean shutdown). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    for (const l of [...this.#live]) l.close();
  }

  async #flushFrozen(): Promise<void> {
    while (this.#frozen.length > 0) {
      const { layer, metadata } = this.#frozen[0]!;
      const written = await writeDeltaLayer(this.#dir, layer, this.#map.names());
      const added = written ? [this.#track(written)] : [];
      await this.#commit('flush', this.#map.with(added, []), layer.lastLsn, metadata, added, () => {
        this.#frozen.shift();
        this.#memory = [this.#open, ...this.#frozen.map((f) => f.layer).reverse()];
      });
    }
  }

  /** Persists the new state, then swaps it in (synchronously, with `swap`). If persisting fails,
   * the new layers are closed; their files stay until the next open() removes them. */
  async #commit(
    op: StoreOperation,
    map: LayerMap,
    diskConsistentLsn: number,
    metadata: Record<string, unknown>,
    added: DiskLayer[],
    swap?: () => void,
  ): Promise<void> {
    try {
      await this.#hooks.beforeCommit?.(op);
      await writeState(this.#dir, { diskConsistentLsn, metadata, layers: map.infos() });
    } catch (err) {
      for (const l of added) l.close();
      throw err;
    }
    this.#map = map;
    this.#diskConsistentLsn = diskConsistentLsn;
    this.#metadata = metadata;
    swap?.();
    await this.#hooks.afterCommit?.(op);
  }

  /** Deletes the files of layers that left the map; each is closed once no scan holds it. */
  async #retire(layers: DiskLayer[]): Promise<void> {
    for (const l of layers) {
      try {
        await fsp.rm(l.path, { force: true }); // if this fails, open() removes the unlisted file
      } finally {
        l.release();
      }
    }
  }

  #track(layer: DiskLayer): DiskLayer {
    this.#live.add(layer);
    layer.onClosed = () => this.#live.delete(layer);
    return layer;
  }

  /** Runs `fn` after every earlier checkpoint/compaction/gc has finished (one at a time). */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StorageError('closed', `timeline store ${this.#dir} is closed`);
  }
}
