// The compute's HTTP API: compute_ctl's routes neon_local uses (GET /status, POST /configure,
// POST /terminate) and a JSON SQL endpoint for load generators that reports each commit's LSN.

import { formatLsn } from '../../wal/lsn.ts';
import { ApiServer, badRequest, Reply } from '../common/http-server.ts';
import type { Engine } from './engine/engine.ts';
import { Session, type SessionSettings } from './exec/session.ts';
import { PgError, toPgError } from './pg-wire/index.ts';
import { parseSpec, type ComputeSpec } from './spec.ts';

export interface ComputeHttpHooks {
  startedAt: string;
  spec(): ComputeSpec;
  applySpec(spec: ComputeSpec): void;
  terminate(mode: 'fast' | 'immediate'): Promise<string | null>;
}

export function computeRoutes(server: ApiServer, engine: Engine, settings: SessionSettings, hooks: ComputeHttpHooks): void {
  const status = () => {
    const spec = hooks.spec();
    return {
      start_time: hooks.startedAt,
      tenant: spec.tenantId,
      timeline: spec.timelineId,
      status: ({ starting: 'init', stopping: 'termination_pending_fast', failed: 'failed', running: 'running', recovering: 'running' } as const)[engine.state],
      last_active: null,
      error: engine.lastError,
      // neon-local additions: where the write path stands.
      ready: engine.state === 'running',
      insert_lsn: formatLsn(engine.insertLsn()),
      flush_lsn: formatLsn(engine.flushLsn()),
      walproposer: engine.walStatus(),
    };
  };
  server.get('/status', status);
  server.post('/configure', (ctx) => {
    let spec: ComputeSpec;
    try {
      spec = parseSpec(ctx.json());
    } catch (err) {
      throw badRequest(`invalid spec: ${(err as Error).message}`);
    }
    hooks.applySpec(spec);
    return status();
  });
  server.post('/terminate', async (ctx) => {
    const mode = ctx.query.get('mode') === 'immediate' ? 'immediate' : 'fast';
    return { lsn: await hooks.terminate(mode) };
  });
  // One statement, autocommitted: {"query": "...", "params": [...]} → rows and the commit LSN.
  // An error says whether the statement could have committed, for clients that keep a history:
  // "committed": false when nothing reached the walproposer, null when the outcome is unknown.
  server.post('/v1/sql', async (ctx) => {
    let body: { query?: unknown; params?: unknown };
    try {
      body = ctx.json() as typeof body;
    } catch (err) {
      return new Reply(400, { msg: (err as Error).message, committed: false });
    }
    if (typeof body?.query !== 'string') return new Reply(400, { msg: 'expected {"query": "<one SQL statement>", "params": [...]}', committed: false });
    const params = Array.isArray(body.params) ? body.params.map((p) => (p === null ? null : String(p))) : [];
    const session = new Session(engine, settings);
    try {
      const result = await session.execute(body.query, params);
      return { ...result, commit_lsn: session.lastCommitLsn === null ? null : formatLsn(session.lastCommitLsn) };
    } catch (err) {
      const e = toPgError(err);
      const committed = session.commitHandedOff ? null : false;
      const status = committed === null || e.sqlstate === '08006' ? 503 : 400;
      return new Reply(status, { msg: e.message, sqlstate: e.sqlstate, ...(e instanceof PgError && e.options?.hint ? { hint: e.options.hint } : {}), committed });
    } finally {
      session.close();
    }
  });
}
