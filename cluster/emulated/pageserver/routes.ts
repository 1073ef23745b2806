// The pageserver's management API (neon pageserver/src/http/routes.rs) for what is built so far.

import { isHexId, parseTenantShardId } from '../../api/ids.ts';
import { decodeTenantConfigPatch, decodeTenantConfigRequest, effectiveTenantConfig, patchTenantConfig } from '../../api/tenant-config.ts';
import { doGcRequest, locationConfigRequest, timelineCreateRequest } from '../../api/pageserver.ts';
import { failpointRoutes, handlerFailpoint } from '../common/failpoint-http.ts';
import { failpointsActive } from '../common/failpoints.ts';
import { ApiServer, badRequest, Reply, type RequestContext } from '../common/http-server.ts';
import type { TenantManager } from './tenants/tenant-manager.ts';
import type { Tenant } from './tenants/tenant.ts';
import { utilization } from './utilization.ts';
import { lsnByTimestamp, lsnByTimestampQuery } from './lsn-by-timestamp.ts';
import { pageserverTenantDefaults } from './tenants/tenant-defaults.ts';
import { processMetrics } from '../common/process-metrics.ts';
import { renderMetrics, scrapeGauges } from './metrics.ts';
import { secondaryRoutes } from './secondary/secondary-routes.ts';

function tsidParam(ctx: RequestContext): string {
  const tsid = ctx.params['tenant_shard_id'] ?? '';
  if (!parseTenantShardId(tsid)) throw badRequest(`failed to parse tenant_shard_id`);
  return tsid;
}

function timelineParam(ctx: RequestContext): string {
  const id = ctx.params['timeline_id'] ?? '';
  if (!isHexId(id)) throw badRequest('failed to parse timeline_id');
  return id;
}

