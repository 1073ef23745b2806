// Process identity from /proc. A pid alone is not an identity — pids are reused — so every process
// we start is recorded with its kernel start time, and we only ever signal a pid whose start time
// still matches the record.

import fs from 'node:fs';

export type ProcessState = 'alive' | 'zombie' | 'gone';

interface StatFields {
  state: string;
  startTime: string;
  ppid: number;
}

function readStat(pid: number): StatFields | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field 22 (starttime, clock ticks since boot) is rest[19].
  return { state: rest[0] ?? '?', ppid: Number(rest[1]), startTime: rest[19] ?? '' };
}

export const hasProcFs = fs.existsSync('/proc/self/stat');

/** The kernel start time of `pid`, or null if there is no such process. */
export function processStartTime(pid: number): string | null {
  if (!hasProcFs) return isAlive(pid) ? 'unknown' : null;
  return readStat(pid)?.startTime ?? null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isExitedState(state: string): boolean {
  return state === 'Z' || state === 'X';
}

/**
 * A zombie has exited (its ports and files are released); it only awaits reaping. In a
 * multithreaded process (Node has several threads) the main thread turns zombie first while the
 * others are still exiting and still hold the file table — and with it the listening sockets — so
 * the process counts as exited only once every thread has.
 */
export function processState(pid: number): ProcessState {
  if (!hasProcFs) return isAlive(pid) ? 'alive' : 'gone';
  const stat = readStat(pid);
  if (!stat) return 'gone';
  if (!isExitedState(stat.state)) return 'alive';
  let threads: string[];
  try {
    threads = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return 'zombie';
  }
  for (const tid of threads) {
    try {
      const text = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      if (!isExitedState(text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3))) return 'alive';
    } catch {
      // thread gone
    }
  }
  return 'zombie';
}

/** True when `pid` is alive and is the very process that was recorded with `startTime`. */
export function isSameProcess(pid: number, startTime: string): boolean {
  if (processState(pid) !== 'alive') return false;
  const now = processStartTime(pid);
  return now === startTime || now === 'unknown';
}

export function parentPid(pid: number): number | null {
  return readStat(pid)?.ppid ?? null;
}

/** The command line of `pid`, for error messages ("port 9898 is used by pid 42: python3 -m http.server"). */
export function processCommandLine(pid: number): string | null {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean).join(' ') || null;
  } catch {
    return null;
  }
}
