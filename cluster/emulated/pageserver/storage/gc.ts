// Garbage collection: which layers no read at or above the cutoff LSN can need. A read at L >= cutoff
// stops at the newest image generation at or below L, so everything that ends at or below the newest
// generation at or below the cutoff — older images and the deltas under them — is shadowed for good.
// Deltas above that generation stay: they hold the history between it and the cutoff.
// Without an image at or below the cutoff nothing can go: the deltas are the only copy of the data.

import type { LayerMap } from './layer-map.ts';
import type { DiskLayer } from './layer-reader.ts';

export function planGc(map: LayerMap, cutoffLsn: number): DiskLayer[] {
  const image = map.newestImageLsn(cutoffLsn);
  if (image === null) return [];
  return map.layers.filter((l) => l.lsnEnd - 1 <= image && !(l.kind === 'image' && l.lsnStart === image));
}
