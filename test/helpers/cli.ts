// Running the neon-local command the way a user does (node bin/neon-local.mjs ...), for tests.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { tempRepo } from './processes.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'neon-local.mjs');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when --json was given. */
  json: any;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

export function cliProcess(args: string[], options: CliOptions = {}): ResultPromise {
  return execa(process.execPath, [BIN, ...args], {
    reject: false,
    cwd: options.cwd ?? ROOT,
    env: { ...options.env },
    timeout: options.timeoutMs ?? 120_000,
  });
}

export async function cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const result = await cliProcess(args, options);
  const stdout = String(result.stdout ?? '');
  let json: unknown;
  if (args.includes('--json')) {
    try {
      json = JSON.parse(stdout);
    } catch {
      throw new Error(`--json output is not one JSON document:\n${stdout}\nstderr:\n${result.stderr}`);
    }
  }
  return { exitCode: result.exitCode ?? -1, stdout, stderr: String(result.stderr ?? ''), json };
}

/** `neon-local --repo-dir DIR ...args`, failing the test on a non-zero exit unless allowed. */
export async function cliIn(repoDir: string, args: string[]): Promise<CliResult> {
  return cli(['--repo-dir', repoDir, ...args]);
}

/** A fresh repo path for a test; its cluster is stopped and the directory removed at teardown. */
export function cliRepo(t: { teardown(fn: () => unknown): void }): string {
  return tempRepo(t, (repo) => cliIn(repo, ['stop', '--mode', 'immediate']));
}

/** `text` as a literal inside a RegExp (paths and descriptions in CLI output). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