export function pageserverRoutes(server: ApiServer, nodeId: number, tenantsDir: string, tenants: () => TenantManager): void {
  const tenant = (ctx: RequestContext): Tenant => tenants().get(tsidParam(ctx));
  // Timeline routes need an Active tenant: they wait a while for one that is attaching, and get
  // Neon's error for a Broken (500) or stopping (503) one.
  const activeTenant = (ctx: RequestContext): Promise<Tenant> => tenants().waitActive(tsidParam(ctx));

  // As neon's api_handler: every route but the failpoints one can be made to fail.
  server.before(async (ctx) => {
    if (!failpointsActive() || ctx.path.replace(/\/$/, '') === '/v1/failpoints') return;
    await handlerFailpoint('api-503', 503);
    await handlerFailpoint('api-500', 500);
  });
  failpointRoutes(server);

  server.get('/v1/status', () => ({ id: nodeId }));
  server.get('/v1/utilization', async () => {
    await handlerFailpoint('get-utilization-http-handler', 503); // neon answers ResourceUnavailable here
    const list = tenants().list();
    const wanted = list.reduce((sum, t) => sum + (t.info().current_physical_size ?? 0), 0);
    return utilization(tenantsDir, list.length, wanted);
  });
  server.get('/metrics', () => {
    const lines = [...processMetrics(), '# TYPE pageserver_tenant_count gauge', `pageserver_tenant_count ${tenants().list().length}`];
    for (const t of tenants().list()) {
      for (const tl of t.timelines.values()) {
        const labels = `tenant_id="${t.id}",timeline_id="${tl.id}"`;
        lines.push(`pageserver_last_record_lsn{${labels}} ${tl.lastRecordLsn}`, `pageserver_in_memory_layer_bytes{${labels}} ${tl.store.inMemoryBytes()}`);
      }
    }
    lines.push(...scrapeGauges(tenants()), ...renderMetrics());
    return new Reply(200, lines.join('\n') + '\n', 'text/plain; version=0.0.4');
  });

  // As Neon's list: every attached tenant whatever its state, without the (costly there) size.
  server.get('/v1/tenant', () => tenants().list().map((t) => ({ ...t.info(), current_physical_size: null })));
  server.get('/v1/tenant/:tenant_shard_id', (ctx) => {
    const t = tenant(ctx);
    return { ...t.info(), walredo: null, timelines: [...t.timelines.keys()] };
  });
  // Neon's testing route (fixtures' deletion_queue_flush): our queue validates and executes in one
  // pass, so `execute` makes no difference; it returns once the queued deletions have run.
  server.put('/v1/deletion_queue/flush', async () => {
    await tenants().flushDeletions();
    return null;
  });
  server.get('/v1/location_config', () => ({ tenant_shards: tenants().locations() }));
  server.get('/v1/location_config/:tenant_shard_id', (ctx) => tenants().location(tsidParam(ctx)));
  server.put('/v1/tenant/:tenant_shard_id/location_config', async (ctx) => {
    const tsid = tsidParam(ctx);
    const conf = ctx.decode(locationConfigRequest);
    await handlerFailpoint('put-location-conf-handler', 503); // neon answers ResourceUnavailable here
    const response = await tenants().setLocation(tsid, conf);
    // ?flush_ms: a migration's origin (AttachedStale) flushes and uploads what it has, so the
    // destination starts from a recent index; bounded, and a slow flush is not an error.
    const flushMs = Number(ctx.query.get('flush_ms') ?? 0);
    if (flushMs > 0 && response !== null && conf.mode !== 'Secondary') {
      await tenants().get(tsid).flushAndUpload(flushMs);
      // Neon's flush also uploads the heatmap, so a secondary can warm up from the latest layers.
      await tenants().get(tsid).heatmap?.upload(true).catch(() => {});
    }
    return response;
  });
  server.get('/v1/tenant/:tenant_shard_id/config', (ctx) => {
    const conf = tenant(ctx).location.tenant_conf ?? {};
    // effective_config: the tenant's overrides over this pageserver's [tenant_config] over Neon's defaults.
    return { tenant_specific_overrides: conf, effective_config: effectiveTenantConfig(conf, pageserverTenantDefaults()) };
  });
  // Replace (PUT) or patch (PATCH) an attached tenant's overrides; persisted with its location.
  server.put('/v1/tenant/config', async (ctx) => {
    const req = ctx.decodeWith(decodeTenantConfigRequest);
    await tenants().setConfig(req.tenantId, () => req.config);
    return null;
  });
  server.patch('/v1/tenant/config', async (ctx) => {
    const patch = ctx.decodeWith(decodeTenantConfigPatch);
    await tenants().setConfig(patch.tenantId, (current) => patchTenantConfig(current, patch));
    return null;
  });

  server.get('/v1/tenant/:tenant_shard_id/timeline', async (ctx) => [...(await activeTenant(ctx)).timelines.values()].map((t) => t.info()));
  server.post('/v1/tenant/:tenant_shard_id/timeline', async (ctx) => {
    const t = await activeTenant(ctx);
    const req = ctx.decode(timelineCreateRequest);
    const { info } = await t.createTimeline(req, (timelineId) => tenants().knownCommitLsn(t.tenantId, timelineId));
    return new Reply(201, info);
  });
  server.get('/v1/tenant/:tenant_shard_id/timeline/:timeline_id', async (ctx) => (await activeTenant(ctx)).timeline(timelineParam(ctx)).info());
  // The LSN of the commits before a time, from the commit times stored in the timeline.
  server.get('/v1/tenant/:tenant_shard_id/timeline/:timeline_id/get_lsn_by_timestamp', async (ctx) => {
    const tsid = tsidParam(ctx);
    const timelineId = timelineParam(ctx);
    const query = lsnByTimestampQuery(tsid, ctx.query);
    return lsnByTimestamp((await activeTenant(ctx)).timeline(timelineId), query);
  });
  // One GC pass now (neon's do_gc; tests pass gc_horizon 0 with pitr_interval 0s to collect everything).
  server.put('/v1/tenant/:tenant_shard_id/timeline/:timeline_id/do_gc', async (ctx) => {
    const body = ctx.hasBody ? ctx.decode(doGcRequest) : { gc_horizon: null };
    return (await activeTenant(ctx)).gcTimeline(timelineParam(ctx), body.gc_horizon ?? null);
  });
  // Flushes what is in memory to disk (the testing route neon's tests use to force a layer flush).
  // ?wait_until_uploaded=true: and until remote storage holds it (remote_consistent_lsn caught up).
  server.put('/v1/tenant/:tenant_shard_id/timeline/:timeline_id/checkpoint', async (ctx) => {
    const timeline = (await activeTenant(ctx)).timeline(timelineParam(ctx));
    await timeline.checkpointOrThrow();
    if (ctx.query.get('wait_until_uploaded') === 'true') {
      if (!timeline.remote) throw badRequest('wait_until_uploaded: this pageserver has no remote_storage configured');
      await timeline.remote.waitUploaded();
    }
    return null;
  });
  secondaryRoutes(server, tenants, tsidParam);
}
