// The storage controller's HTTP routes (neon storage_controller/src/http.rs), for the parts built so far.

import { isHexId, parseTenantShardId } from '../../api/ids.ts';
import { timelineCreateRequest } from '../../api/pageserver.ts';
import {
  nodeConfigureRequest, nodeRegisterRequest, reAttachRequest, safekeeperSchedulingPolicyRequest,
  safekeeperUpsertRequest, validateRequest,
} from '../../api/storage-controller.ts';
import { decodeTenantConfigPatch, decodeTenantConfigRequest, decodeWithTenantConfig, patchTenantConfig, tenantConfigDecoder } from '../../api/tenant-config.ts';
import { bool, literal, nullable, parsed, optional, struct, u32, u64, u8, unknownValue, withDefault, type PathSegment } from '../../util/decode.ts';
import { parseDuration } from '../../util/duration.ts';
import { DecodeError } from '../../util/decode.ts';
import { failpointRoutes } from '../common/failpoint-http.ts';
import { ApiServer, badRequest, parseNodeIdParam, Reply, unavailable, type RequestContext } from '../common/http-server.ts';
import type { StorageControllerService } from './service.ts';
import { SHARD_SCHEDULING_POLICIES, type TenantService } from './tenant-service.ts';
import type { TimelineService } from './timeline-service.ts';

export interface ControllerState {
  /** Set once the database is loaded and the startup heartbeat round is done. */
  service: StorageControllerService | null;
  tenants: TenantService | null;
  timelines: TimelineService | null;
  ready: boolean;
}

const TENANT_CREATE_FIELDS = ['new_tenant_id', 'generation', 'shard_parameters', 'placement_policy'] as const;
const tenantCreateOwn = struct({
  new_tenant_id: (v, p) => {
    if (typeof v !== 'string' || !isHexId(v)) throw new DecodeError(p, `invalid value: ${JSON.stringify(v)}, expected an unsharded tenant id (32 lowercase hex digits)`);
    return v;
  },
  generation: optional(u32),
  shard_parameters: withDefault(nullable(struct({ count: u8, stripe_size: withDefault(u32, 2048) })), null),
  placement_policy: optional(unknownValue),
});

const tenantShardIdField = (v: unknown, p: PathSegment[]) => {
  if (typeof v !== 'string' || !parseTenantShardId(v)) throw new DecodeError(p, `invalid value: ${JSON.stringify(v)}, expected a tenant shard id`);
  return v;
};
/** Neon's AttachHookRequest (debug routes, for tests that attach tenants to pageservers themselves). */
const attachHookRequest = struct({
  tenant_shard_id: tenantShardIdField,
  node_id: withDefault(nullable(u64), null),
  generation_override: withDefault(nullable(u32), null),
  config: withDefault(nullable(tenantConfigDecoder), null),
});
const inspectRequest = struct({ tenant_shard_id: tenantShardIdField });
const durationField = parsed('a duration like "30s"', parseDuration);
/** Neon's TenantShardMigrateRequest. */
const migrateRequest = struct({
  node_id: u64,
  origin_node_id: withDefault(nullable(u64), null),
  migration_config: withDefault(nullable(struct({
    override_scheduler: withDefault(bool, false),
    prewarm: withDefault(bool, true),
    secondary_warmup_timeout: withDefault(nullable(durationField), null),
    secondary_download_request_timeout: withDefault(nullable(durationField), null),
  })), null),
});
const DEFAULT_SECONDARY_WARMUP_TIMEOUT_MS = 60_000;
/** Neon's TenantPolicyRequest; neon-local places tenants Detached or Attached(0) only. */
const tenantPolicyRequest = struct({
  placement: withDefault(nullable(unknownValue), null),
  scheduling: withDefault(nullable(literal(...SHARD_SCHEDULING_POLICIES)), null),
});
function placementOf(value: unknown): 'Detached' | { Attached: number } {
  if (value === 'Detached') return 'Detached';
  if (value && typeof value === 'object' && (value as { Attached?: unknown }).Attached === 0 && Object.keys(value).length === 1) return { Attached: 0 };
  throw badRequest(`placement ${JSON.stringify(value)}: neon-local supports "Detached" and {"Attached":0} (no secondaries kept by policy yet)`);
}

function tenantIdParam(ctx: RequestContext): string {
  const id = ctx.params['tenant_id'] ?? '';
  if (!isHexId(id)) throw badRequest('failed to parse tenant_id');
  return id;
}

