// Every directed link of a cluster: for each component and each port of every other component, a
// proxy the first connects through (so 7 components make 7 × 6 × their ports proxies). The map
// file run/links/<component>.json tells an emulator which proxy stands for which target port
// (cluster/net/address-map.ts); it is written before the component starts.

import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ComponentSpec } from '../components/spec.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { LinkProxy } from './link-proxy.ts';
import type { LinkRule } from './link-rule.ts';

export interface LinkInfo {
  source: string;
  target: string;
  port: string;
  targetPort: number;
  proxyPort: number;
  connections: number;
}

export class LinkTable {
  private readonly proxies = new Map<string, LinkProxy>();

  constructor(
    private readonly layout: RepoLayout,
    private readonly rule: (from: string, to: string) => LinkRule,
    private readonly random: () => number,
  ) {}

  mapFile(source: string): string {
    return path.join(this.layout.runDir, 'links', `${source}.json`);
  }

  /** Proxies for every link among `specs` that has none yet, and each source's map file. */
  async prepare(specs: ComponentSpec[]): Promise<void> {
    for (const source of specs) {
      for (const target of specs) {
        if (source.name === target.name) continue;
        for (const port of target.ports) {
          const key = `${source.name}>${target.name}:${port.name}`;
          if (this.proxies.has(key)) continue;
          const proxy = new LinkProxy({ source: source.name, target: target.name, portName: port.name, upstream: { host: port.host, port: port.port } }, this.rule, this.random);
          await proxy.listen();
          this.proxies.set(key, proxy);
        }
      }
    }
    await fsp.mkdir(path.join(this.layout.runDir, 'links'), { recursive: true });
    for (const source of specs) {
      const map: Record<string, string> = {};
      for (const proxy of this.proxies.values()) {
        if (proxy.ends.source !== source.name) continue;
        map[String(proxy.ends.upstream.port)] = `${proxy.address.host}:${proxy.address.port}`;
      }
      await writeFileAtomic(this.mapFile(source.name), JSON.stringify(map, null, 1) + '\n');
    }
  }

  /** Applies changed rules to every proxy (cuts reset connections, heals release held bytes). */
  async refresh(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.refresh()));
  }

  list(): LinkInfo[] {
    return [...this.proxies.values()].map((p) => ({
      source: p.ends.source,
      target: p.ends.target,
      port: p.ends.portName,
      targetPort: p.ends.upstream.port,
      proxyPort: p.address.port,
      connections: p.connectionCount,
    }));
  }

  close(): void {
    for (const p of this.proxies.values()) p.close();
    this.proxies.clear();
  }
}
