// Writing a frozen in-memory layer out as a delta layer file: temp file, fsync, rename, fsync of
// the directory. The caller then commits it (store.json) together with the new diskConsistentLsn.

import path from 'node:path';
import { syncDir } from '../../../util/atomic-write.ts';
import type { InMemoryLayer } from './in-memory-layer.ts';
import { DiskLayer } from './layer-reader.ts';
import { LayerWriter } from './layer-writer.ts';

/** The delta layer holding every version of `layer`, or null if it holds none (an LSN advance
 * with no mutations needs no file). `taken`: names already in use. */
export async function writeDeltaLayer(dir: string, layer: InMemoryLayer, taken: ReadonlySet<string>): Promise<DiskLayer | null> {
  if (layer.versionCount === 0) return null;
  const writer = await LayerWriter.create({ dir, kind: 'delta', lsnStart: layer.lsnStart, lsnEnd: layer.lastLsn + 1 });
  try {
    for (const e of layer.versions()) {
      const flushing = writer.add(e.key, e.lsn, e.value);
      if (flushing) await flushing;
    }
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const name = await writer.finish(taken);
  await syncDir(dir);
  return DiskLayer.open(path.join(dir, name));
}
