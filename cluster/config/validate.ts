// Checks that hold across fields: unique node ids and no port used twice.

import { NeonLocalError } from '../util/errors.ts';
import type { ClusterConfig } from './types.ts';

export interface PortUse {
  component: string;
  purpose: string;
  port: number;
}

/** Every port the topology listens on, with who uses it. */
export function portUses(config: ClusterConfig): PortUse[] {
  return [
    { component: 'broker', purpose: 'listen', port: config.broker.listen.port },
    { component: 'storcon', purpose: 'http', port: config.storageController.listen.port },
    ...config.pageservers.flatMap((ps) => [
      { component: `ps${ps.id}`, purpose: 'pg', port: ps.listenPg.port },
      { component: `ps${ps.id}`, purpose: 'http', port: ps.listenHttp.port },
    ]),
    ...config.safekeepers.flatMap((sk) => [
      { component: `sk${sk.id}`, purpose: 'pg', port: sk.pgPort },
      { component: `sk${sk.id}`, purpose: 'http', port: sk.httpPort },
    ]),
    ...config.endpoints.flatMap((ep) => [
      { component: ep.id, purpose: 'pg', port: ep.pgPort },
      { component: ep.id, purpose: 'http', port: ep.httpPort },
    ]),
  ];
}

export function validateCluster(config: ClusterConfig, fileName: string): void {
  const problem = (message: string) => new NeonLocalError('config', `${fileName}: ${message}`, {
    hint: `fix ${fileName}, or re-create the cluster with \`neon-local init --force remove-all-contents\``,
  });
  for (const [kind, nodes] of [['pageservers', config.pageservers], ['safekeepers', config.safekeepers]] as const) {
    const seen = new Set<number>();
    for (const node of nodes) {
      if (seen.has(node.id)) throw problem(`${kind}: id ${node.id} appears twice; ids must be unique`);
      seen.add(node.id);
    }
  }
  const endpointIds = new Set<string>();
  const reserved = new Set(['broker', 'storcon', ...config.pageservers.map((p) => `ps${p.id}`), ...config.safekeepers.map((s) => `sk${s.id}`)]);
  for (const ep of config.endpoints) {
    if (endpointIds.has(ep.id)) throw problem(`endpoints: id ${ep.id} appears twice; ids must be unique`);
    if (reserved.has(ep.id)) throw problem(`endpoints: id ${ep.id} is the name of another component; choose another`);
    endpointIds.add(ep.id);
  }
  const byPort = new Map<number, PortUse>();
  for (const use of portUses(config)) {
    const other = byPort.get(use.port);
    if (other) {
      throw problem(`port ${use.port} is used by both ${other.component} (${other.purpose}) and ${use.component} (${use.purpose})`);
    }
    byPort.set(use.port, use);
  }
}
