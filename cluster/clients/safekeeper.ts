// Typed client for a safekeeper's HTTP API.

import type { SafekeeperStatus, SafekeeperUtilization } from '../api/safekeeper.ts';
import { JsonClient } from './http.ts';

export class SafekeeperClient extends JsonClient {
  constructor(baseUrl: string, readonly id: number) {
    super(baseUrl, `safekeeper ${id}`);
  }

  status(): Promise<SafekeeperStatus> { return this.get('/v1/status'); }
  utilization(): Promise<SafekeeperUtilization> { return this.get('/v1/utilization'); }
}
