// Starting a local process the harness owns: its own process group (so a stop reaches everything
// it spawned), output appended to its log file, and — when asked — tied to our life.
//
// Tying uses the kernel's parent-death signal (PR_SET_PDEATHSIG) through util-linux's `setpriv`,
// which sets it and then execs the real program. The kernel delivers SIGKILL to the child the
// moment its parent dies, however the parent died (SIGKILL included), and it works for any program
// — a real Neon binary as much as an emulator — because it needs no cooperation from the child.
// Emulators additionally watch their parent pid (see emulated/common/lifecycle.ts) for systems
// without setpriv.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NeonLocalError } from '../util/errors.ts';
import { processStartTime } from './proc.ts';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface OwnedProcess {
  pid: number;
  startTime: string;
  exited: Promise<ExitInfo>;
}

export interface SpawnOwnedOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Kill the process when the calling process dies. */
  tieToParent: boolean;
  /** Extra stdio entries after stderr (fd 3, ...), e.g. a pipe for a readiness message. */
  extraStdio?: ('pipe' | 'ignore')[];
}

const SETPRIV_CANDIDATES = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/local/bin/setpriv'];
let setprivPath: string | null | undefined;

export function findSetpriv(): string | null {
  if (setprivPath === undefined) setprivPath = SETPRIV_CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
  return setprivPath;
}

export async function spawnOwned(options: SpawnOwnedOptions): Promise<OwnedProcess & { child: import('node:child_process').ChildProcess }> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const logFd = fs.openSync(options.logFile, 'a');
  const setpriv = options.tieToParent ? findSetpriv() : null;
  const [command, args] = setpriv
    ? [setpriv, ['--pdeathsig', 'KILL', '--', options.command, ...options.args]]
    : [options.command, options.args];
  let child;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true, // setsid(): its own session and process group
      stdio: ['ignore', logFd, logFd, ...(options.extraStdio ?? [])],
    });
  } finally {
    fs.closeSync(logFd);
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) =>
      reject(new NeonLocalError('start-failed', `could not run ${options.command}: ${err.message}`, { cause: err })),
    );
  });
  const pid = child.pid!;
  const startTime = processStartTime(pid);
  if (startTime === null) {
    // It exited before we could look at it; the exit status tells why.
    const exit = await exited;
    throw new NeonLocalError('start-failed', `${options.command} exited at once (${describeExit(exit)})`);
  }
  return { pid, startTime, exited, child };
}

export function describeExit(exit: ExitInfo): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
