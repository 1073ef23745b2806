// Client for the storage broker's HTTP/1 side (the gRPC side carries the pub/sub traffic).

import type { FailpointConfig, FailpointStatus } from '../api/failpoints.ts';
import { ComponentHttpError, httpRequest } from './http.ts';
import { NeonLocalError } from '../util/errors.ts';

export class StorageBrokerClient {
  constructor(readonly baseUrl: string) {}

  /** GET /status: 200 with an empty body when the broker is up. */
  async status(): Promise<void> {
    const res = await httpRequest(`${this.baseUrl}/status`, { timeoutMs: 5000 });
    if (res.status !== 200) throw new NeonLocalError('http', `storage broker: GET /status answered ${res.status}`, { component: 'broker' });
  }

  /** PUT /v1/failpoints (neon's failpoints API): [{name, actions}] in the `fail` crate's syntax. */
  async failpoints(list: FailpointConfig[]): Promise<null> {
    return (await this.request('PUT', '/v1/failpoints', list)) as null;
  }

  setFailpoint(name: string, actions: string): Promise<null> {
    return this.failpoints([{ name, actions }]);
  }

  /** GET /v1/failpoints (neon-local's): what is set, and how often each was hit. */
  async listFailpoints(): Promise<FailpointStatus[]> {
    return (await this.request('GET', '/v1/failpoints')) as FailpointStatus[];
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await httpRequest(`${this.baseUrl}${path}`, { method, body, timeoutMs: 30_000 });
    if (res.status !== 200) throw new ComponentHttpError('storage broker', method, path, res.status, res.body);
    return JSON.parse(res.body) as unknown;
  }
}
