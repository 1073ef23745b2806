// The options and argument checks of TimelineStore.

import { StorageError } from './errors.ts';

export interface Mutation {
  key: Buffer;
  /** null: delete (a tombstone). */
  value: Buffer | null;
}

export type StoreOperation = 'flush' | 'compaction' | 'gc';

/** Fault injection for tests: awaited between the steps of a flush, compaction or gc. */
export interface StoreHooks {
  /** New layer files are complete and renamed into place; store.json is not replaced yet. */
  beforeCommit?(op: StoreOperation): void | Promise<void>;
  /** store.json is replaced; the layers it dropped are not deleted yet. */
  afterCommit?(op: StoreOperation): void | Promise<void>;
}

export interface StoreOptions {
  /** Flush the in-memory layer once it holds this many bytes of keys+values (default 16 MiB). */
  checkpointDistanceBytes?: number;
  /** Compact when this many delta layers are stacked (default 10). */
  compactionThreshold?: number;
  /** Compaction splits its output into files of about this size, by key range (default 128 MiB). */
  layerFileTargetBytes?: number;
  hooks?: StoreHooks;
}

export const DEFAULTS = {
  checkpointDistanceBytes: 16 * 1024 * 1024,
  compactionThreshold: 10,
  layerFileTargetBytes: 128 * 1024 * 1024,
};

export type ResolvedOptions = typeof DEFAULTS;

export function resolveOptions(options: StoreOptions): ResolvedOptions {
  return {
    checkpointDistanceBytes: positive(options.checkpointDistanceBytes, DEFAULTS.checkpointDistanceBytes),
    compactionThreshold: positive(options.compactionThreshold, DEFAULTS.compactionThreshold),
    layerFileTargetBytes: positive(options.layerFileTargetBytes, DEFAULTS.layerFileTargetBytes),
  };
}

export function checkLsn(lsn: number, what: string): void {
  if (!Number.isSafeInteger(lsn) || lsn < 0) throw new StorageError('invalid-argument', `${what}: LSN ${lsn} is not a non-negative safe integer`);
}

/** apply()'s arguments: an LSN above the last one, Buffers for keys and values. */
export function checkApply(lsn: number, lastLsn: number, mutations: readonly Mutation[]): void {
  checkLsn(lsn, 'apply');
  if (lsn <= lastLsn) throw new StorageError('invalid-argument', `apply at LSN ${lsn}: not above the last applied LSN ${lastLsn}`);
  for (const m of mutations) {
    if (!Buffer.isBuffer(m.key) || !(m.value === null || Buffer.isBuffer(m.value))) {
      throw new StorageError('invalid-argument', `apply at LSN ${lsn}: a mutation's key and value must be Buffers (value null to delete)`);
    }
  }
}

function positive(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new StorageError('invalid-argument', `store option must be positive, got ${value}`);
  return value;
}

export function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
