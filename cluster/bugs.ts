// Bug switches: opt-in protocol violations built into the emulators, so that a scenario can show
// its checker catches the kind of bug it exists to catch (design brief, principle 6). Off unless a
// cluster is created with them (cluster.yaml `bug_switches`, `scenario run --bugs`); never for
// anything but testing the harness itself.

import { NeonLocalError } from './util/errors.ts';

export const BUGS_ENV = 'NEON_LOCAL_BUGS';

export interface BugSwitch {
  name: string;
  component: 'compute' | 'safekeeper' | 'pageserver';
  description: string;
  /** A scenario that catches it. */
  caughtBy: string;
}

export const BUG_SWITCHES: readonly BugSwitch[] = [
  {
    name: 'wp-ack-single-flush',
    component: 'compute',
    description: 'the walproposer acknowledges a commit once one safekeeper flushed it, not a majority',
    caughtBy: 'quorum-loss',
  },
  {
    name: 'sk-ack-before-write',
    component: 'safekeeper',
    description: 'a safekeeper acknowledges appended WAL before it is written and flushed (and writes it a second later)',
    caughtBy: 'quorum-loss',
  },
  {
    name: 'ps-trust-last-received',
    component: 'pageserver',
    description: 'after a restart the pageserver resumes WAL from the last LSN it received, not from what it had flushed',
    caughtBy: 'restarts-under-load',
  },
];

export function checkBugSwitches(names: readonly string[]): string[] {
  for (const name of names) {
    if (!BUG_SWITCHES.some((b) => b.name === name)) {
      throw new NeonLocalError('usage', `unknown bug switch "${name}"`, { hint: `bug switches: ${BUG_SWITCHES.map((b) => b.name).join(', ')}` });
    }
  }
  return [...names];
}
