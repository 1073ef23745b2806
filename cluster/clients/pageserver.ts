// Typed client for a pageserver's management API.

import type { LocationConfigListing, PageserverStatus, PageserverUtilization } from '../api/pageserver.ts';
import { JsonClient } from './http.ts';

export class PageserverClient extends JsonClient {
  constructor(baseUrl: string, readonly id: number) {
    super(baseUrl, `pageserver ${id}`);
  }

  status(): Promise<PageserverStatus> { return this.get('/v1/status'); }
  utilization(): Promise<PageserverUtilization> { return this.get('/v1/utilization'); }
  tenants(): Promise<unknown[]> { return this.get('/v1/tenant'); }
  locationConfigs(): Promise<LocationConfigListing> { return this.get('/v1/location_config'); }
}
