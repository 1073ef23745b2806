// One HTTP call for API tests: status and parsed JSON body (null when empty), never a throw on a
// non-2xx answer — the status is what those tests check.

import { httpRequest } from '../../cluster/clients/http.ts';

export async function callJson(url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: any }> {
  const res = await httpRequest(url, { method, ...(body === undefined ? {} : { body }) });
  return { status: res.status, body: res.body ? JSON.parse(res.body) : null };
}
