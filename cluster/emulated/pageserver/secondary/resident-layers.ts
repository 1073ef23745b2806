// Layer files a location keeps without serving them: a secondary's downloads, or what an attached
// location leaves behind when it becomes a secondary. Local layer names carry no generation, but
// two attachments may write different files under one name, so each kept file is recorded with
// the remote object it is a copy of (name + generation, and its size) in
// timelines/<timeline>/resident-layers.json. An attach reuses a file only when the index it
// restores from names that same object; anything else is downloaded.
//
// A timeline directory in this form has layers/ and resident-layers.json but no timeline.json, so
// the attached tenant does not load it as a timeline; restoring from remote storage picks it up.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { isHexId } from '../../../api/ids.ts';
import { writeFileAtomic } from '../../../util/atomic-write.ts';
import { log } from '../../common/logger.ts';
import { STATE_FILE } from '../storage/store-state.ts';
import { isLayerFileName, isTempFileName } from '../storage/layer-name.ts';
import { META_FILE } from '../timeline/timeline-meta.ts';

export const RESIDENT_LAYERS_FILE = 'resident-layers.json';

/** Per layer name: the remote object (its generation) the local file copies, and its size. */
export type ResidentLayers = Map<string, { file_size: number; generation: number }>;

export function layersDir(timelineDir: string): string {
  return path.join(timelineDir, 'layers');
}

/** The record of a timeline directory; empty when there is none or it is unreadable (then nothing is reused). */
export async function readResidentLayers(timelineDir: string): Promise<ResidentLayers> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(timelineDir, RESIDENT_LAYERS_FILE), 'utf8');
  } catch {
    return new Map();
  }
  try {
    const parsed = JSON.parse(text) as Record<string, { file_size: number; generation: number }>;
    const out: ResidentLayers = new Map();
    for (const [name, m] of Object.entries(parsed)) {
      if (Number.isSafeInteger(m?.file_size) && Number.isSafeInteger(m?.generation)) out.set(name, { file_size: m.file_size, generation: m.generation });
    }
    return out;
  } catch {
    log.warn(`${path.join(timelineDir, RESIDENT_LAYERS_FILE)} is not readable; its layers will be downloaded again`);
    return new Map();
  }
}

export async function writeResidentLayers(timelineDir: string, layers: ResidentLayers): Promise<void> {
  const sorted = Object.fromEntries([...layers].sort(([a], [b]) => (a < b ? -1 : 1)));
  await writeFileAtomic(path.join(timelineDir, RESIDENT_LAYERS_FILE), JSON.stringify(sorted, null, 1) + '\n');
}

/** Whether the local file is the remote object `wanted` names (recorded as its copy, with its size). */
export async function isResidentCopy(timelineDir: string, resident: ResidentLayers, name: string, wanted: { file_size: number; generation: number }): Promise<boolean> {
  const have = resident.get(name);
  if (!have || have.generation !== wanted.generation || have.file_size !== wanted.file_size) return false;
  try {
    return (await fsp.stat(path.join(layersDir(timelineDir), name))).size === wanted.file_size;
  } catch {
    return false;
  }
}

/** Timeline directories of a tenant directory (any form). */
export function timelineDirs(tenantDir: string): { id: string; dir: string }[] {
  const root = path.join(tenantDir, 'timelines');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).filter(isHexId).map((id) => ({ id, dir: path.join(root, id) }));
}

/**
 * Turns the tenant's attached timelines into kept layers when the location becomes a secondary:
 * `uploaded` says, per timeline, which remote object each uploaded layer is (from its last index).
 * The record is written first and timeline.json removed next, so a crash leaves either a
 * timeline or kept layers; files that are no copy of a remote object are deleted.
 */
export async function keepLayersOf(tenantDir: string, uploaded: Map<string, ReadonlyMap<string, { file_size: number; generation: number }>>): Promise<void> {
  for (const { id, dir } of timelineDirs(tenantDir)) {
    if (!fs.existsSync(path.join(dir, META_FILE))) continue; // already kept layers
    const kept: ResidentLayers = new Map();
    for (const [name, m] of uploaded.get(id) ?? []) {
      const size = fs.statSync(path.join(layersDir(dir), name), { throwIfNoEntry: false })?.size;
      if (size === m.file_size) kept.set(name, { file_size: m.file_size, generation: m.generation });
    }
    await writeResidentLayers(dir, kept);
    await fsp.rm(path.join(dir, META_FILE), { force: true });
    for (const name of await fsp.readdir(dir)) {
      if (name !== 'layers' && name !== RESIDENT_LAYERS_FILE) await fsp.rm(path.join(dir, name), { recursive: true, force: true });
    }
    await removeUnrecorded(dir, kept);
  }
}

/** Deletes layer files and temporaries in layers/ that the record does not list, and store.json. */
export async function removeUnrecorded(timelineDir: string, kept: ReadonlyMap<string, unknown>): Promise<void> {
  const dir = layersDir(timelineDir);
  if (!fs.existsSync(dir)) return;
  for (const name of await fsp.readdir(dir)) {
    if (name === STATE_FILE || isTempFileName(name) || (isLayerFileName(name) && !kept.has(name))) await fsp.rm(path.join(dir, name), { force: true });
  }
}
