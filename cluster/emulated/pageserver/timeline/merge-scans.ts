// Merging scans of a timeline and its ancestors: ascending by key, the nearest timeline's version
// wins (a branch's delete hides the ancestor's row), deletions dropped from the result.

export interface ScanEntry {
  key: Buffer;
  value: Buffer;
}

type Source = Generator<{ key: Buffer; value: Buffer | null }>;

export function* mergeScans(sources: Source[]): Generator<ScanEntry> {
  const heads = sources.map((s) => s.next());
  for (;;) {
    let min: Buffer | null = null;
    for (const h of heads) {
      if (!h.done && (min === null || Buffer.compare(h.value.key, min) < 0)) min = h.value.key;
    }
    if (min === null) return;
    let chosen: Buffer | null | undefined;
    heads.forEach((h, i) => {
      if (h.done || !h.value.key.equals(min!)) return;
      if (chosen === undefined) chosen = h.value.value; // sources are ordered nearest first
      heads[i] = sources[i]!.next();
    });
    if (chosen) yield { key: min, value: chosen };
  }
}
