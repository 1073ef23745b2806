// The storage controller's state and operations. Durable state goes through Persistence first,
// then into memory; availability is memory-only and comes from heartbeats, as in neon.

import type {
  NodeConfigureRequest, NodeDescribeResponse, NodeRegisterRequest, ReAttachRequest,
  SafekeeperDescribeResponse, SafekeeperSchedulingPolicy, SafekeeperUpsertRequest,
} from '../../api/storage-controller.ts';
import { ApiError, badRequest, conflict, notFound } from '../common/http-server.ts';
import { log } from '../common/logger.ts';
import { afterHeartbeat, afterReAttach, configured, OFFLINE, type Availability, type AvailabilityLimits } from './core/availability.ts';
import { classifyRegistration, nodeFromRequest } from './core/registration.ts';
import type { PersistedNode, Persistence } from './persistence.ts';

interface NodeState {
  node: PersistedNode;
  availability: Availability;
}

export class StorageControllerService {
  private readonly nodes = new Map<number, NodeState>();
  private readonly safekeepers = new Map<number, SafekeeperDescribeResponse>();
  private readonly safekeeperAvailability = new Map<number, Availability>();
  /** Called after a node (re-)registers, so its first heartbeat need not wait for the next round. */
  onNodeRegistered: (id: number) => void = () => {};

