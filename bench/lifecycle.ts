// Lifecycle benchmark (issue: foundation): median of 5 `neon-local start` to all-ready and
// `neon-local stop`, default topology, through the CLI as a user runs it; and the summed peak RSS
// of all component processes.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { median, type Figure } from './stats.ts';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const BIN = path.join(ROOT, 'bin', 'neon-local.mjs');
const RUNS = 5;

async function cli(repo: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const began = performance.now();
  const result = await execa(process.execPath, [BIN, '--repo-dir', repo, ...args], { reject: false });
  const ms = performance.now() - began;
  if (result.exitCode !== 0) throw new Error(`neon-local ${args.join(' ')} failed:\n${result.stderr}`);
  return { ms, stdout: String(result.stdout) };
}

/** Peak resident set (VmHWM) of a process, in MiB. */
function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export async function lifecycleBenchmark(): Promise<Figure[]> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-bench-'));
  const repo = path.join(base, '.neon');
  try {
    await cli(repo, ['init']);
    const starts: number[] = [];
    const stops: number[] = [];
    const rss: number[] = [];
    let perComponent: Record<string, number> = {};
    for (let i = 0; i < RUNS; i++) {
      const start = await cli(repo, ['start', '--json']);
      starts.push(start.ms);
      const status = JSON.parse((await cli(repo, ['status', '--json'])).stdout) as { components: { name: string; pid: number }[] };
      perComponent = Object.fromEntries(status.components.map((c) => [c.name, peakRssMiB(c.pid)]));
      rss.push(Object.values(perComponent).reduce((a, b) => a + b, 0));
      stops.push((await cli(repo, ['stop'])).ms);
    }
    const detail = Object.entries(perComponent).map(([n, v]) => `${n} ${v.toFixed(0)}`).join(', ');
    return [
      { name: 'start to all-ready (CLI, median of 5)', value: median(starts), unit: 'ms', target: { op: '<=', value: 1500 }, detail: `runs ${starts.map((s) => s.toFixed(0)).join('/')}` },
      { name: 'stop (CLI, median of 5)', value: median(stops), unit: 'ms', target: { op: '<=', value: 500 }, detail: `runs ${stops.map((s) => s.toFixed(0)).join('/')}` },
      { name: 'summed peak RSS of components (max of 5)', value: Math.max(...rss), unit: 'MiB', target: { op: '<=', value: 800 }, detail },
    ];
  } finally {
    await execa(process.execPath, [BIN, '--repo-dir', repo, 'stop', '--mode', 'immediate'], { reject: false });
    fs.rmSync(base, { recursive: true, force: true });
  }
}
