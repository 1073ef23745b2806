// The supervisor's side of fault injection: the link proxies of the cluster and the fault
// controller, with the process operations (kill, pause, start) it needs.

import { httpRequest } from '../clients/http.ts';
import type { ComponentSpec } from '../components/spec.ts';
import { componentSpecs } from '../components/topology.ts';
import { loadClusterConfigSync } from '../config/cluster-file.ts';
import { FaultController, type ProcessControl } from '../faults/fault-controller.ts';
import { LinkTable } from '../faults/link-table.ts';
import { isSameProcess, processState } from '../process/proc.ts';
import { signalIfOurs } from '../process/terminate.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { readRunRecord } from '../repo/run-records.ts';
import { NeonLocalError } from '../util/errors.ts';
import { Prng } from '../util/prng.ts';
import { LINKS_ENV } from '../net/address-map.ts';

export interface ComponentOps {
  start(name: string): Promise<void>;
  restart(name: string): Promise<void>;
}

export class FaultHost {
  readonly links: LinkTable;
  readonly controller: FaultController;

  constructor(
    private readonly layout: RepoLayout,
    ops: ComponentOps,
    log: (message: string) => void,
  ) {
    const random = new Prng(Date.now() % 2 ** 31);
    this.controller = new FaultController(this.processControl(ops), () => this.links.refresh(), log);
    this.links = new LinkTable(layout, (from, to) => this.controller.rule(from, to), () => random.next());
  }

  private specs(): ComponentSpec[] {
    return componentSpecs(loadClusterConfigSync(this.layout), this.layout);
  }

  private spec(name: string): ComponentSpec {
    const spec = this.specs().find((s) => s.name === name);
    if (!spec) throw new NeonLocalError('unknown-component', `no component named "${name}"`);
    return spec;
  }

  private processControl(ops: ComponentOps): ProcessControl {
    return {
      names: () => this.specs().map((s) => s.name),
      linksProxied: () => this.links.list().length > 0, // set up at start when cluster.yaml says link_proxies
      kill: async (name) => {
        const record = await readRunRecord(this.layout, name);
        if (!record || !isSameProcess(record.pid, record.startTime)) throw new NeonLocalError('not-running', `${name} is not running, so it cannot be killed`);
        signalIfOurs(record, 'SIGKILL');
        const deadline = Date.now() + 5000;
        while (processState(record.pid) === 'alive' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      },
      start: (name) => ops.start(name),
      restart: (name) => ops.restart(name),
      signal: async (name, signal) => {
        const record = await readRunRecord(this.layout, name);
        return record !== null && isSameProcess(record.pid, record.startTime) && signalIfOurs(record, signal);
      },
      setFailpoint: async (name, failpoint, actions) => {
        const spec = this.spec(name);
        const route = spec.kind === 'storage-controller' ? '/debug/v1/failpoints' : '/v1/failpoints';
        const res = await httpRequest(`${spec.httpUrl}${route}`, { method: 'PUT', body: [{ name: failpoint, actions }], timeoutMs: 5000 });
        if (res.status !== 200) throw new NeonLocalError('http', `${name}: setting failpoint ${failpoint} answered ${res.status}: ${res.body}`);
      },
    };
  }

  /** Proxies for every link among the topology's components; the env a launched spec needs. */
  async prepareLinks(all: ComponentSpec[]): Promise<void> {
    await this.links.prepare(all);
  }

  withLinkEnv(spec: ComponentSpec): ComponentSpec {
    return { ...spec, env: { ...spec.env, [LINKS_ENV]: this.links.mapFile(spec.name) } };
  }

  close(): void {
    this.links.close();
  }
}
