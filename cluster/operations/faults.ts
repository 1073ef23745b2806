// Fault injection on a running cluster, through its supervisor (which owns the link proxies and
// the processes). No repo lock: faults change no configuration, and a scenario injects them while
// other commands run.

import type { ActiveFault, FaultRequest, HealRequest } from '../faults/fault-request.ts';
import type { LinkInfo } from '../faults/link-table.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { SupervisorClient } from '../supervisor/client.ts';
import { NeonLocalError } from '../util/errors.ts';

async function supervisor(layout: RepoLayout): Promise<SupervisorClient> {
  const client = new SupervisorClient(layout);
  if (!(await client.status())) {
    throw new NeonLocalError('not-running', `the cluster in ${layout.root} is not running`, { hint: 'start it first: `neon-local start`' });
  }
  return client;
}

export async function injectFault(layout: RepoLayout, request: FaultRequest): Promise<ActiveFault> {
  return (await supervisor(layout)).injectFault(request);
}

export async function healFaults(layout: RepoLayout, request: HealRequest): Promise<ActiveFault[]> {
  return (await (await supervisor(layout)).heal(request)).healed;
}

export async function listFaults(layout: RepoLayout): Promise<{ faults: ActiveFault[]; links: LinkInfo[] }> {
  return (await supervisor(layout)).faults();
}
