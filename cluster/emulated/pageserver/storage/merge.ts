// Streams of versions sorted by (key, LSN), and what reads and compaction do with them: merge
// several (a k-way merge on a binary heap), keep each key's newest version as of an LSN, and drop
// history nobody can read any more. Everything streams: memory is one entry per source.

export interface Entry {
  key: Buffer;
  lsn: number;
  value: Buffer | null;
}

interface Cursor {
  entry: Entry;
  source: Iterator<Entry>;
  rank: number;
}

function before(a: Cursor, b: Cursor): boolean {
  const byKey = Buffer.compare(a.entry.key, b.entry.key);
  if (byKey !== 0) return byKey < 0;
  if (a.entry.lsn !== b.entry.lsn) return a.entry.lsn < b.entry.lsn;
  return a.rank > b.rank; // same version in two sources: the lower rank (newer layer) comes last
}

/** Merges (key, LSN)-sorted sources into one (key, LSN)-sorted stream. Sources are ranked newest
 * first; when two hold the same (key, LSN), the newest source's entry comes last. */
export function* mergeEntries(sources: Iterable<Entry>[]): Generator<Entry> {
  const heap: Cursor[] = [];
  const iterators = sources.map((s) => s[Symbol.iterator]());
  try {
    iterators.forEach((source, rank) => {
      const next = source.next();
      if (!next.done) push(heap, { entry: next.value, source, rank });
    });
    while (heap.length > 0) {
      const top = heap[0]!;
      yield top.entry;
      const next = top.source.next();
      if (next.done) {
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          siftDown(heap, 0);
        }
      } else {
        top.entry = next.value;
        siftDown(heap, 0);
      }
    }
  } finally {
    for (const it of iterators) it.return?.();
  }
}

/** From a (key, LSN)-sorted stream: for each key, its newest version with LSN <= `lsn`. */
export function* latestPerKey(entries: Iterable<Entry>, lsn: number): Generator<Entry> {
  let pending: Entry | null = null;
  for (const e of entries) {
    if (pending && !pending.key.equals(e.key)) {
      yield pending;
      pending = null;
    }
    if (e.lsn <= lsn) pending = e;
  }
  if (pending) yield pending;
}

/** From a (key, LSN)-sorted stream, drops the versions no read at LSN >= `horizon` can see: a
 * version at or below the horizon followed by another version of the same key at or below it. */
export function* thinHistory(entries: Iterable<Entry>, horizon: number): Generator<Entry> {
  let held: Entry | null = null; // the key's newest version <= horizon seen so far
  for (const e of entries) {
    if (held && !held.key.equals(e.key)) {
      yield held;
      held = null;
    }
    if (e.lsn <= horizon) held = e;
    else {
      if (held) {
        yield held;
        held = null;
      }
      yield e;
    }
  }
  if (held) yield held;
}

function push(heap: Cursor[], c: Cursor): void {
  heap.push(c);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function siftDown(heap: Cursor[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let min = i;
    if (l < heap.length && before(heap[l]!, heap[min]!)) min = l;
    if (r < heap.length && before(heap[r]!, heap[min]!)) min = r;
    if (min === i) return;
    [heap[i], heap[min]] = [heap[min]!, heap[i]!];
    i = min;
  }
}
