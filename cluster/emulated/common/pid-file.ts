// The pid file a real pageserver or safekeeper writes into its own directory (neon_local's
// "Expect" mode). The harness keeps its own records in run/; this file is for people and tools
// that look where neon_local puts it.

import fs from 'node:fs';
import { onShutdown } from './lifecycle.ts';

export function writeOwnPidFile(file: string): void {
  fs.writeFileSync(file, `${process.pid}\n`);
  onShutdown(() => fs.rmSync(file, { force: true }));
}
