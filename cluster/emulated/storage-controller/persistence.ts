// SQL for the storage controller's durable state. As in neon, every change is written to the
// database before it becomes visible in memory, so a restart never forgets something a client saw.

import type {
  NodeSchedulingPolicy, SafekeeperDescribeResponse, SafekeeperSchedulingPolicy, SafekeeperUpsertRequest,
} from '../../api/storage-controller.ts';
import type { RegisteredNode } from './core/registration.ts';
import type { Database } from './db/database.ts';

// Policies are stored in neon's snake_case spelling (nodes.scheduling_policy, safekeepers.scheduling_policy).
const NODE_POLICY_DB: Record<NodeSchedulingPolicy, string> = {
  Active: 'active', Filling: 'filling', Pause: 'pause', PauseForRestart: 'pause_for_restart', Draining: 'draining', Deleting: 'deleting',
};
const SK_POLICY_DB: Record<SafekeeperSchedulingPolicy, string> = {
  Active: 'active', Activating: 'activating', Pause: 'pause', Decomissioned: 'decomissioned',
};

function invert<K extends string>(map: Record<K, string>): Record<string, K> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [v, k])) as Record<string, K>;
}
const NODE_POLICY_API = invert(NODE_POLICY_DB);
const SK_POLICY_API = invert(SK_POLICY_DB);

export interface PersistedNode extends RegisteredNode {
  scheduling: NodeSchedulingPolicy;
}

interface NodeRow {
  [key: string]: unknown;
  node_id: number;
  scheduling_policy: string;
  listen_http_addr: string;
  listen_http_port: number;
  listen_https_port: number | null;
  listen_pg_addr: string;
  listen_pg_port: number;
  listen_grpc_addr: string | null;
  listen_grpc_port: number | null;
  availability_zone_id: string;
}

export class Persistence {
  constructor(private readonly db: Database) {}

  async listNodes(): Promise<PersistedNode[]> {
    const rows = await this.db.query<NodeRow>(`SELECT * FROM nodes WHERE lifecycle = 'active' ORDER BY node_id`);
    return rows.map((r) => ({
      id: Number(r.node_id),
      scheduling: NODE_POLICY_API[r.scheduling_policy] ?? 'Active',
      listenHttpAddr: r.listen_http_addr,
      listenHttpPort: r.listen_http_port,
      listenHttpsPort: r.listen_https_port,
      listenPgAddr: r.listen_pg_addr,
      listenPgPort: r.listen_pg_port,
      listenGrpcAddr: r.listen_grpc_addr,
      listenGrpcPort: r.listen_grpc_port,
      availabilityZoneId: r.availability_zone_id,
    }));
  }

  async insertNode(node: PersistedNode): Promise<void> {
    await this.db.query(
      `INSERT INTO nodes (node_id, scheduling_policy, listen_http_addr, listen_http_port, listen_https_port,
         listen_pg_addr, listen_pg_port, listen_grpc_addr, listen_grpc_port, availability_zone_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [node.id, NODE_POLICY_DB[node.scheduling], node.listenHttpAddr, node.listenHttpPort, node.listenHttpsPort,
        node.listenPgAddr, node.listenPgPort, node.listenGrpcAddr, node.listenGrpcPort, node.availabilityZoneId],
    );
  }

  async updateNodeOnRegistration(node: RegisteredNode): Promise<void> {
    await this.db.query(
      `UPDATE nodes SET listen_https_port = $2, listen_grpc_addr = $3, listen_grpc_port = $4 WHERE node_id = $1`,
      [node.id, node.listenHttpsPort, node.listenGrpcAddr, node.listenGrpcPort],
    );
  }

  async updateNodeScheduling(id: number, policy: NodeSchedulingPolicy): Promise<void> {
    await this.db.query(`UPDATE nodes SET scheduling_policy = $2 WHERE node_id = $1`, [id, NODE_POLICY_DB[policy]]);
  }

  async listSafekeepers(): Promise<SafekeeperDescribeResponse[]> {
    const rows = await this.db.query<Record<string, unknown>>(`SELECT * FROM safekeepers ORDER BY id`);
    return rows.map((r) => ({
      id: Number(r['id']),
      region_id: String(r['region_id']),
      version: Number(r['version']),
      host: String(r['host']),
      port: Number(r['port']),
      http_port: Number(r['http_port']),
      https_port: r['https_port'] === null ? null : Number(r['https_port']),
      availability_zone_id: String(r['availability_zone_id']),
      scheduling_policy: SK_POLICY_API[String(r['scheduling_policy'])] ?? 'Activating',
    }));
  }

  /** Inserts or updates everything but the scheduling policy (new rows start `activating`). */
  async upsertSafekeeper(sk: SafekeeperUpsertRequest): Promise<void> {
    await this.db.query(
      `INSERT INTO safekeepers (id, region_id, version, host, port, http_port, https_port, availability_zone_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET region_id = $2, version = $3, host = $4, port = $5, http_port = $6,
         https_port = $7, availability_zone_id = $8`,
      [sk.id, sk.region_id, sk.version, sk.host, sk.port, sk.http_port, sk.https_port ?? null, sk.availability_zone_id],
    );
  }

  /** Returns the number of rows changed (0 for an unknown id). */
  async setSafekeeperScheduling(id: number, policy: SafekeeperSchedulingPolicy): Promise<number> {
    const rows = await this.db.query(`UPDATE safekeepers SET scheduling_policy = $2 WHERE id = $1 RETURNING id`, [id, SK_POLICY_DB[policy]]);
    return rows.length;
  }
}
