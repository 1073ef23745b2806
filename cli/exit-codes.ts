// Exit codes of the neon-local command (documented in the README).

import type { ErrorCode } from '../cluster/util/errors.ts';

export const EXIT_OK = 0;
/** Usage, configuration or command failure. */
export const EXIT_FAILURE = 1;
/** A component failed to start (neon_local also exits 2 here). */
export const EXIT_START_FAILED = 2;

const START_FAILURES: ErrorCode[] = ['start-failed', 'port-in-use', 'supervisor'];

export function exitCodeFor(code: ErrorCode, commandStartsProcesses: boolean): number {
  return commandStartsProcesses && START_FAILURES.includes(code) ? EXIT_START_FAILED : EXIT_FAILURE;
}
