// Reads "as of" an LSN over a snapshot of the store: the in-memory layers (the open one, then the
// frozen ones being flushed, newest first) and a layer map. See layer-map.ts for the invariants
// these rely on.

import type { InMemoryLayer } from './in-memory-layer.ts';
import type { LayerMap } from './layer-map.ts';
import type { DiskLayer } from './layer-reader.ts';
import { latestPerKey, mergeEntries, type Entry } from './merge.ts';

export type Lookup = { found: false } | { found: true; value: Buffer | null };

export interface ReadView {
  /** Newest first. */
  memory: readonly InMemoryLayer[];
  map: LayerMap;
}

const NOT_FOUND: Lookup = Object.freeze({ found: false });

export function getAt(view: ReadView, key: Buffer, lsn: number): Lookup {
  for (const layer of view.memory) {
    const v = layer.get(key, lsn);
    if (v) return { found: true, value: v.value };
  }
  for (const layer of view.map.layers) {
    if (layer.lsnStart > lsn || !layer.containsKey(key)) continue;
    const v = layer.get(key, lsn);
    if (v) return { found: true, value: v.value };
    // An image holds the whole state of its range: a key it lacks did not exist at its LSN.
    if (layer.kind === 'image') return NOT_FOUND;
  }
  return NOT_FOUND;
}

/** Keys in [start, end) as of `lsn`, tombstones included, each once with its newest version.
 * `layers` are the disk layers the read needs (LayerMap.forRead), newest first; the caller keeps
 * them open while the generator runs. */
export function* scanAt(
  memory: readonly InMemoryLayer[],
  layers: readonly DiskLayer[],
  start: Buffer,
  end: Buffer | null,
  lsn: number,
): Generator<{ key: Buffer; value: Buffer | null }> {
  const sources: Iterable<Entry>[] = [
    ...memory.map((m) => m.latest(start, end, lsn)),
    ...layers.map((l) => l.entries(start, end, lsn, true)),
  ];
  for (const e of latestPerKey(mergeEntries(sources), lsn)) {
    // Entries are views into blocks and slabs; hand out copies so a held value pins neither.
    yield { key: Buffer.from(e.key), value: e.value && Buffer.from(e.value) };
  }
}