  constructor(
    private readonly persistence: Persistence,
    private readonly limits: AvailabilityLimits,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<void> {
    for (const node of await this.persistence.listNodes()) this.nodes.set(node.id, { node, availability: OFFLINE });
    for (const sk of await this.persistence.listSafekeepers()) {
      this.safekeepers.set(sk.id, sk);
      this.safekeeperAvailability.set(sk.id, OFFLINE);
    }
    log.info('loaded state from the database', { nodes: this.nodes.size, safekeepers: this.safekeepers.size });
  }

  // --- pageservers ---------------------------------------------------------------------------

  nodeIds(): number[] {
    return [...this.nodes.keys()];
  }

  nodeAddress(id: number): { host: string; port: number } | undefined {
    const state = this.nodes.get(id);
    return state && { host: state.node.listenHttpAddr, port: state.node.listenHttpPort };
  }

  describeNode(id: number): NodeDescribeResponse {
    const state = this.nodes.get(id);
    if (!state) throw notFound(`Node ${id} not registered`);
    const n = state.node;
    return {
      id: n.id,
      availability: state.availability.state,
      scheduling: n.scheduling,
      availability_zone_id: n.availabilityZoneId,
      listen_http_addr: n.listenHttpAddr,
      listen_http_port: n.listenHttpPort,
      listen_https_port: n.listenHttpsPort,
      listen_pg_addr: n.listenPgAddr,
      listen_pg_port: n.listenPgPort,
      listen_grpc_addr: n.listenGrpcAddr,
      listen_grpc_port: n.listenGrpcPort,
    };
  }

  describeNodeOrNull(id: number): NodeDescribeResponse | null {
    return this.nodes.has(id) ? this.describeNode(id) : null;
  }

  listNodes(): NodeDescribeResponse[] {
    return [...this.nodes.keys()].sort((a, b) => a - b).map((id) => this.describeNode(id));
  }

  async registerNode(req: NodeRegisterRequest): Promise<void> {
    const existing = this.nodes.get(req.node_id);
    const outcome = classifyRegistration(existing?.node, req);
    if (outcome === 'up-to-date') {
      log.info(`Node ${req.node_id} re-registered with matching address and is up to date`);
      return;
    }
    if (outcome === 'mismatched') {
      log.warn(`Node ${req.node_id} tried to register with different address`);
      throw conflict('Node is already registered with different address');
    }
    if ((req.listen_grpc_addr === undefined) !== (req.listen_grpc_port === undefined)) {
      throw badRequest('must specify both gRPC address and port');
    }
    const node: PersistedNode = { ...nodeFromRequest(req), scheduling: existing?.node.scheduling ?? 'Active' };
    if (outcome === 'new') await this.persistence.insertNode(node);
    else await this.persistence.updateNodeOnRegistration(node);
    this.nodes.set(node.id, { node, availability: existing?.availability ?? OFFLINE });
    log.info(outcome === 'new' ? `Registered pageserver ${node.id} (${node.availabilityZoneId}), now have ${this.nodes.size} pageservers` : `Re-registered and updated node ${node.id}`);
    this.onNodeRegistered(node.id);
  }

  /** Re-attach, first half: register the node if the request carries its registration. */
  async reAttachRegister(req: ReAttachRequest): Promise<void> {
    if (req.register) await this.registerNode(req.register);
    if (!this.nodes.has(req.node_id)) throw notFound(`Node ${req.node_id} not registered`);
  }

  /** Re-attach, second half (after its shards got new generations): the node restarted, it warms up. */
  async reAttachDone(nodeId: number): Promise<void> {
    const state = this.nodes.get(nodeId)!;
    const resetScheduling = ['PauseForRestart', 'Draining', 'Filling', 'Deleting'].includes(state.node.scheduling);
    if (resetScheduling) {
      const scheduling = state.node.scheduling === 'Deleting' ? 'Pause' : 'Active';
      await this.persistence.updateNodeScheduling(state.node.id, scheduling);
      state.node = { ...state.node, scheduling };
    }
    log.info(`Marking ${nodeId} warming-up on reattach`);
    state.availability = afterReAttach(this.now());
    this.onNodeRegistered(nodeId);
  }

  async configureNode(id: number, req: NodeConfigureRequest): Promise<void> {
    if (id !== req.node_id) throw badRequest('Path and body node_id differ');
    const state = this.nodes.get(id);
    if (!state) throw notFound(`Node ${id} not registered`);
    if (req.scheduling) {
      await this.persistence.updateNodeScheduling(id, req.scheduling);
      state.node = { ...state.node, scheduling: req.scheduling };
    }
    if (req.availability) state.availability = configured(req.availability, this.now());
  }

  applyNodeHeartbeat(id: number, ok: boolean): void {
    const state = this.nodes.get(id);
    if (!state) return;
    const next = afterHeartbeat(state.availability, ok, this.now(), this.limits);
    if (next.state !== state.availability.state) log.info(`Node ${id} availability ${state.availability.state} -> ${next.state}`);
    state.availability = next;
  }

  // --- safekeepers ---------------------------------------------------------------------------

  listSafekeepers(): SafekeeperDescribeResponse[] {
    return [...this.safekeepers.values()].sort((a, b) => a.id - b.id);
  }

  getSafekeeper(id: number): SafekeeperDescribeResponse {
    const sk = this.safekeepers.get(id);
    if (!sk) throw notFound('unknown instance id');
    return sk;
  }

  getSafekeeperOrNull(id: number): SafekeeperDescribeResponse | null {
    return this.safekeepers.get(id) ?? null;
  }

  /** Answered its last heartbeat (or has not been failing for long). */
  safekeeperAvailable(id: number): boolean {
    return this.safekeeperAvailability.get(id)?.state === 'Active';
  }

  safekeeperAddress(id: number): { host: string; port: number } | undefined {
    const sk = this.safekeepers.get(id);
    return sk && { host: sk.host, port: sk.http_port };
  }

  async upsertSafekeeper(pathId: number, req: SafekeeperUpsertRequest): Promise<void> {
    if (pathId !== req.id) throw badRequest(`id mismatch: url=${pathId}, body=${req.id}`);
    await this.persistence.upsertSafekeeper(req);
    const previous = this.safekeepers.get(req.id);
    this.safekeepers.set(req.id, {
      id: req.id,
      region_id: req.region_id,
      version: req.version,
      host: req.host,
      port: req.port,
      http_port: req.http_port,
      https_port: req.https_port ?? null,
      availability_zone_id: req.availability_zone_id,
      scheduling_policy: previous?.scheduling_policy ?? 'Activating',
    });
    if (!this.safekeeperAvailability.has(req.id)) this.safekeeperAvailability.set(req.id, OFFLINE);
    log.info(previous ? `Updated safekeeper ${req.id}` : `Registered safekeeper ${req.id} at ${req.host}:${req.port}`);
  }

  async setSafekeeperScheduling(id: number, policy: SafekeeperSchedulingPolicy): Promise<void> {
    const changed = await this.persistence.setSafekeeperScheduling(id, policy);
    // neon answers 500 here too (a logical database error); the message says what was wrong.
    if (changed !== 1) throw new ApiError(500, `unexpected number of rows (${changed}): safekeeper ${id} is not registered`);
    const sk = this.safekeepers.get(id);
    if (sk) this.safekeepers.set(id, { ...sk, scheduling_policy: policy });
    log.info(`Safekeeper ${id} scheduling policy set to ${policy}`);
  }

  safekeeperIds(): number[] {
    return [...this.safekeepers.keys()];
  }

  applySafekeeperHeartbeat(id: number, ok: boolean): void {
    const prev = this.safekeeperAvailability.get(id) ?? OFFLINE;
    const next = afterHeartbeat(prev, ok, this.now(), this.limits);
    if (next.state !== prev.state) log.info(`Safekeeper ${id} availability ${prev.state} -> ${next.state}`);
    this.safekeeperAvailability.set(id, next);
  }
}
