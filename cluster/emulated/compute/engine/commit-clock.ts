// The clock a commit's timestamp comes from (Postgres: the commit record's xact_time), which the
// pageserver's LSN-by-time mapping and PITR GC are built on. A test hook shifts it so that history
// "days old" can be written in seconds: the failpoint compute-commit-timestamp with
// `return(<signed duration>)`, e.g. `return(-10days)`, stamps commits that much off the real
// clock; `off` returns to it. Only the timestamp moves: LSNs, WAL and everything else stay real.

import { parseDuration } from '../../../util/duration.ts';
import { failpointReturns, failpointsActive } from '../../common/failpoints.ts';

export const COMMIT_CLOCK_FAILPOINT = 'compute-commit-timestamp';

/** `-10days`, `+2h`, `30m` (a duration in neon's humantime form, optionally signed) in ms. */
export function parseClockOffset(arg: string | null): number {
  const m = /^\s*([+-]?)\s*(.+)$/.exec(arg ?? '');
  if (!m) throw new Error(`failpoint ${COMMIT_CLOCK_FAILPOINT}: return needs a signed duration, e.g. return(-10days)`);
  try {
    const ms = parseDuration(m[2]!);
    return m[1] === '-' ? -ms : ms;
  } catch (err) {
    throw new Error(`failpoint ${COMMIT_CLOCK_FAILPOINT}: return(${arg}): ${(err as Error).message}`);
  }
}

/** The commit timestamp for a transaction committing now, in µs since the Unix epoch. */
export function commitTimeUs(now = Date.now()): number {
  let offsetMs = 0;
  if (failpointsActive()) {
    const arg = failpointReturns(COMMIT_CLOCK_FAILPOINT);
    if (arg !== undefined) offsetMs = parseClockOffset(arg);
  }
  return Math.round((now + offsetMs) * 1000);
}
