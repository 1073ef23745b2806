// The safekeeper's HTTP API (neon safekeeper/src/http/routes.rs) for what is built so far.

import { isHexId } from '../../api/ids.ts';
import { timelineCreateRequest } from '../../api/safekeeper.ts';
import { SEGMENT_SIZE } from '../../wal/format.ts';
import { failpointRoutes } from '../common/failpoint-http.ts';
import { ApiServer, badRequest, notFound, Reply, type RequestContext } from '../common/http-server.ts';
import type { TimelineRegistry } from './timelines.ts';
import { processMetrics } from '../common/process-metrics.ts';

function ids(ctx: RequestContext): { tenantId: string; timelineId: string } {
  const tenantId = ctx.params['tenant_id'] ?? '';
  const timelineId = ctx.params['timeline_id'] ?? '';
  if (!isHexId(tenantId)) throw badRequest(`failed to parse tenant_id`);
  if (timelineId !== '' && !isHexId(timelineId)) throw badRequest(`failed to parse timeline_id`);
  return { tenantId, timelineId };
}

export function safekeeperRoutes(server: ApiServer, nodeId: number, registry: TimelineRegistry, onChange: () => void): void {
  server.get('/v1/status', () => ({ id: nodeId }));
  failpointRoutes(server);
  server.get('/v1/utilization', () => ({ timeline_count: registry.list().length }));
  server.get('/metrics', () => {
    const lines = [...processMetrics(), '# TYPE safekeeper_timelines gauge', `safekeeper_timelines ${registry.list().length}`];
    for (const t of registry.list()) {
      const labels = `tenant_id="${t.tenantId}",timeline_id="${t.timelineId}"`;
      lines.push(`safekeeper_flush_lsn{${labels}} ${t.acceptor.flushLsn()}`, `safekeeper_commit_lsn{${labels}} ${t.acceptor.currentCommitLsn()}`);
    }
    return new Reply(200, lines.join('\n') + '\n', 'text/plain; version=0.0.4');
  });

  server.post('/v1/tenant/timeline', async (ctx) => {
    const req = ctx.decode(timelineCreateRequest);
    if (req.wal_seg_size !== null && req.wal_seg_size !== SEGMENT_SIZE) throw badRequest(`wal_seg_size ${req.wal_seg_size} is not supported; neon-local uses ${SEGMENT_SIZE}-byte segments`);
    if (!req.mconf.members.some((m) => m.id === nodeId) && !(req.mconf.new_members ?? []).some((m) => m.id === nodeId) && req.mconf.generation !== 0) {
      throw badRequest(`safekeeper ${nodeId} is not a member of the given configuration`);
    }
    await registry.create(req);
    onChange();
    return null;
  });
  server.get('/v1/tenant/timeline', () => registry.list().map((t) => ({ tenant_id: t.tenantId, timeline_id: t.timelineId })));
  server.get('/v1/tenant/:tenant_id/timeline/:timeline_id', (ctx) => {
    const { tenantId, timelineId } = ids(ctx);
    const timeline = registry.get(tenantId, timelineId);
    if (!timeline) throw notFound(`timeline ${tenantId}/${timelineId} ${registry.isDeleted(tenantId, timelineId) ? 'deleted' : 'not found'}`);
    return timeline.status();
  });
  server.delete('/v1/tenant/:tenant_id/timeline/:timeline_id', async (ctx) => {
    const { tenantId, timelineId } = ids(ctx);
    return { dir_existed: await registry.delete(tenantId, timelineId) };
  });
  server.delete('/v1/tenant/:tenant_id', async (ctx) => {
    const { tenantId } = ids(ctx);
    const result: Record<string, { dir_existed: boolean }> = {};
    for (const t of registry.list().filter((t) => t.tenantId === tenantId)) {
      result[t.timelineId] = { dir_existed: await registry.delete(tenantId, t.timelineId) };
    }
    return result;
  });
}
