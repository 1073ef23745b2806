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
  const byPort = new Map<number, PortUse>();
  for (const use of portUses(config)) {
    const other = byPort.get(use.port);
    if (other) {
      throw problem(`port ${use.port} is used by both ${other.component} (${other.purpose}) and ${use.component} (${use.purpose})`);
    }
    byPort.set(use.port, use);
  }
}
