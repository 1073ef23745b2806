// safekeeper.control: a timeline's durable consensus state (term, term history, membership,
// start/commit LSNs). JSON with a CRC, replaced atomically (temp file, fsync, rename, fsync dir).

import fs from 'node:fs';
import zlib from 'node:zlib';
import { writeFileAtomic } from '../../../util/atomic-write.ts';
import type { ControlState } from '../core/acceptor.ts';

export const CONTROL_FILE_NAME = 'safekeeper.control';
const FORMAT = 'neon-local-safekeeper-control/1';

export async function writeControlFile(file: string, state: ControlState): Promise<void> {
  const body = JSON.stringify(state);
  await writeFileAtomic(file, JSON.stringify({ format: FORMAT, crc: zlib.crc32(body), state: JSON.parse(body) }, null, 1) + '\n');
}

export function readControlFile(file: string): ControlState {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { format: string; crc: number; state: ControlState };
  if (parsed.format !== FORMAT) throw new Error(`${file}: unknown format ${JSON.stringify(parsed.format)}`);
  if (zlib.crc32(JSON.stringify(parsed.state)) !== parsed.crc) throw new Error(`${file}: CRC mismatch, the control file is corrupt`);
  return parsed.state;
}
