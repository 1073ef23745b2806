// store.json: the persisted state of a timeline store — the layer list, diskConsistentLsn and the
// caller's metadata — replaced atomically (writeFileAtomic) at every checkpoint, compaction and gc.
// It is the commit point: a layer file it does not list does not exist (a crash between writing a
// layer and writing store.json leaves an orphan, which open() deletes).

import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../../util/atomic-write.ts';
import { StorageError } from './errors.ts';
import { DiskLayer, type LayerInfo } from './layer-reader.ts';
import { isLayerFileName, isTempFileName } from './layer-name.ts';

export const STATE_FILE = 'store.json';
const STATE_VERSION = 1;

export interface StoreState {
  version: number;
  diskConsistentLsn: number;
  metadata: Record<string, unknown>;
  /** The layer files, with their ranges for a human reader (the files' footers are authoritative). */
  layers: LayerInfo[];
}

export function emptyState(): StoreState {
  return { version: STATE_VERSION, diskConsistentLsn: 0, metadata: {}, layers: [] };
}

export async function readState(dir: string): Promise<StoreState | null> {
  const file = path.join(dir, STATE_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (err) {
    throw new StorageError('corrupt', `${file}: not JSON`, { cause: err });
  }
  if (!isState(state)) throw new StorageError('corrupt', `${file}: unexpected content (format version ${STATE_VERSION} expected)`);
  return state;
}

export async function writeState(dir: string, state: Omit<StoreState, 'version'>): Promise<void> {
  const full: StoreState = { version: STATE_VERSION, ...state };
  await writeFileAtomic(path.join(dir, STATE_FILE), `${JSON.stringify(full, null, 2)}\n`);
}

/** Deletes what a crash left behind: temp files and layer files store.json does not list.
 * Other files are left alone. Returns the names removed. */
export async function removeStrays(dir: string, keep: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fsp.readdir(dir)) {
    if (keep.has(name) || !(isTempFileName(name) || isLayerFileName(name))) continue;
    await fsp.rm(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function isState(v: unknown): v is StoreState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    s.version === STATE_VERSION &&
    Number.isSafeInteger(s.diskConsistentLsn) &&
    typeof s.metadata === 'object' &&
    s.metadata !== null &&
    !Array.isArray(s.metadata) &&
    Array.isArray(s.layers) &&
    s.layers.every((l: unknown) => typeof l === 'object' && l !== null && typeof (l as LayerInfo).name === 'string')
  );
}

/** Reads store.json (an empty state if there is none yet), deletes strays and opens the layers. */
export async function loadStore(dir: string): Promise<{ state: StoreState; layers: DiskLayer[] }> {
  await fsp.mkdir(dir, { recursive: true });
  const state = (await readState(dir)) ?? emptyState();
  await removeStrays(dir, new Set(state.layers.map((l) => l.name)));
  const layers: DiskLayer[] = [];
  try {
    for (const info of state.layers) {
      const layer = DiskLayer.open(path.join(dir, info.name));
      layers.push(layer);
      if (layer.kind !== info.kind || layer.lsnStart !== info.lsnStart || layer.lsnEnd !== info.lsnEnd) {
        throw new StorageError('corrupt', `layer file ${info.name} does not match its entry in store.json`);
      }
    }
  } catch (err) {
    for (const l of layers) l.close();
    if (err instanceof StorageError) throw err;
    throw new StorageError('corrupt', `${dir}: a layer listed in store.json cannot be opened: ${(err as Error).message}`, { cause: err });
  }
  return { state, layers };
}
