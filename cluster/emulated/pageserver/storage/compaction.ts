// Compaction: once `threshold` delta layers are stacked above the newest image, write
// - an image generation at E, the last LSN of those deltas: the state of every key as of E (read
//   through the layer map like a scan), split by key range into files of about targetFileBytes
//   that together tile the whole key space;
// - the history a read above the horizon still needs from those deltas, merged into one run of
//   delta files covering their whole LSN range (split by key range). Versions at or below the
//   horizon that a later version at or below it shadows are dropped. With the horizon at or above
//   E the image answers every such read and the deltas are simply dropped.
// The caller commits the result (store.json) and then retires the old deltas.
// Files are written to temp names, renamed, and the directory fsynced before returning, so a crash
// at any point leaves either orphans (deleted on open) or a committed state.

import fsp from 'node:fs/promises';
import path from 'node:path';
import { syncDir } from '../../../util/atomic-write.ts';
import type { LayerMap } from './layer-map.ts';
import { DiskLayer } from './layer-reader.ts';
import { LayerWriter } from './layer-writer.ts';
import { latestPerKey, mergeEntries, thinHistory, type Entry } from './merge.ts';

export interface CompactionInput {
  dir: string;
  map: LayerMap;
  /** The deltas above the newest image, from planCompaction. */
  stacked: DiskLayer[];
  horizonLsn: number;
  targetFileBytes: number;
}

export interface CompactionResult {
  /** Opened, not yet in any map. */
  added: DiskLayer[];
  removed: DiskLayer[];
}

const EVERYTHING = Buffer.alloc(0);

/** The deltas to compact, or null when fewer than `threshold` are stacked above the newest image. */
export function planCompaction(map: LayerMap, threshold: number): DiskLayer[] | null {
  const stacked = map.stackedDeltas();
  return stacked.length > 0 && stacked.length >= threshold ? stacked : null;
}

export async function compactLayers(input: CompactionInput): Promise<CompactionResult> {
  const { dir, map, stacked, horizonLsn, targetFileBytes } = input;
  const imageLsn = Math.max(...stacked.map((l) => l.lsnEnd)) - 1;
  const taken = map.names();
  const written: string[] = [];
  const readers = map.forRead(imageLsn, EVERYTHING, null);
  const held = [...new Set([...readers, ...stacked])];
  for (const l of held) l.acquire();
  try {
    const state = latestPerKey(
      mergeEntries(readers.map((l) => l.entries(EVERYTHING, null, imageLsn, true))),
      imageLsn,
    );
    await writeImages(dir, imageLsn, state, targetFileBytes, taken, written);
    if (horizonLsn < imageLsn) {
      const history = thinHistory(mergeEntries(stacked.map((l) => l.entries(EVERYTHING, null))), horizonLsn);
      const lsnStart = Math.min(...stacked.map((l) => l.lsnStart));
      await writeDeltas(dir, lsnStart, imageLsn + 1, history, targetFileBytes, taken, written);
    }
    await syncDir(dir);
  } catch (err) {
    // Not committed: nothing refers to these yet.
    await Promise.all(written.map((name) => fsp.rm(path.join(dir, name), { force: true }).catch(() => undefined)));
    throw err;
  } finally {
    for (const l of held) l.release();
  }
  const added: DiskLayer[] = [];
  try {
    for (const name of written) added.push(DiskLayer.open(path.join(dir, name)));
  } catch (err) {
    for (const l of added) l.close();
    throw err;
  }
  return { added, removed: stacked };
}

async function writeImages(
  dir: string,
  lsn: number,
  entries: Iterable<Entry>,
  targetFileBytes: number,
  taken: Set<string>,
  written: string[],
): Promise<void> {
  const create = (coverageStart: Buffer) =>
    LayerWriter.create({ dir, kind: 'image', lsnStart: lsn, lsnEnd: lsn + 1, coverageStart });
  let writer = await create(EVERYTHING);
  try {
    for (const e of entries) {
      if (writer.entryCount > 0 && writer.sizeBytes >= targetFileBytes) {
        const boundary = Buffer.from(e.key);
        finished(await writer.finish(taken, boundary), taken, written);
        writer = await create(boundary);
      }
      const flushing = writer.add(e.key, lsn, e.value);
      if (flushing) await flushing;
    }
    finished(await writer.finish(taken, null), taken, written);
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

async function writeDeltas(
  dir: string,
  lsnStart: number,
  lsnEnd: number,
  entries: Iterable<Entry>,
  targetFileBytes: number,
  taken: Set<string>,
  written: string[],
): Promise<void> {
  let writer: LayerWriter | null = null;
  let lastKey: Buffer | null = null;
  try {
    for (const e of entries) {
      // Split only between keys, so the files' key ranges stay disjoint.
      if (writer && writer.sizeBytes >= targetFileBytes && lastKey && !lastKey.equals(e.key)) {
        finished(await writer.finish(taken), taken, written);
        writer = null;
      }
      writer ??= await LayerWriter.create({ dir, kind: 'delta', lsnStart, lsnEnd });
      const flushing = writer.add(e.key, e.lsn, e.value);
      if (flushing) await flushing;
      lastKey = e.key;
    }
    if (writer) finished(await writer.finish(taken), taken, written);
  } catch (err) {
    await writer?.abort();
    throw err;
  }
}

function finished(name: string, taken: Set<string>, written: string[]): void {
  taken.add(name);
  written.push(name);
}
