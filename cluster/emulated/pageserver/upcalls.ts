// The pageserver's calls to the storage controller (control_plane_api). At startup it must
// re-attach before it serves tenants; like the real pageserver it retries until it succeeds.

import { httpRequest } from '../../clients/http.ts';
import type { ReAttachResponse } from '../../api/storage-controller.ts';
import { failpointSleepMillis, failpointsActive } from '../common/failpoints.ts';
import { log } from '../common/logger.ts';
import type { PageserverSettings } from './config.ts';

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 2000;

export async function reAttachUntilAccepted(
  settings: PageserverSettings,
  emptyLocalDisk: boolean,
  isStopping: () => boolean,
): Promise<ReAttachResponse | null> {
  const url = `${settings.controlPlaneApi}re-attach`;
  const body = { node_id: settings.id, register: settings.registration, empty_local_disk: emptyLocalDisk };
  let delayMs = FIRST_RETRY_MS;
  for (let attempt = 1; !isStopping(); attempt++) {
    try {
      if (failpointsActive()) await failpointSleepMillis('control-plane-client-re-attach'); // return(<ms>) delays it
      const res = await httpRequest(url, { method: 'POST', body, timeoutMs: 10_000 });
      if (res.status === 200) {
        const answer = JSON.parse(res.body) as ReAttachResponse;
        log.info('re-attach complete', { tenants: answer.tenants.length, attempts: attempt });
        return answer;
      }
      log.warn('re-attach refused; retrying', { status: res.status, body: res.body.slice(0, 300) });
    } catch (err) {
      if (attempt === 1 || attempt % 20 === 0) log.info('storage controller not reachable yet; retrying re-attach', { error: (err as Error).message });
    }
    await new Promise((r) => setTimeout(r, delayMs));
    delayMs = Math.min(delayMs * 2, MAX_RETRY_MS);
  }
  return null;
}

/** `POST {control_plane_api}validate`: which of these (tenant shard, generation) are still current. */
export async function validateGenerations(settings: PageserverSettings, tenants: { id: string; gen: number }[]): Promise<{ id: string; valid: boolean }[]> {
  const res = await httpRequest(`${settings.controlPlaneApi}validate`, { method: 'POST', body: { tenants }, timeoutMs: 10_000 });
  if (res.status !== 200) throw new Error(`validate answered ${res.status}: ${res.body.slice(0, 200)}`);
  return (JSON.parse(res.body) as { tenants: { id: string; valid: boolean }[] }).tenants;
}
