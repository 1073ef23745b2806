// timeline.json: what never changes about a timeline (its id, ancestor and branch point, where
// its history begins). It is written last when a timeline is created or downloaded, so a
// directory without it is no timeline (an interrupted creation or restore, or a secondary's copy).

import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../../util/atomic-write.ts';
import type { Lsn } from '../../../wal/lsn.ts';

export interface TimelineMeta {
  timeline_id: string;
  ancestor_timeline_id: string | null;
  /** Branch point: this timeline sees its ancestor as of this LSN. */
  ancestor_lsn: Lsn | null;
  /** Where the root timeline's history begins. */
  initdb_lsn: Lsn;
  pg_version: number;
}

export const META_FILE = 'timeline.json';

export async function writeTimelineMeta(dir: string, meta: TimelineMeta): Promise<void> {
  await writeFileAtomic(path.join(dir, META_FILE), JSON.stringify(meta, null, 1) + '\n');
}

export function readTimelineMeta(dir: string): TimelineMeta | null {
  const file = path.join(dir, META_FILE);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as TimelineMeta) : null;
}
