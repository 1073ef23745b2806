// Where a workload runs and where its LSN check reads, from cluster.yaml: the endpoint's HTTP API
// and timeline, and the pageserver the compute reads from (its config.json, as the compute does).

import fs from 'node:fs';
import path from 'node:path';
import { computeSpec, endpointDir } from '../components/kinds/compute.ts';
import { loadClusterConfig } from '../config/cluster-file.ts';
import type { ClusterConfig, EndpointConfig, PageserverConfig } from '../config/types.ts';
import { readSpecFile } from '../emulated/compute/spec.ts';
import { isComponentAlive } from '../operations/running.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { NeonLocalError } from '../util/errors.ts';
import type { WorkloadEndpoint } from './workload.ts';

export interface WorkloadTarget {
  endpoint: WorkloadEndpoint;
  pageserver: { host: string; port: number; httpUrl: string };
}

/** The endpoint `id` of the cluster in `layout`, which must be running unless `running: false`. */
export async function resolveWorkloadTarget(layout: RepoLayout, id: string, options: { running?: boolean } = {}): Promise<WorkloadTarget> {
  const config = await loadClusterConfig(layout);
  const ep = config.endpoints.find((e) => e.id === id);
  if (!ep) {
    throw new NeonLocalError('not-found', `no endpoint "${id}" in ${layout.configFile}`, { hint: `endpoints: ${config.endpoints.map((e) => e.id).join(', ') || 'none (create one with `neon-local endpoint create`)'}` });
  }
  if (options.running !== false && !(await isComponentAlive(layout, ep.id))) {
    throw new NeonLocalError('not-running', `endpoint ${ep.id} is not running`, { hint: `start it: neon-local endpoint start ${ep.id}` });
  }
  const ps = pageserverOf(layout, config, ep);
  return {
    endpoint: { id: ep.id, host: '127.0.0.1', pgPort: ep.pgPort, httpUrl: computeSpec(ep, layout).httpUrl, tenant: ep.tenantId, timeline: ep.timelineId },
    pageserver: { host: ps.listenPg.host, port: ps.listenPg.port, httpUrl: `http://${ps.listenHttp.host}:${ps.listenHttp.port}` },
  };
}

function pageserverOf(layout: RepoLayout, config: ClusterConfig, ep: EndpointConfig): PageserverConfig {
  const specFile = path.join(endpointDir(layout, ep.id), 'config.json');
  if (fs.existsSync(specFile)) {
    const { pageserver } = readSpecFile(specFile);
    const ps = config.pageservers.find((p) => p.listenPg.port === pageserver.port);
    if (ps) return ps;
  }
  const ps = config.pageservers.find((p) => p.id === ep.pageserverId) ?? config.pageservers[0];
  if (!ps) throw new NeonLocalError('config', `the cluster in ${layout.root} has no pageserver`);
  return ps;
}
