// The storage broker: a stateless pub/sub relay. neon_local keeps its pid file in the repo root.

import path from 'node:path';
import { formatHostPort, type ClusterConfig } from '../../config/types.ts';
import type { RepoLayout } from '../../repo/layout.ts';
import type { ComponentSpec } from '../spec.ts';

export function brokerUrl(config: ClusterConfig): string {
  return `http://${formatHostPort(config.broker.listen)}/`;
}

export function storageBrokerSpec(config: ClusterConfig, layout: RepoLayout): ComponentSpec {
  const listen = config.broker.listen;
  const httpUrl = `http://${formatHostPort(listen)}`;
  return {
    name: 'broker',
    kind: 'storage-broker',
    id: null,
    displayName: 'storage broker',
    backend: config.broker.backend,
    program: 'storage_broker',
    args: [`--listen-addr=${formatHostPort(listen)}`],
    env: {},
    workDir: layout.brokerDir,
    logFile: path.join(layout.brokerDir, 'storage_broker.log'),
    pidFile: path.join(layout.root, 'storage_broker.pid'),
    ports: [{ name: 'listen', ...listen }],
    httpUrl,
    probe: { url: `${httpUrl}/status`, httpErrorIsFatal: false },
    stopGroup: 3,
    files: [],
  };
}