/** A usize query parameter, refused with the text of Neon's parse_query_param and Rust's FromStr. */
function usizeQueryParam(ctx: RequestContext, name: string): number | null {
  const raw = ctx.query.get(name);
  if (raw === null) return null;
  const why = raw === '' ? 'cannot parse integer from empty string' : !/^\+?\d+$/.test(raw) ? 'invalid digit found in string' : !Number.isSafeInteger(Number(raw)) ? 'number too large to fit in target type' : null;
  if (why) throw badRequest(`cannot parse query param ${name}: ${why}`);
  return Number(raw);
}

function timelineIdParam(ctx: RequestContext): string {
  const id = ctx.params['timeline_id'] ?? '';
  if (!isHexId(id)) throw badRequest('failed to parse timeline_id');
  return id;
}

export function storageControllerRoutes(server: ApiServer, state: ControllerState): void {
  const ready = () => {
    if (!state.service || !state.tenants || !state.timelines || !state.ready) throw unavailable('storage controller is starting up');
    return { svc: state.service, tenants: state.tenants, timelines: state.timelines };
  };
  const svc = () => ready().svc;

  server.get('/status', () => null);
  server.get('/ready', () => (state.ready ? null : new Reply(503, null)));
  server.get('/live', () => (state.ready ? null : new Reply(503, null)));
  server.get('/metrics', () => new Reply(200, metrics(state), 'text/plain; version=0.0.4'));
  failpointRoutes(server, '/debug/v1/failpoints'); // served while starting up too, as FAILPOINTS may need adjusting

  server.post('/upcall/v1/re-attach', async (ctx) => {
    const req = ctx.decode(reAttachRequest);
    const { svc, tenants } = ready();
    await svc.reAttachRegister(req);
    const answer = await tenants.reAttach(req.node_id);
    await svc.reAttachDone(req.node_id);
    return answer;
  });
  server.post('/upcall/v1/validate', (ctx) => ready().tenants.validate(ctx.decode(validateRequest).tenants));

  server.post('/control/v1/node', async (ctx) => {
    await svc().registerNode(ctx.decode(nodeRegisterRequest));
    return null;
  });
  server.get('/control/v1/node', () => svc().listNodes());
  server.get('/control/v1/node/:node_id', (ctx) => svc().describeNode(parseNodeIdParam(ctx.params['node_id'])));
  server.put('/control/v1/node/:node_id/config', async (ctx) => {
    await svc().configureNode(parseNodeIdParam(ctx.params['node_id']), ctx.decode(nodeConfigureRequest));
    return null;
  });

  server.get('/control/v1/safekeeper', () => svc().listSafekeepers());
  server.get('/control/v1/safekeeper/:id', (ctx) => svc().getSafekeeper(parseNodeIdParam(ctx.params['id'], 'id')));
  server.post('/control/v1/safekeeper/:id', async (ctx) => {
    const body = ctx.decode(safekeeperUpsertRequest);
    await svc().upsertSafekeeper(parseNodeIdParam(ctx.params['id'], 'id'), body);
    return new Reply(204, '', 'text/plain');
  });
  server.post('/control/v1/safekeeper/:id/scheduling_policy', async (ctx) => {
    const body = ctx.decode(safekeeperSchedulingPolicyRequest);
    await svc().setSafekeeperScheduling(parseNodeIdParam(ctx.params['id'], 'id'), body.scheduling_policy);
    return null;
  });

  server.post('/v1/tenant', async (ctx) => {
    const { own, config } = ctx.decodeWith((body) => decodeWithTenantConfig(body, TENANT_CREATE_FIELDS, tenantCreateOwn));
    if (own.shard_parameters && own.shard_parameters.count > 1) {
      throw badRequest(`shard_parameters.count ${own.shard_parameters.count}: neon-local does not shard tenants yet; use 0 (unsharded)`);
    }
    const created = await ready().tenants.create({
      tenantId: own.new_tenant_id,
      ...(own.generation !== undefined ? { generation: own.generation } : {}),
      placementPolicy: own.placement_policy ?? { Attached: 0 },
      config,
    });
    return new Reply(201, created);
  });
  server.put('/v1/tenant/config', async (ctx) => {
    const req = ctx.decodeWith(decodeTenantConfigRequest);
    await ready().tenants.setConfig(req.tenantId, () => req.config);
    return null;
  });
  server.patch('/v1/tenant/config', async (ctx) => {
    const patch = ctx.decodeWith(decodeTenantConfigPatch);
    await ready().tenants.setConfig(patch.tenantId, (current) => patchTenantConfig(current, patch));
    return null;
  });
  server.get('/v1/tenant/:tenant_id/config', (ctx) => ready().tenants.config(tenantIdParam(ctx)));
  server.post('/debug/v1/attach-hook', async (ctx) => {
    const req = ctx.decode(attachHookRequest);
    return ready().tenants.attachHook({ tenantId: req.tenant_shard_id.slice(0, 32), nodeId: req.node_id, generationOverride: req.generation_override, config: req.config });
  });
  server.put('/control/v1/tenant/:tenant_shard_id/migrate', (ctx) => {
    const tsid = ctx.params['tenant_shard_id'] ?? '';
    if (!parseTenantShardId(tsid)) throw badRequest('failed to parse tenant_shard_id');
    const req = ctx.decode(migrateRequest);
    const config = req.migration_config;
    return ready().tenants.migrate(tsid, {
      nodeId: req.node_id,
      originNodeId: req.origin_node_id,
      overrideScheduler: config?.override_scheduler ?? false,
      // Neon's MigrationConfig defaults: warm a secondary on the destination first.
      prewarm: config?.prewarm ?? true,
      secondaryWarmupTimeoutMs: config?.secondary_warmup_timeout ?? DEFAULT_SECONDARY_WARMUP_TIMEOUT_MS,
    });
  });
  server.put('/control/v1/tenant/:tenant_id/policy', async (ctx) => {
    const tenantId = tenantIdParam(ctx);
    const req = ctx.decode(tenantPolicyRequest);
    const placement = req.placement === null ? null : placementOf(req.placement);
    ready().tenants.shard(tenantId); // 404 before anything changes
    // As Neon's: a detach takes effect, so it turns scheduling on unless the request sets it.
    const scheduling = req.scheduling ?? (placement === 'Detached' ? 'Active' : null);
    if (scheduling !== null) await ready().tenants.setSchedulingPolicy(tenantId, scheduling);
    if (placement !== null) await ready().tenants.setPlacement(tenantId, placement);
    return null;
  });
  server.post('/debug/v1/inspect', (ctx) => ready().tenants.inspect(ctx.decode(inspectRequest).tenant_shard_id));
  server.get('/debug/v1/tenant/:tenant_id/locate', (ctx) => ready().tenants.locate(tenantIdParam(ctx)));
  // ?limit=&start_after= as Neon's tenant_list: in tenant id order, those after start_after, at
  // most limit of them (Neon checks the limit after adding a tenant, so limit=0 still gives one).
  server.get('/control/v1/tenant', (ctx) => {
    const limit = usizeQueryParam(ctx, 'limit');
    const startAfter = ctx.query.get('start_after');
    if (startAfter !== null && !isHexId(startAfter)) throw badRequest('cannot parse query param start_after: expected a 32-digit hex tenant id');
    const { tenants } = ready();
    const ids = tenants.tenantIds().sort().filter((id) => startAfter === null || id > startAfter);
    return (limit === null ? ids : ids.slice(0, Math.max(1, limit))).map((id) => tenants.describe(id));
  });
  server.get('/control/v1/tenant/:tenant_id', (ctx) => ready().tenants.describe(tenantIdParam(ctx)));

  server.post('/v1/tenant/:tenant_id/timeline', (ctx) => {
    const req = ctx.decode(timelineCreateRequest);
    return ready().timelines.create(tenantIdParam(ctx), req, req.pg_version);
  });
  server.get('/debug/v1/tenant/:tenant_id/timeline/:timeline_id/locate', (ctx) => ready().timelines.locate(tenantIdParam(ctx), timelineIdParam(ctx)));

  // Anything else under a tenant is answered by the pageserver that holds it.
  server.get('/v1/tenant/:tenant_id', (ctx) => ready().tenants.passthrough(tenantIdParam(ctx), ''));
  server.get('/v1/tenant/:tenant_id/*', (ctx) => ready().tenants.passthrough(tenantIdParam(ctx), ctx.path.slice(`/v1/tenant/${ctx.params['tenant_id']}`.length) + (ctx.query.size ? `?${ctx.query}` : '')));
}

function metrics(state: ControllerState): string {
  const nodes = state.service?.listNodes() ?? [];
  const lines = [
    '# TYPE storage_controller_pageserver_nodes gauge',
    `storage_controller_pageserver_nodes ${nodes.length}`,
    '# TYPE storage_controller_pageserver_nodes_active gauge',
    `storage_controller_pageserver_nodes_active ${nodes.filter((n) => n.availability === 'Active').length}`,
    '# TYPE storage_controller_safekeeper_nodes gauge',
    `storage_controller_safekeeper_nodes ${state.service?.listSafekeepers().length ?? 0}`,
    '# TYPE storage_controller_tenant_shards gauge',
    `storage_controller_tenant_shards ${state.tenants?.tenantIds().length ?? 0}`,
    '# TYPE storage_controller_ready gauge',
    `storage_controller_ready ${state.ready ? 1 : 0}`,
  ];
  return lines.join('\n') + '\n';
}
