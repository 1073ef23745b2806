// Client for the storage broker's HTTP/1 side (the gRPC side carries the pub/sub traffic).

import { httpRequest } from './http.ts';
import { NeonLocalError } from '../util/errors.ts';

export class StorageBrokerClient {
  constructor(readonly baseUrl: string) {}

  /** GET /status: 200 with an empty body when the broker is up. */
  async status(): Promise<void> {
    const res = await httpRequest(`${this.baseUrl}/status`, { timeoutMs: 5000 });
    if (res.status !== 200) throw new NeonLocalError('http', `storage broker: GET /status answered ${res.status}`, { component: 'broker' });
  }
}
