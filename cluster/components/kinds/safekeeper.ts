// A safekeeper, launched with the argv neon_local builds for the real binary.

import path from 'node:path';
import type { ClusterConfig, SafekeeperConfig } from '../../config/types.ts';
import type { RepoLayout } from '../../repo/layout.ts';
import type { ComponentSpec } from '../spec.ts';
import { brokerUrl } from './storage-broker.ts';

export function safekeeperSpec(config: ClusterConfig, sk: SafekeeperConfig, layout: RepoLayout): ComponentSpec {
  const dir = layout.safekeeperDir(sk.id);
  const httpUrl = `http://${sk.listenAddr}:${sk.httpPort}`;
  return {
    name: `sk${sk.id}`,
    kind: 'safekeeper',
    id: sk.id,
    displayName: `safekeeper ${sk.id}`,
    backend: sk.backend,
    program: 'safekeeper',
    args: [
      '-D', dir,
      '--id', String(sk.id),
      '--listen-pg', `${sk.listenAddr}:${sk.pgPort}`,
      '--listen-http', `${sk.listenAddr}:${sk.httpPort}`,
      '--availability-zone', `sk-${sk.id}`,
      '--broker-endpoint', brokerUrl(config),
    ],
    env: {},
    workDir: dir,
    logFile: path.join(dir, `safekeeper-${sk.id}.log`),
    pidFile: null,
    ports: [
      { name: 'pg', host: sk.listenAddr, port: sk.pgPort },
      { name: 'http', host: sk.listenAddr, port: sk.httpPort },
    ],
    httpUrl,
    probe: { url: `${httpUrl}/v1/status`, httpErrorIsFatal: true },
    stopGroup: 2,
    files: [],
  };
}
