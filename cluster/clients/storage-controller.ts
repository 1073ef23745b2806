// Typed client for the storage controller's HTTP API.

import type {
  NodeConfigureRequest, NodeDescribeResponse, NodeRegisterRequest, SafekeeperDescribeResponse,
  SafekeeperSchedulingPolicy, SafekeeperUpsertRequest,
} from '../api/storage-controller.ts';
import { JsonClient } from './http.ts';

export class StorageControllerClient extends JsonClient {
  constructor(baseUrl: string) {
    super(baseUrl, 'storage controller');
  }

  status(): Promise<null> { return this.get('/status'); }
  ready(): Promise<null> { return this.get('/ready'); }

  nodes(): Promise<NodeDescribeResponse[]> { return this.get('/control/v1/node'); }
  node(id: number): Promise<NodeDescribeResponse> { return this.get(`/control/v1/node/${id}`); }
  registerNode(request: NodeRegisterRequest): Promise<null> { return this.post('/control/v1/node', request); }
  configureNode(request: NodeConfigureRequest): Promise<null> { return this.put(`/control/v1/node/${request.node_id}/config`, request); }

  safekeepers(): Promise<SafekeeperDescribeResponse[]> { return this.get('/control/v1/safekeeper'); }
  safekeeper(id: number): Promise<SafekeeperDescribeResponse> { return this.get(`/control/v1/safekeeper/${id}`); }
  upsertSafekeeper(request: SafekeeperUpsertRequest): Promise<null> { return this.post(`/control/v1/safekeeper/${request.id}`, request); }
  setSafekeeperSchedulingPolicy(id: number, policy: SafekeeperSchedulingPolicy): Promise<null> {
    return this.post(`/control/v1/safekeeper/${id}/scheduling_policy`, { scheduling_policy: policy });
  }
}
