// Which bug switches (cluster/bugs.ts) this emulator process runs with, from NEON_LOCAL_BUGS.

import { BUGS_ENV } from '../../bugs.ts';
import { log } from './logger.ts';

const enabled = new Set((process.env[BUGS_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
if (enabled.size) log.warn(`bug switches on (this process violates the protocol on purpose): ${[...enabled].join(', ')}`);

export function bugOn(name: string): boolean {
  return enabled.has(name);
}
