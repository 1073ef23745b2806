// Tenants on the storage controller: placement on a pageserver with a generation, attachment
// through the pageserver's location_config, re-attach after a pageserver restart, generation
// validation, and routing of tenant requests to the pageserver that holds them.

import { formatTenantShardId } from '../../api/ids.ts';
import type { LocationConfigResponse } from '../../api/pageserver.ts';
import type { ReAttachResponse } from '../../api/storage-controller.ts';
import { httpRequest } from '../../clients/http.ts';
import { PageserverClient } from '../../clients/pageserver.ts';
import { failpoint, failpointsActive } from '../common/failpoints.ts';
import { ApiError, conflict, notFound, Reply, unavailable } from '../common/http-server.ts';
import { log } from '../common/logger.ts';
import { pickPageserver } from './core/placement.ts';
import type { StorageControllerService } from './service.ts';
import type { TenantPersistence, TenantShardRecord } from './tenant-persistence.ts';

const DEFAULT_STRIPE_SIZE = 2048;
const RECONCILE_INTERVAL_MS = 1000;

export interface TenantCreateInput {
  tenantId: string;
  generation?: number;
  placementPolicy: unknown;
  config: Record<string, unknown>;
}

interface ShardState {
  record: TenantShardRecord;
  /** The pageserver confirmed the attachment in the current generation. */
  attached: boolean;
}

