// The storage controller's HTTP routes (neon storage_controller/src/http.rs), for the parts built so far.

import {
  nodeConfigureRequest, nodeRegisterRequest, reAttachRequest, safekeeperSchedulingPolicyRequest,
  safekeeperUpsertRequest, validateRequest,
} from '../../api/storage-controller.ts';
import { ApiServer, parseNodeIdParam, Reply, unavailable } from '../common/http-server.ts';
import type { StorageControllerService } from './service.ts';

export interface ControllerState {
  /** Set once the database is loaded and the startup heartbeat round is done. */
  service: StorageControllerService | null;
  ready: boolean;
}

export function storageControllerRoutes(server: ApiServer, state: ControllerState): void {
  const svc = (): StorageControllerService => {
    if (!state.service || !state.ready) throw unavailable('storage controller is starting up');
    return state.service;
  };

  server.get('/status', () => null);
  server.get('/ready', () => (state.ready ? null : new Reply(503, null)));
  server.get('/live', () => (state.ready ? null : new Reply(503, null)));
  server.get('/metrics', () => new Reply(200, metrics(state), 'text/plain; version=0.0.4'));

  server.post('/upcall/v1/re-attach', (ctx) => svc().reAttach(ctx.decode(reAttachRequest)));
  server.post('/upcall/v1/validate', (ctx) => {
    ctx.decode(validateRequest);
    svc();
    // No tenant shard exists yet, and unknown shards are left out of the answer.
    return { tenants: [] };
  });

  server.post('/control/v1/node', async (ctx) => {
    await svc().registerNode(ctx.decode(nodeRegisterRequest));
    return null;
  });
  server.get('/control/v1/node', () => svc().listNodes());
  server.get('/control/v1/node/:node_id', (ctx) => svc().describeNode(parseNodeIdParam(ctx.params['node_id'])));
  server.put('/control/v1/node/:node_id/config', async (ctx) => {
    await svc().configureNode(parseNodeIdParam(ctx.params['node_id']), ctx.decode(nodeConfigureRequest));
    return null;
  });

  server.get('/control/v1/safekeeper', () => svc().listSafekeepers());
  server.get('/control/v1/safekeeper/:id', (ctx) => svc().getSafekeeper(parseNodeIdParam(ctx.params['id'], 'id')));
  server.post('/control/v1/safekeeper/:id', async (ctx) => {
    const body = ctx.decode(safekeeperUpsertRequest);
    await svc().upsertSafekeeper(parseNodeIdParam(ctx.params['id'], 'id'), body);
    return new Reply(204, '', 'text/plain');
  });
  server.post('/control/v1/safekeeper/:id/scheduling_policy', async (ctx) => {
    const body = ctx.decode(safekeeperSchedulingPolicyRequest);
    await svc().setSafekeeperScheduling(parseNodeIdParam(ctx.params['id'], 'id'), body.scheduling_policy);
    return null;
  });
}

function metrics(state: ControllerState): string {
  const nodes = state.service?.listNodes() ?? [];
  const lines = [
    '# TYPE storage_controller_pageserver_nodes gauge',
    `storage_controller_pageserver_nodes ${nodes.length}`,
    '# TYPE storage_controller_pageserver_nodes_active gauge',
    `storage_controller_pageserver_nodes_active ${nodes.filter((n) => n.availability === 'Active').length}`,
    '# TYPE storage_controller_safekeeper_nodes gauge',
    `storage_controller_safekeeper_nodes ${state.service?.listSafekeepers().length ?? 0}`,
    '# TYPE storage_controller_ready gauge',
    `storage_controller_ready ${state.ready ? 1 : 0}`,
  ];
  return lines.join('\n') + '\n';
}
