// The pageserver's heatmap and secondary routes (neon-reference §2.1, pageserver/src/http/routes.rs):
//   POST /v1/tenant/:tsid/heatmap_upload        200 null; 404 unless attached here; 503 while not Active
//   POST /v1/tenant/:tsid/secondary/download    ?wait_ms=: 200 complete, 202 still running; 404 unless a secondary
//   GET  /v1/tenant/:tsid/secondary/status      SecondaryProgress; 404 unless a secondary

import { ApiError, badRequest, Reply, unavailable, type ApiServer, type RequestContext } from '../../common/http-server.ts';
import type { TenantManager } from '../tenants/tenant-manager.ts';

/** Rust's u64 FromStr, whose error text Neon's parse_query_param passes on. */
function parseU64Param(ctx: RequestContext, name: string): number | null {
  const raw = ctx.query.get(name);
  if (raw === null) return null;
  const why = raw === '' ? 'cannot parse integer from empty string' : !/^\+?\d+$/.test(raw) ? 'invalid digit found in string' : !Number.isSafeInteger(Number(raw)) ? 'number too large to fit in target type' : null;
  if (why) throw badRequest(`cannot parse query param ${name}: ${why}`);
  return Number(raw);
}

export function secondaryRoutes(server: ApiServer, tenants: () => TenantManager, tsidParam: (ctx: RequestContext) => string): void {
  server.post('/v1/tenant/:tenant_shard_id/heatmap_upload', async (ctx) => {
    const tsid = tsidParam(ctx);
    const tenant = tenants().get(tsid);
    if (!tenant.isActive) throw unavailable('Tenant not yet active');
    if (!tenant.heatmap) throw badRequest('heatmap_upload: this pageserver has no remote_storage configured');
    try {
      await tenant.heatmap.upload(true);
    } catch (err) {
      throw new ApiError(500, `heatmap upload failed: ${(err as Error).message}`);
    }
    return null;
  });

  server.post('/v1/tenant/:tenant_shard_id/secondary/download', async (ctx) => {
    const tsid = tsidParam(ctx);
    const waitMs = parseU64Param(ctx, 'wait_ms');
    const secondary = tenants().secondary(tsid);
    const pass = secondary.download();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = waitMs === null ? new Promise<never>(() => {}) : new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), waitMs)));
    const outcome = await Promise.race([pass, timedOut]).finally(() => clearTimeout(timer));
    const progress = { ...secondary.progress };
    // As Neon: done only when the pass completed and holds everything; a timeout is not an error.
    return new Reply(outcome === true && progress.layers_downloaded >= progress.layers_total ? 200 : 202, progress);
  });

  server.get('/v1/tenant/:tenant_shard_id/secondary/status', (ctx) => tenants().secondary(tsidParam(ctx)).progress);
}