export class TenantService {
  private readonly shards = new Map<string, ShardState>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly persistence: TenantPersistence,
    private readonly nodes: StorageControllerService,
  ) {}

  async load(): Promise<void> {
    for (const record of await this.persistence.listShards()) this.shards.set(record.tenantId, { record, attached: false });
  }

  /** Background: keep attaching shards whose pageserver has not confirmed them. */
  start(): void {
    this.timer = setInterval(() => void this.reconcileAll(), RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  shard(tenantId: string): ShardState {
    const s = this.shards.get(tenantId);
    if (!s) throw notFound(`Tenant ${tenantId} not found`);
    return s;
  }

  tenantIds(): string[] {
    return [...this.shards.keys()];
  }

  attachedShardCount(nodeId: number): number {
    return [...this.shards.values()].filter((s) => s.record.generationPageserver === nodeId).length;
  }

  private pageserver(nodeId: number): PageserverClient {
    const a = this.nodes.nodeAddress(nodeId);
    if (!a) throw unavailable(`pageserver ${nodeId} is not registered`);
    return new PageserverClient(`http://${a.host}:${a.port}`, nodeId);
  }

  /** The client for the pageserver that holds the tenant (shard 0). */
  pageserverFor(tenantId: string): PageserverClient {
    const node = this.shard(tenantId).record.generationPageserver;
    if (node === null) throw new ApiError(503, `tenant ${tenantId} is not attached to any pageserver`);
    return this.pageserver(node);
  }

  async create(input: TenantCreateInput): Promise<{ shards: { shard_id: string; node_id: number; generation: number }[] }> {
    const existing = this.shards.get(input.tenantId);
    if (!existing) {
      const nodeId = pickPageserver(
        this.nodes.listNodes().map((n) => ({ id: n.id, availability: n.availability, scheduling: n.scheduling, attachedShards: this.attachedShardCount(n.id) })),
      );
      if (nodeId === null) throw conflict('No pageserver is Active and schedulable to place the tenant on');
      const record: TenantShardRecord = {
        tenantId: input.tenantId, shardNumber: 0, shardCount: 0, stripeSize: DEFAULT_STRIPE_SIZE,
        generation: input.generation ?? 1, generationPageserver: nodeId, placementPolicy: input.placementPolicy,
        config: input.config, schedulingPolicy: 'Active', preferredAz: this.nodes.describeNode(nodeId).availability_zone_id,
      };
      await this.persistence.insertShard(record);
      this.shards.set(record.tenantId, { record, attached: false });
      log.info(`tenant ${record.tenantId} placed on pageserver ${nodeId} in generation ${record.generation}`);
    }
    const state = this.shards.get(input.tenantId)!;
    await this.reconcile(state).catch((err) => log.warn(`attaching tenant ${input.tenantId} failed; will retry`, { error: String(err.message) }));
    const r = state.record;
    return { shards: [{ shard_id: formatTenantShardId(r), node_id: r.generationPageserver!, generation: r.generation! }] };
  }

  /**
   * PUT/PATCH /v1/tenant/config: the new overrides are persisted first, then pushed to the
   * pageserver in the same generation (an in-place update there). If the push fails the shard is
   * reconciled again until the pageserver has them.
   */
  async setConfig(tenantId: string, update: (current: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
    const state = this.shard(tenantId);
    const config = update(state.record.config);
    await this.persistence.updateConfig(tenantId, config);
    state.record = { ...state.record, config };
    state.attached = false;
    await this.reconcile(state).catch((err) => log.warn(`pushing the config of tenant ${tenantId} failed; will retry`, { error: String(err.message) }));
  }

  /**
   * POST /debug/v1/attach-hook (a test hook, as Neon's): records that the test attaches the shard
   * to `nodeId` itself — a new generation (or `generationOverride`), placement Attached(0), and no
   * location_config from here (the test calls the pageserver). Without a node: detached, and kept so
   * across restarts. Creates the tenant if it is unknown.
   */
  async attachHook(req: { tenantId: string; nodeId: number | null; generationOverride: number | null; config: Record<string, unknown> | null }): Promise<{ gen: number | null }> {
    if (req.nodeId !== null && !this.nodes.nodeAddress(req.nodeId)) throw new ApiError(400, `node ${req.nodeId} is not registered`);
    if (!this.shards.has(req.tenantId)) {
      const record: TenantShardRecord = {
        tenantId: req.tenantId, shardNumber: 0, shardCount: 0, stripeSize: DEFAULT_STRIPE_SIZE, generation: 0, generationPageserver: null,
        placementPolicy: 'Detached', config: req.config ?? {}, schedulingPolicy: 'Active', preferredAz: null,
      };
      await this.persistence.insertShard(record);
      this.shards.set(req.tenantId, { record, attached: true });
    }
    const state = this.shard(req.tenantId);
    if (req.config) {
      await this.persistence.updateConfig(req.tenantId, req.config);
      state.record = { ...state.record, config: req.config };
    }
    const generation = req.nodeId === null ? null : (req.generationOverride ?? (state.record.generation ?? 0) + 1);
    state.record = await this.persistence.setAttachment(req.tenantId, req.nodeId, generation, req.nodeId === null ? 'Detached' : { Attached: 0 });
    state.attached = true; // the test, not the reconcile loop, talks to the pageserver
    log.info(`attach-hook: tenant ${req.tenantId} ${req.nodeId === null ? 'detached' : `on node ${req.nodeId} in generation ${generation}`}`);
    return { gen: req.nodeId === null ? null : state.record.generation };
  }

  /** POST /debug/v1/inspect: the shard's generation and the node it was issued to. */
  inspect(tenantShardId: string): { attachment: [number, number] | null } {
    const r = this.shards.get(tenantShardId.slice(0, 32))?.record;
    return { attachment: r && r.generation !== null && r.generationPageserver !== null ? [r.generation, r.generationPageserver] : null };
  }

  /** GET /v1/tenant/:id/config: the controller has no global defaults, so both are the overrides. */
  config(tenantId: string): { tenant_specific_overrides: Record<string, unknown>; effective_config: Record<string, unknown> } {
    const config = this.shard(tenantId).record.config;
    return { tenant_specific_overrides: config, effective_config: config };
  }

  /** Makes the pageserver hold the shard in its current generation (location_config AttachedSingle). */
  private async reconcile(state: ShardState): Promise<void> {
    const r = state.record;
    if (state.attached || r.generationPageserver === null) return;
    if (failpointsActive()) await failpoint('storcon-before-reconcile'); // a `return` fails this attempt; the loop retries
    const response = await this.pageserver(r.generationPageserver).put<LocationConfigResponse>(`/v1/tenant/${formatTenantShardId(r)}/location_config`, {
      mode: 'AttachedSingle',
      generation: r.generation,
      secondary_conf: null,
      shard_number: r.shardNumber,
      shard_count: r.shardCount,
      shard_stripe_size: r.stripeSize,
      tenant_conf: r.config,
    });
    state.attached = response.shards.length > 0;
  }

  private async reconcileAll(): Promise<void> {
    for (const state of this.shards.values()) {
      const node = state.record.generationPageserver;
      if (state.attached || node === null || this.nodes.describeNodeOrNull(node)?.availability !== 'Active') continue;
      await this.reconcile(state).catch((err) => log.debug(`reconcile of ${state.record.tenantId} failed`, { error: String(err.message) }));
    }
  }

  /** A restarted pageserver: its shards get the next generation, which it will now serve. */
  async reAttach(nodeId: number): Promise<ReAttachResponse> {
    const updated = await this.persistence.reAttach(nodeId);
    // Not yet confirmed: once the node is Active the reconcile loop sends the full location
    // (tenant_conf included) in the new generation — a pageserver that lost its disk gets its config back.
    for (const record of updated) this.shards.set(record.tenantId, { record, attached: false });
    if (updated.length) log.info(`re-attach of node ${nodeId}: ${updated.length} shard(s) in new generations`);
    return {
      tenants: updated.map((r) => ({ id: formatTenantShardId(r), gen: r.generation, mode: 'AttachedSingle', stripe_size: r.stripeSize })),
    };
  }

  /** Valid only if memory and database both hold exactly this generation (neon validate). */
  async validate(tenants: { id: string; gen: number }[]): Promise<{ tenants: { id: string; valid: boolean }[] }> {
    const out: { id: string; valid: boolean }[] = [];
    for (const t of tenants) {
      const state = this.shards.get(t.id.slice(0, 32));
      if (!state) continue; // unknown shards are left out of the answer
      const inDb = await this.persistence.generationOf(state.record.tenantId, state.record.shardNumber, state.record.shardCount);
      out.push({ id: t.id, valid: state.record.generation === t.gen && inDb === t.gen });
    }
    return { tenants: out };
  }

  locate(tenantId: string): Record<string, unknown> {
    const r = this.shard(tenantId).record;
    if (r.generationPageserver === null) throw new ApiError(400, `Tenant ${tenantId} shard 0 has no attached location`);
    const n = this.nodes.describeNode(r.generationPageserver);
    return {
      shards: [{
        shard_id: formatTenantShardId(r), node_id: n.id, listen_pg_addr: n.listen_pg_addr, listen_pg_port: n.listen_pg_port,
        listen_grpc_addr: n.listen_grpc_addr, listen_grpc_port: n.listen_grpc_port, listen_http_addr: n.listen_http_addr,
        listen_http_port: n.listen_http_port, listen_https_port: n.listen_https_port,
      }],
      shard_params: { count: r.shardCount, stripe_size: r.stripeSize },
    };
  }

  describe(tenantId: string): Record<string, unknown> {
    const { record: r, attached } = this.shard(tenantId);
    return {
      tenant_id: tenantId,
      shards: [{
        tenant_shard_id: formatTenantShardId(r), node_attached: r.generationPageserver, node_secondary: [], last_error: '',
        is_reconciling: !attached, is_pending_compute_notification: false, is_splitting: false, is_importing: false,
        scheduling_policy: r.schedulingPolicy, preferred_az_id: r.preferredAz,
      }],
      stripe_size: r.stripeSize,
      policy: r.placementPolicy,
      config: r.config,
    };
  }

  /** GET /v1/tenant/:id[/...] answered by the pageserver holding shard 0, verbatim. */
  async passthrough(tenantId: string, rest: string): Promise<Reply> {
    const r = this.shard(tenantId).record;
    const a = r.generationPageserver === null ? undefined : this.nodes.nodeAddress(r.generationPageserver);
    if (!a) throw unavailable(`tenant ${tenantId} is not attached to a known pageserver`);
    let res;
    try {
      res = await httpRequest(`http://${a.host}:${a.port}/v1/tenant/${formatTenantShardId(r)}${rest}`, { timeoutMs: 30_000 });
    } catch (err) {
      throw unavailable(`pageserver ${r.generationPageserver}: ${(err as Error).message}`);
    }
    // A tenant the pageserver does not (yet) know is a transient state for the controller: retry.
    if (res.status === 404 && /tenant/i.test(res.body) && !/timeline/i.test(res.body)) return new Reply(503, JSON.parse(res.body));
    return new Reply(res.status, res.body === '' ? null : JSON.parse(res.body));
  }
}
