// `neon-local start`: the storage cluster (and its readiness check), then the endpoints that were
// running when it stopped. With `firstRun`, a fresh cluster also gets what a new user needs to
// connect: a default tenant with branch main and a running endpoint ep-main.

import { loadClusterConfig } from '../config/cluster-file.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { withRepoLock } from '../repo/lock.ts';
import type { StartResult } from '../supervisor/protocol.ts';
import { NeonLocalError } from '../util/errors.ts';
import { createEndpoint, startEndpoint, startRunningEndpoints, type StartEndpointOptions } from './endpoints.ts';
import { startComponentsLocked, type StartOptions } from './lifecycle.ts';
import { createTenant, type CreatedTenant } from './tenants.ts';

export interface ClusterStartResult extends StartResult {
  /** Endpoints brought back (or, on a first run, created) and started. */
  endpoints: string[];
  /** Set on a first run: the default tenant that was created. */
  createdTenant: CreatedTenant | null;
}

export async function startCluster(layout: RepoLayout, options: Omit<StartOptions, 'components'> & { firstRun?: boolean; onProgress?: (line: string) => void } = {}): Promise<ClusterStartResult> {
  const infra = await withRepoLock(layout, { command: 'neon-local start', ...options.lock }, async () => {
    const result = await startComponentsLocked(layout, options);
    const endpoints = await startRunningEndpoints(layout, endpointStartOptions(options));
    const [failedId, failure] = Object.entries(endpoints.failed)[0] ?? [];
    if (failure) {
      throw new NeonLocalError('start-failed', `the storage cluster is running, but endpoint ${failedId} did not start: ${failure.message}`, {
        ...(failure.hint ? { hint: failure.hint } : { hint: `see its log, or retry with \`neon-local endpoint start ${failedId}\`` }),
        component: failedId!,
        ...(failure.details ? { details: failure.details } : {}),
      });
    }
    return { ...result, endpoints: endpoints.started };
  });
  let createdTenant: CreatedTenant | null = null;
  if (options.firstRun) {
    const config = await loadClusterConfig(layout);
    if (config.defaultTenantId === null && config.endpoints.length === 0) {
      options.onProgress?.('Creating the default tenant (branch main) and endpoint ep-main ...');
      createdTenant = await createTenant(layout, { setDefault: true });
      await createEndpoint(layout, { id: 'ep-main' });
      const started = await startEndpoint(layout, 'ep-main', endpointStartOptions(options));
      infra.started.push(...started.started);
      infra.endpoints.push('ep-main');
    }
  }
  return { ...infra, createdTenant };
}

function endpointStartOptions(options: Omit<StartOptions, 'components'>): StartEndpointOptions {
  return {
    attached: options.attached ?? false,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
}
