// SQL for tenant shards (placement, generations) and timelines (safekeeper sets), in neon's
// tables. A generation is only ever handed out after the database has it.

import { formatLsn, parseLsn, type Lsn } from '../../wal/lsn.ts';
import type { Database, Row } from './db/database.ts';

export interface TenantShardRecord {
  tenantId: string;
  shardNumber: number;
  shardCount: number;
  stripeSize: number;
  generation: number | null;
  /** The pageserver the current generation was issued to. */
  generationPageserver: number | null;
  placementPolicy: unknown;
  config: Record<string, unknown>;
  schedulingPolicy: string;
  preferredAz: string | null;
}

export interface TimelineRecord {
  tenantId: string;
  timelineId: string;
  startLsn: Lsn;
  generation: number;
  skSet: number[];
  newSkSet: number[] | null;
}

function toShard(r: Row): TenantShardRecord {
  return {
    tenantId: String(r['tenant_id']),
    shardNumber: Number(r['shard_number']),
    shardCount: Number(r['shard_count']),
    stripeSize: Number(r['shard_stripe_size']),
    generation: r['generation'] === null ? null : Number(r['generation']),
    generationPageserver: r['generation_pageserver'] === null ? null : Number(r['generation_pageserver']),
    placementPolicy: JSON.parse(String(r['placement_policy'])),
    config: JSON.parse(String(r['config'])) as Record<string, unknown>,
    schedulingPolicy: JSON.parse(String(r['scheduling_policy'])) as string,
    preferredAz: r['preferred_az_id'] === null ? null : String(r['preferred_az_id']),
  };
}

function toIds(value: unknown): number[] {
  return (value as (string | number | bigint)[]).map((v) => Number(v));
}

function toTimeline(r: Row): TimelineRecord {
  return {
    tenantId: String(r['tenant_id']),
    timelineId: String(r['timeline_id']),
    startLsn: parseLsn(String(r['start_lsn'])),
    generation: Number(r['generation']),
    skSet: toIds(r['sk_set']),
    newSkSet: r['new_sk_set'] === null ? null : toIds(r['new_sk_set']),
  };
}

export class TenantPersistence {
  constructor(private readonly db: Database) {}

  async listShards(): Promise<TenantShardRecord[]> {
    return (await this.db.query('SELECT * FROM tenant_shards ORDER BY tenant_id, shard_number')).map(toShard);
  }

  /** Inserts the shard; false if it already existed (creation is idempotent). */
  async insertShard(s: TenantShardRecord): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO tenant_shards (tenant_id, shard_number, shard_count, shard_stripe_size, generation, generation_pageserver,
         placement_policy, splitting, config, scheduling_policy, preferred_az_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING tenant_id`,
      [s.tenantId, s.shardNumber, s.shardCount, s.stripeSize, s.generation, s.generationPageserver,
        JSON.stringify(s.placementPolicy), JSON.stringify(s.config), JSON.stringify(s.schedulingPolicy), s.preferredAz],
    );
    return rows.length === 1;
  }

  /**
   * A pageserver restarted: every shard whose generation it holds gets the next generation (neon
   * persistence.rs re_attach). Returns the shards with their new generations.
   */
  async reAttach(nodeId: number): Promise<TenantShardRecord[]> {
    const rows = await this.db.query(
      'UPDATE tenant_shards SET generation = generation + 1 WHERE generation_pageserver = $1 RETURNING *',
      [nodeId],
    );
    return rows.map(toShard);
  }

  /**
   * attach-hook: the shard's generation goes to `generation` (the next one unless overridden) on
   * `nodeId`, or, with nodeId null, it is detached (no pageserver, placement Detached).
   */
  async setAttachment(tenantId: string, nodeId: number | null, generation: number | null, placementPolicy: unknown): Promise<TenantShardRecord> {
    const rows = await this.db.query(
      `UPDATE tenant_shards SET generation = COALESCE($3, generation), generation_pageserver = $2, placement_policy = $4
       WHERE tenant_id = $1 RETURNING *`,
      [tenantId, nodeId, generation, JSON.stringify(placementPolicy)],
    );
    return toShard(rows[0]!);
  }

  /** A tenant's config, on every shard (neon persistence.rs update_tenant_config). */
  async updateConfig(tenantId: string, config: Record<string, unknown>): Promise<void> {
    await this.db.query('UPDATE tenant_shards SET config = $2 WHERE tenant_id = $1', [tenantId, JSON.stringify(config)]);
  }

  /** A tenant's shard scheduling policy, on every shard (neon persistence.rs update_tenant_shard). */
  async updateSchedulingPolicy(tenantId: string, policy: string): Promise<void> {
    await this.db.query('UPDATE tenant_shards SET scheduling_policy = $2 WHERE tenant_id = $1', [tenantId, JSON.stringify(policy)]);
  }

  /** The generation recorded for a shard, for upcall validation. */
  async generationOf(tenantId: string, shardNumber: number, shardCount: number): Promise<number | null> {
    const rows = await this.db.query('SELECT generation FROM tenant_shards WHERE tenant_id = $1 AND shard_number = $2 AND shard_count = $3', [tenantId, shardNumber, shardCount]);
    return rows[0] ? Number(rows[0]['generation']) : null;
  }

  async listTimelines(): Promise<TimelineRecord[]> {
    return (await this.db.query('SELECT * FROM timelines WHERE deleted_at IS NULL ORDER BY tenant_id, timeline_id')).map(toTimeline);
  }

  async insertTimeline(t: TimelineRecord): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO timelines (tenant_id, timeline_id, start_lsn, generation, sk_set, new_sk_set, cplane_notified_generation, sk_set_notified_generation)
       VALUES ($1, $2, $3::pg_lsn, $4, $5::int8[], NULL, 1, 1) ON CONFLICT DO NOTHING RETURNING timeline_id`,
      [t.tenantId, t.timelineId, formatLsn(t.startLsn), t.generation, `{${t.skSet.join(',')}}`],
    );
    return rows.length === 1;
  }

  async insertPendingOp(tenantId: string, timelineId: string, skId: number, generation: number, kind: 'pull' | 'exclude' | 'delete'): Promise<void> {
    await this.db.query(
      `INSERT INTO safekeeper_timeline_pending_ops (tenant_id, timeline_id, sk_id, generation, op_kind) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, timeline_id, sk_id) DO UPDATE SET generation = $4, op_kind = $5`,
      [tenantId, timelineId, skId, generation, kind],
    );
  }

  async listPendingOps(): Promise<{ tenantId: string; timelineId: string; skId: number; generation: number; kind: string }[]> {
    const rows = await this.db.query('SELECT * FROM safekeeper_timeline_pending_ops ORDER BY tenant_id, timeline_id, sk_id');
    return rows.map((r) => ({ tenantId: String(r['tenant_id']), timelineId: String(r['timeline_id']), skId: Number(r['sk_id']), generation: Number(r['generation']), kind: String(r['op_kind']) }));
  }

  async removePendingOp(tenantId: string, timelineId: string, skId: number): Promise<void> {
    await this.db.query('DELETE FROM safekeeper_timeline_pending_ops WHERE tenant_id = $1 AND timeline_id = $2 AND sk_id = $3', [tenantId, timelineId, skId]);
  }
}
