// Launching one component: write its generated files, run it through its backend, record it.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { backendFor } from '../backends/registry.ts';
import type { ComponentSpec } from '../components/spec.ts';
import { canBind, describePortOwner, findPortOwner } from '../ports/port-check.ts';
import type { OwnedProcess } from '../process/spawn-owned.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { writeRunRecord } from '../repo/run-records.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { NeonLocalError } from '../util/errors.ts';

async function writeIfChanged(file: string, content: string): Promise<void> {
  if (fs.existsSync(file) && (await fsp.readFile(file, 'utf8')) === content) return;
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, content);
}

/** Fails with the port, the component and the owner when a port the spec needs is taken. */
export async function ensurePortsFree(specs: ComponentSpec[]): Promise<void> {
  for (const spec of specs) {
    for (const port of spec.ports) {
      if (await canBind(port.host, port.port)) continue;
      const owner = findPortOwner(port.port);
      throw new NeonLocalError('port-in-use', `port ${port.port} (${spec.displayName} ${port.name}) is in use by ${describePortOwner(owner)}`, {
        component: spec.name,
        hint: `stop that process, or give ${spec.name} another port in cluster.yaml (or re-create the cluster: \`neon-local init --force remove-all-contents\`)`,
        details: { port: port.port, owner },
      });
    }
  }
}

export async function launchComponent(layout: RepoLayout, spec: ComponentSpec, supervisorPid: number): Promise<OwnedProcess> {
  await fsp.mkdir(spec.workDir, { recursive: true });
  for (const file of spec.files) await writeIfChanged(file.path, file.content);
  const launched = await backendFor(spec.backend).launch(spec, { tieToParent: true });
  await writeRunRecord(layout, {
    name: spec.name,
    pid: launched.pid,
    startTime: launched.startTime,
    backend: spec.backend,
    startedAt: new Date().toISOString(),
    supervisorPid,
    exit: null,
  });
  if (spec.pidFile) await fsp.writeFile(spec.pidFile, `${launched.pid}\n`);
  return launched;
}
