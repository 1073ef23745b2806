// The layer map: the on-disk layers of a timeline, immutable (a change builds a new map, swapped in
// one assignment, so a read that started on the old map finishes on it).
//
// Invariants the store keeps, which make reads simple:
// - for one key, the deltas holding it have disjoint LSN ranges, and no delta straddles an image
//   (a compaction's image sits at the end LSN of the deltas it compacted);
// - the images at one LSN (an "image generation", written by one compaction) tile the whole key
//   space, and hold every key with a version at or below that LSN, tombstones included.
// So for a read at LSN L, the newest generation at or below L shadows every layer ending at or
// below it, and among the rest the newest version <= L of a key is the answer.

import type { DiskLayer, LayerInfo } from './layer-reader.ts';

export class LayerMap {
  /** Newest first: by end LSN descending, images before deltas ending at the same LSN. */
  readonly layers: readonly DiskLayer[];

  constructor(layers: Iterable<DiskLayer>) {
    this.layers = [...layers].sort(
      (a, b) =>
        b.lsnEnd - a.lsnEnd ||
        (a.kind === b.kind ? 0 : a.kind === 'image' ? -1 : 1) ||
        Buffer.compare(a.keyStart, b.keyStart),
    );
  }

  /** A new map with `added` and without `removed`. */
  with(added: readonly DiskLayer[], removed: readonly DiskLayer[]): LayerMap {
    const gone = new Set(removed);
    return new LayerMap([...this.layers.filter((l) => !gone.has(l)), ...added]);
  }

  names(): Set<string> {
    return new Set(this.layers.map((l) => l.name));
  }

  infos(): LayerInfo[] {
    const order = (a: LayerInfo, b: LayerInfo): number =>
      a.lsnStart - b.lsnStart || a.lsnEnd - b.lsnEnd || (a.keyStart < b.keyStart ? -1 : a.keyStart > b.keyStart ? 1 : 0);
    return this.layers.map((l) => l.info()).sort(order);
  }

  /** The LSN of the newest image generation at or below `lsn`, or null. */
  newestImageLsn(lsn = Infinity): number | null {
    let best: number | null = null;
    for (const l of this.layers) if (l.kind === 'image' && l.lsnStart <= lsn && (best === null || l.lsnStart > best)) best = l.lsnStart;
    return best;
  }

  /** The layers a read at `lsn` of keys in [start, end) must consult, newest first. */
  forRead(lsn: number, start: Buffer, end: Buffer | null): DiskLayer[] {
    const image = this.newestImageLsn(lsn);
    return this.layers.filter((l) => {
      if (l.lsnStart > lsn || !l.overlaps(start, end)) return false;
      if (image === null) return true;
      return l.kind === 'image' ? l.lsnStart === image : l.lsnEnd - 1 > image;
    });
  }

  /** The deltas above the newest image: the ones compaction merges. */
  stackedDeltas(): DiskLayer[] {
    const image = this.newestImageLsn();
    return this.layers.filter((l) => l.kind === 'delta' && (image === null || l.lsnStart > image));
  }
}
