// Telling computes where their tenant is attached now (neon storage_controller compute_hook.rs).
// Two ways, as Neon's: local notifications (neon_local's default: the controller reconfigures the
// repo's running endpoints itself, through their compute_ctl /configure), or, with
// --control-plane-url, `PUT <url>/notify-attach` with Neon's payload. A failed notification fails
// the step that needed it; the tenant service retries it until a compute has heard.

import { httpRequest } from '../../clients/http.ts';
import { notifyEndpointsOfAttachment } from '../../operations/endpoints.ts';
import { RepoLayout } from '../../repo/layout.ts';
import { log } from '../common/logger.ts';

export interface AttachNotification {
  tenantId: string;
  nodeId: number;
  preferredAz: string | null;
}

export interface ComputeHook {
  notifyAttach(n: AttachNotification): Promise<void>;
}

export function makeComputeHook(options: { repoDir?: string | undefined; controlPlaneUrl?: string | undefined }): ComputeHook {
  if (options.controlPlaneUrl) {
    const url = `${options.controlPlaneUrl.replace(/\/+$/, '')}/notify-attach`;
    return {
      async notifyAttach(n) {
        // Unsharded: one shard, number 0, and no stripe size (neon's NotifyAttachRequest).
        const body = { tenant_id: n.tenantId, preferred_az: n.preferredAz, stripe_size: null, shards: [{ node_id: n.nodeId, shard_number: 0 }] };
        const res = await httpRequest(url, { method: 'PUT', body, timeoutMs: 10_000 });
        if (res.status < 200 || res.status >= 300) throw new Error(`notify-attach to ${url}: ${res.status} ${res.body.slice(0, 200)}`);
      },
    };
  }
  const layout = options.repoDir ? new RepoLayout(options.repoDir) : null;
  return {
    async notifyAttach(n) {
      if (!layout) return; // no repository and no control plane: nobody to tell
      const endpoints = await notifyEndpointsOfAttachment(layout, n.tenantId, n.nodeId);
      if (endpoints.length) log.info(`compute notified: tenant ${n.tenantId} is on pageserver ${n.nodeId}`, { endpoints: endpoints.join(',') });
    },
  };
}
