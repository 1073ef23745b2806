// A compute endpoint, started like compute_ctl with the spec neon_local writes
// (endpoints/<id>/config.json). Ready when its /status says "running" — elected and at the
// pageserver's state — as neon_local waits for.

import path from 'node:path';
import type { EndpointConfig } from '../../config/types.ts';
import type { RepoLayout } from '../../repo/layout.ts';
import type { ComponentSpec } from '../spec.ts';

export function endpointDir(layout: RepoLayout, id: string): string {
  return path.join(layout.endpointsDir, id);
}

export function computeSpec(ep: EndpointConfig, layout: RepoLayout): ComponentSpec {
  const dir = endpointDir(layout, ep.id);
  const httpUrl = `http://127.0.0.1:${ep.httpPort}`;
  return {
    name: ep.id,
    kind: 'compute',
    id: null,
    displayName: `endpoint ${ep.id}`,
    backend: 'emulated',
    program: 'compute_ctl',
    args: [
      '--external-http-port', String(ep.httpPort),
      '--pgdata', path.join(dir, 'pgdata'),
      '--connstr', `postgresql://cloud_admin@127.0.0.1:${ep.pgPort}/postgres`,
      '--config', path.join(dir, 'config.json'),
      '--compute-id', ep.id,
    ],
    env: {},
    workDir: dir,
    logFile: path.join(dir, 'compute.log'),
    pidFile: path.join(dir, 'compute_ctl.pid'),
    ports: [
      { name: 'pg', host: '127.0.0.1', port: ep.pgPort },
      { name: 'http', host: '127.0.0.1', port: ep.httpPort },
    ],
    httpUrl,
    probe: { url: `${httpUrl}/status`, httpErrorIsFatal: false, json: { field: 'status', ready: 'running', fatal: 'failed' } },
    stopGroup: 0,
    files: [],
  };
}
