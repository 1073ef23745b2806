// What neon_local does between components once they are up: register every safekeeper with the
// storage controller (POST /control/v1/safekeeper/:id, then scheduling policy Active), and the
// start-all check that the controller sees every configured pageserver Active.

import type { StorageControllerClient } from '../clients/storage-controller.ts';
import type { ClusterConfig } from '../config/types.ts';
import { NeonLocalError } from '../util/errors.ts';

export async function registerSafekeepers(config: ClusterConfig, storcon: StorageControllerClient): Promise<void> {
  await Promise.all(
    config.safekeepers.map(async (sk) => {
      await storcon.upsertSafekeeper({
        id: sk.id,
        region_id: 'aws-us-east-2',
        version: 5957,
        host: sk.listenAddr,
        port: sk.pgPort,
        http_port: sk.httpPort,
        // A distinct zone per safekeeper lets the controller place a timeline on N of them.
        availability_zone_id: `us-east-2b-${sk.id}`,
      });
      await storcon.setSafekeeperSchedulingPolicy(sk.id, 'Active');
    }),
  );
}

const POLL_MS = 20;

/**
 * Waits until the storage controller lists every configured pageserver as Active. (neon_local wants
 * exactly the configured set; nodes registered by hand through the API are tolerated here.)
 */
export async function waitForPageserversActive(config: ClusterConfig, storcon: StorageControllerClient, deadline: number): Promise<void> {
  const wanted = config.pageservers.map((ps) => ps.id);
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const nodes = new Map((await storcon.nodes()).map((n) => [n.id, n.availability]));
      const missing = wanted.filter((id) => !nodes.has(id));
      const notActive = wanted.filter((id) => nodes.has(id) && nodes.get(id) !== 'Active').map((id) => `${id}: ${nodes.get(id)}`);
      if (missing.length === 0 && notActive.length === 0) return;
      last = [missing.length ? `not registered: ${missing.join(', ')}` : '', notActive.length ? `not Active: ${notActive.join(', ')}` : '']
        .filter(Boolean)
        .join('; ');
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new NeonLocalError('start-failed', `the storage controller does not see every pageserver Active (${last})`, {
    component: 'storcon',
    hint: 'read the storage controller and pageserver logs; a pageserver that cannot reach the controller keeps retrying its re-attach',
  });
}
