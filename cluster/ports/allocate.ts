// Port allocation at `init`. Ports are chosen once and persisted in cluster.yaml, so a restart keeps
// every address. Two inits running at once (parallel test files) must never pick the same port, yet
// a port is only "taken" once a component binds it, long after init. So allocation is serialised by
// a machine-wide mutex and consults a registry of every repo on the machine: a port listed in any
// registered cluster.yaml is never handed out again. Registry entries whose cluster.yaml is gone are
// dropped on the next allocation.
//
// Ports come from 15000-32767 by default: below Linux's ephemeral range (32768-60999), so an
// outgoing connection never occupies a port a component will listen on later.

import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import getPort from 'get-port';
import { loadClusterConfig } from '../config/cluster-file.ts';
import { portUses } from '../config/validate.ts';
import { RepoLayout } from '../repo/layout.ts';
import { cacheDir } from '../util/cache-dir.ts';
import { NeonLocalError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { abstractSocketName, SocketMutex } from '../util/socket-mutex.ts';

const DEFAULT_RANGE = { from: 15000, to: 32767 };
const ATTEMPTS_PER_PORT = 200;

export interface PortRange {
  from: number;
  to: number;
}

export function portRange(): PortRange {
  const text = process.env['NEON_LOCAL_PORT_RANGE'];
  if (!text) return DEFAULT_RANGE;
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const range = m ? { from: Number(m[1]), to: Number(m[2]) } : null;
  if (!range || range.from < 1024 || range.to > 65535 || range.to - range.from < 32) {
    throw new NeonLocalError('usage', `NEON_LOCAL_PORT_RANGE="${text}" is not a usable range`, {
      hint: 'use FROM-TO with 1024 <= FROM and TO <= 65535 and at least 32 ports, e.g. 15000-32767',
    });
  }
  return range;
}

function registryDir(): string {
  return path.join(cacheDir(), 'repos');
}

function registryEntry(root: string): string {
  return path.join(registryDir(), crypto.createHash('sha256').update(root).digest('hex').slice(0, 24) + '.json');
}

/** Ports listed by every registered cluster (port → repo dir); drops entries whose cluster is gone. */
async function portsInUseByClusters(exceptRoot: string): Promise<Map<number, string>> {
  const used = new Map<number, string>();
  let names: string[] = [];
  try {
    names = await fsp.readdir(registryDir());
  } catch {
    return used;
  }
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const file = path.join(registryDir(), name);
    let root: string;
    try {
      root = (JSON.parse(await fsp.readFile(file, 'utf8')) as { root: string }).root;
    } catch {
      await fsp.rm(file, { force: true });
      continue;
    }
    if (root === exceptRoot) continue;
    const layout = new RepoLayout(root);
    if (!fs.existsSync(layout.configFile)) {
      await fsp.rm(file, { force: true });
      continue;
    }
    try {
      for (const use of portUses(await loadClusterConfig(layout))) used.set(use.port, root);
    } catch {
      // A broken cluster.yaml cannot start anyway; its ports are not protected.
    }
  }
  return used;
}

export class PortAllocator {
  private readonly taken = new Set<number>();

  constructor(
    private readonly range: PortRange,
    private readonly reserved: Map<number, string>,
  ) {}

  /**
   * Marks a port the caller chose itself (e.g. from --config) so it is not handed out again. A port
   * that another cluster on this machine already uses is refused: both could never run at once.
   */
  claim(port: number, usedFor: string): void {
    const other = this.reserved.get(port);
    if (other) {
      throw new NeonLocalError('port-in-use', `port ${port} (${usedFor}) is already assigned to the cluster in ${other}`, {
        hint: 'choose another port, leave it out to get a free one, or remove that cluster',
      });
    }
    this.taken.add(port);
  }

  async next(): Promise<number> {
    const span = this.range.to - this.range.from + 1;
    for (let attempt = 0; attempt < ATTEMPTS_PER_PORT; attempt++) {
      const candidates = Array.from({ length: 8 }, () => this.range.from + crypto.randomInt(span)).filter(
        (p) => !this.taken.has(p) && !this.reserved.has(p),
      );
      if (candidates.length === 0) continue;
      const port = await getPort({ port: candidates, exclude: [...this.taken, ...this.reserved.keys()] });
      if (port >= this.range.from && port <= this.range.to && !this.taken.has(port)) {
        this.taken.add(port);
        return port;
      }
    }
    throw new NeonLocalError('port-in-use', `no free port found in ${this.range.from}-${this.range.to}`, {
      hint: 'stop other clusters, or widen the range with NEON_LOCAL_PORT_RANGE=FROM-TO',
    });
  }
}

/**
 * Runs `body` with an allocator while holding the machine-wide allocation mutex. `body` must write
 * the repo's cluster.yaml before returning; the repo is then registered so later inits avoid its ports.
 */
export async function withPortAllocator<T>(root: string, body: (alloc: PortAllocator) => Promise<T>): Promise<T> {
  const range = portRange();
  const mutex = await SocketMutex.acquire(abstractSocketName('port-allocation', 'global'), `allocate ports for ${root}`, {
    timeoutMs: 60_000,
  });
  if (!(mutex instanceof SocketMutex)) {
    throw new NeonLocalError('lock-timeout', 'timed out waiting for another neon-local init to finish allocating ports');
  }
  try {
    const allocator = new PortAllocator(range, await portsInUseByClusters(root));
    const result = await body(allocator);
    await fsp.mkdir(registryDir(), { recursive: true });
    await writeFileAtomic(registryEntry(root), JSON.stringify({ root }) + '\n');
    return result;
  } finally {
    await mutex.release();
  }
}
