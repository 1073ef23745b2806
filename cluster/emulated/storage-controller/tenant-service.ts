// Tenants on the storage controller: placement on a pageserver with a generation, attachment
// through the pageserver's location_config, re-attach after a pageserver restart, generation
// validation, and routing of tenant requests to the pageserver that holds them.

import { formatTenantShardId } from '../../api/ids.ts';
import type { ReAttachResponse } from '../../api/storage-controller.ts';
import { httpRequest } from '../../clients/http.ts';
import { PageserverClient } from '../../clients/pageserver.ts';
import { failpoint, failpointsActive } from '../common/failpoints.ts';
import { ApiError, conflict, notFound, preconditionFailed, Reply, unavailable } from '../common/http-server.ts';
import { log } from '../common/logger.ts';
import type { ComputeHook } from './compute-hook.ts';
import { pickPageserver } from './core/placement.ts';
import { locationFor, startMigration } from './migration.ts';
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

export interface ShardState {
  record: TenantShardRecord;
  /** The pageserver confirmed the attachment in the current generation. */
  attached: boolean;
  /** A live migration in progress (the reconcile loop keeps out of its way). */
  migration: { destination: number; phase: string } | null;
  /** The attachment moved and the computes have not yet heard. */
  pendingComputeNotification: boolean;
  /** Pageservers that held the shard before a migration and must end up detached. */
  formerNodes: Set<number>;
  lastError: string;
}

function newState(record: TenantShardRecord, attached: boolean): ShardState {
  return { record, attached, migration: null, pendingComputeNotification: false, formerNodes: new Set(), lastError: '' };
}

/** Neon's ShardSchedulingPolicy. */
export const SHARD_SCHEDULING_POLICIES = ['Active', 'Essential', 'Pause', 'Stop'] as const;
export type ShardSchedulingPolicy = (typeof SHARD_SCHEDULING_POLICIES)[number];

export interface MigrateRequest {
  nodeId: number;
  originNodeId: number | null;
  overrideScheduler: boolean;
  prewarm: boolean;
  secondaryWarmupTimeoutMs: number;
}

