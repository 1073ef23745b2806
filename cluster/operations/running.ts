// Commands that talk to a running cluster (tenants, timelines, endpoints) find its components here,
// with a clear error when the one they need is not up.

import { StorageControllerClient } from '../clients/storage-controller.ts';
import type { ComponentSpec } from '../components/spec.ts';
import { componentSpecs } from '../components/topology.ts';
import type { ClusterConfig } from '../config/types.ts';
import { isSameProcess } from '../process/proc.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { readRunRecord } from '../repo/run-records.ts';
import { NeonLocalError } from '../util/errors.ts';

export async function isComponentAlive(layout: RepoLayout, name: string): Promise<boolean> {
  const record = await readRunRecord(layout, name);
  return record !== null && isSameProcess(record.pid, record.startTime);
}

export function specOfKind(config: ClusterConfig, layout: RepoLayout, kind: ComponentSpec['kind']): ComponentSpec {
  return componentSpecs(config, layout).find((s) => s.kind === kind)!;
}

/** A client for the storage controller, which must be running. */
export async function runningStorageController(layout: RepoLayout, config: ClusterConfig): Promise<StorageControllerClient> {
  const spec = specOfKind(config, layout, 'storage-controller');
  if (!(await isComponentAlive(layout, spec.name))) {
    throw new NeonLocalError('not-running', `the storage controller of ${layout.root} is not running`, {
      hint: 'start the cluster first: `neon-local start`',
    });
  }
  return new StorageControllerClient(spec.httpUrl);
}
