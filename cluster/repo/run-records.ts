// run/<component>.json: the harness's record of a process it started — pid plus kernel start time
// (so a reused pid is never mistaken for ours), backend, and how it ended if it ended on its own.
// The records outlive the supervisor, so `status` and `stop` work even after it was killed.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { BackendName } from '../config/types.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { errnoCode } from '../util/errors.ts';
import type { RepoLayout } from './layout.ts';

export interface ExitRecord {
  code: number | null;
  signal: string | null;
  at: string;
}

export interface RunRecord {
  name: string;
  pid: number;
  startTime: string;
  backend: BackendName;
  startedAt: string;
  /** The supervisor that owns the process. */
  supervisorPid: number;
  /** Set when the process ended without being asked to (crash, kill -9). */
  exit: ExitRecord | null;
}

export async function readRunRecord(layout: RepoLayout, name: string): Promise<RunRecord | null> {
  try {
    return JSON.parse(await fsp.readFile(layout.runRecord(name), 'utf8')) as RunRecord;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || err instanceof SyntaxError) return null;
    throw err;
  }
}

export async function writeRunRecord(layout: RepoLayout, record: RunRecord): Promise<void> {
  await fsp.mkdir(layout.runDir, { recursive: true });
  await writeFileAtomic(layout.runRecord(record.name), JSON.stringify(record, null, 2) + '\n');
}

export async function removeRunRecord(layout: RepoLayout, name: string): Promise<void> {
  await fsp.rm(layout.runRecord(name), { force: true });
}

export async function listRunRecords(layout: RepoLayout): Promise<RunRecord[]> {
  if (!fs.existsSync(layout.runDir)) return [];
  const names = (await fsp.readdir(layout.runDir)).filter((n) => n.endsWith('.json'));
  const records = await Promise.all(names.map((n) => readRunRecord(layout, n.slice(0, -'.json'.length))));
  return records.filter((r): r is RunRecord => r !== null);
}