export class TenantService {
  private readonly shards = new Map<string, ShardState>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly persistence: TenantPersistence,
    private readonly nodes: StorageControllerService,
    private readonly computeHook: ComputeHook,
  ) {}

  async load(): Promise<void> {
    for (const record of await this.persistence.listShards()) this.shards.set(record.tenantId, newState(record, false));
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

  /** Where a new or re-attached tenant goes: the least loaded Active, schedulable pageserver (409 if none). */
  private choosePageserver(): number {
    const nodeId = pickPageserver(
      this.nodes.listNodes().map((n) => ({ id: n.id, availability: n.availability, scheduling: n.scheduling, attachedShards: this.attachedShardCount(n.id) })),
    );
    if (nodeId === null) throw conflict('No pageserver is Active and schedulable to place the tenant on');
    return nodeId;
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
      const nodeId = this.choosePageserver();
      const record: TenantShardRecord = {
        tenantId: input.tenantId, shardNumber: 0, shardCount: 0, stripeSize: DEFAULT_STRIPE_SIZE,
        generation: input.generation ?? 1, generationPageserver: nodeId, placementPolicy: input.placementPolicy,
        config: input.config, schedulingPolicy: 'Active', preferredAz: this.nodes.describeNode(nodeId).availability_zone_id,
      };
      await this.persistence.insertShard(record);
      this.shards.set(record.tenantId, newState(record, false));
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
      this.shards.set(req.tenantId, newState(record, true));
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

  /**
   * Brings the pageservers to what the shard's record says: the attached node holds it in the
   * current generation (AttachedSingle), the computes know where it is, and the nodes it left are
   * detached. Each part is retried by the loop until it holds.
   */
  private async reconcile(state: ShardState): Promise<void> {
    const r = state.record;
    if (state.migration || r.schedulingPolicy === 'Stop') return; // Stop: no location_config calls at all
    if (!state.attached && r.generationPageserver !== null) {
      if (failpointsActive()) await failpoint('storcon-before-reconcile'); // a `return` fails this attempt; the loop retries
      const response = await this.pageserver(r.generationPageserver).setLocation(formatTenantShardId(r), locationFor(r, 'AttachedSingle', r.generation));
      state.attached = (response?.shards.length ?? 0) > 0;
    }
    if (state.attached && state.pendingComputeNotification) await this.notifyCompute(state);
    for (const node of state.formerNodes) {
      if (node === r.generationPageserver) {
        state.formerNodes.delete(node);
        continue;
      }
      await this.pageserver(node).setLocation(formatTenantShardId(r), locationFor(r, 'Detached', null));
      state.formerNodes.delete(node);
      log.info(`tenant ${r.tenantId} detached from its former pageserver ${node}`);
    }
  }

  private needsReconcile(state: ShardState): boolean {
    return !state.migration && state.record.schedulingPolicy !== 'Stop' && (!state.attached || state.pendingComputeNotification || state.formerNodes.size > 0);
  }

  private async reconcileAll(): Promise<void> {
    for (const state of this.shards.values()) {
      const node = state.record.generationPageserver;
      if (!this.needsReconcile(state) || (node !== null && this.nodes.describeNodeOrNull(node)?.availability !== 'Active')) continue;
      await this.reconcile(state).then(
        () => (state.lastError = ''),
        (err) => {
          state.lastError = String(err.message);
          log.debug(`reconcile of ${state.record.tenantId} failed`, { error: state.lastError });
        },
      );
    }
  }

  private async notifyCompute(state: ShardState): Promise<void> {
    const r = state.record;
    if (r.generationPageserver === null) return;
    await this.computeHook.notifyAttach({ tenantId: r.tenantId, nodeId: r.generationPageserver, preferredAz: r.preferredAz });
    state.pendingComputeNotification = false;
  }

  /**
   * PUT /control/v1/tenant/:id/policy, scheduling: neon-local has no optimiser and no automatic
   * failover, so Active, Essential and Pause all leave a shard where it is and keep it reconciled;
   * Stop makes no location_config calls for it at all (as Neon's) until the policy changes back.
   */
  async setSchedulingPolicy(tenantId: string, policy: ShardSchedulingPolicy): Promise<void> {
    const state = this.shard(tenantId);
    await this.persistence.updateSchedulingPolicy(tenantId, policy);
    state.record = { ...state.record, schedulingPolicy: policy };
    log.info(`tenant ${tenantId}: scheduling policy ${policy}`);
  }

  /**
   * PUT /control/v1/tenant/:id/policy, placement only: Detached takes the tenant off its
   * pageserver (its local data goes; remote storage keeps it); Attached(0) from Detached places it
   * again, in the next generation, with its config, and tells the computes.
   */
  async setPlacement(tenantId: string, placement: 'Detached' | { Attached: number }): Promise<void> {
    const state = this.shard(tenantId);
    if (state.migration) throw conflict(`tenant ${tenantId} is migrating (${state.migration.phase}); try again when it has settled`);
    const r = state.record;
    if (placement === 'Detached') {
      if (r.generationPageserver !== null) state.formerNodes.add(r.generationPageserver);
      state.record = await this.persistence.setAttachment(tenantId, null, null, 'Detached');
      state.attached = true; // nothing to attach
      state.pendingComputeNotification = false;
      log.info(`tenant ${tenantId} detached (was on pageserver ${r.generationPageserver ?? 'none'})`);
    } else if (r.generationPageserver === null) {
      const nodeId = this.choosePageserver();
      state.record = await this.persistence.setAttachment(tenantId, nodeId, (r.generation ?? 0) + 1, placement);
      state.formerNodes.delete(nodeId);
      state.attached = false;
      state.pendingComputeNotification = true;
      log.info(`tenant ${tenantId} attached to pageserver ${nodeId} in generation ${state.record.generation}`);
    } else {
      state.record = await this.persistence.setAttachment(tenantId, r.generationPageserver, null, placement);
    }
    await this.reconcile(state).catch((err) => log.warn(`reconciling tenant ${tenantId} after a policy change failed; will retry`, { error: String(err.message) }));
  }

  /**
   * PUT /control/v1/tenant/:tsid/migrate: checks the request, then runs the live migration in the
   * background (as Neon's, the call returns once it has started; watch `GET /control/v1/tenant/:id`).
   */
  migrate(tenantShardId: string, req: MigrateRequest): Record<string, never> {
    // In Neon's order: the node, whether it may take the shard (override_scheduler skips that), the shard.
    const target = this.nodes.describeNodeOrNull(req.nodeId);
    if (!target) throw new ApiError(400, `Node ${req.nodeId} not found`);
    if (!req.overrideScheduler) {
      if (target.availability !== 'Active') throw preconditionFailed(`Node ${req.nodeId} is not available (${target.availability}); pass migration_config.override_scheduler to migrate anyway`);
      if (target.scheduling !== 'Active') throw preconditionFailed(`Node ${req.nodeId} is not schedulable (scheduling ${target.scheduling}); pass migration_config.override_scheduler to migrate anyway`);
    }
    const state = this.shards.get(tenantShardId.slice(0, 32));
    if (!state || formatTenantShardId(state.record) !== tenantShardId) throw notFound(`Tenant shard ${tenantShardId} not found`);
    const r = state.record;
    if (req.originNodeId !== null && req.originNodeId !== r.generationPageserver) {
      throw preconditionFailed(`Migration expected to originate from ${req.originNodeId} but shard is on ${r.generationPageserver}`);
    }
    if (r.schedulingPolicy === 'Stop') {
      // Neon records the new intent and then skips the reconcile; neon-local has no separate intent to record.
      throw preconditionFailed(`Tenant shard ${tenantShardId} has scheduling policy Stop: no location changes are made for it`);
    }
    if (state.migration) throw conflict(`tenant shard ${tenantShardId} is already migrating to pageserver ${state.migration.destination} (${state.migration.phase})`);
    if (r.generationPageserver === req.nodeId && state.attached) return {}; // already there
    startMigration(state, req, {
      pageserver: (nodeId) => this.pageserver(nodeId),
      persistence: this.persistence,
      notifyCompute: () => this.notifyCompute(state),
      reconcile: () => this.reconcile(state),
    });
    return {};
  }

  /** A restarted pageserver: its shards get the next generation, which it will now serve. */
  async reAttach(nodeId: number): Promise<ReAttachResponse> {
    const updated = await this.persistence.reAttach(nodeId);
    // Not yet confirmed: once the node is Active the reconcile loop sends the full location
    // (tenant_conf included) in the new generation — a pageserver that lost its disk gets its config back.
    for (const record of updated) this.shards.set(record.tenantId, { ...(this.shards.get(record.tenantId) ?? newState(record, false)), record, attached: false });
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
    const state = this.shard(tenantId);
    const r = state.record;
    return {
      tenant_id: tenantId,
      shards: [{
        tenant_shard_id: formatTenantShardId(r), node_attached: r.generationPageserver, node_secondary: [], last_error: state.lastError,
        is_reconciling: this.needsReconcile(state) || state.migration !== null, is_pending_compute_notification: state.pendingComputeNotification, is_splitting: false, is_importing: false,
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
