// Typed client for a compute endpoint's HTTP API (compute_ctl's routes, plus neon-local's /v1/sql).

import type { FailpointConfig, FailpointStatus } from '../api/failpoints.ts';
import { JsonClient } from './http.ts';

export interface ComputeStatus {
  status: 'init' | 'running' | 'failed' | string;
  tenant: string;
  timeline: string;
  error: string | null;
  /** neon-local additions. */
  insert_lsn?: string;
  flush_lsn?: string;
}

export interface SqlResult {
  /** The command tag, e.g. "INSERT 0 1", "SELECT 3". */
  command: string;
  /** Present when the statement returns rows. */
  columns?: { name: string; typeOid: number }[];
  rows?: (string | null)[][];
  /** LSN of the commit this statement made, once a safekeeper majority flushed it. */
  commit_lsn: string | null;
}

export class ComputeClient extends JsonClient {
  constructor(baseUrl: string) {
    super(baseUrl, 'compute');
  }

  status(): Promise<ComputeStatus> { return this.get('/status'); }
  configure(body: unknown): Promise<ComputeStatus> { return this.post('/configure', body); }
  terminate(mode: 'fast' | 'immediate'): Promise<{ lsn: string | null }> { return this.post(`/terminate?mode=${mode}`); }
  sql(query: string, params: unknown[] = []): Promise<SqlResult> { return this.post('/v1/sql', { query, params }); }

  /** PUT /v1/failpoints (neon's failpoints API): [{name, actions}] in the `fail` crate's syntax. */
  failpoints(list: FailpointConfig[]): Promise<null> { return this.put('/v1/failpoints', list); }
  setFailpoint(name: string, actions: string): Promise<null> { return this.failpoints([{ name, actions }]); }
  /** GET /v1/failpoints (neon-local's): what is set, and how often each was hit. */
  listFailpoints(): Promise<FailpointStatus[]> { return this.get('/v1/failpoints'); }
}
