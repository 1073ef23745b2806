// Schema migrations. Tables and columns follow neon's storage controller (storage_controller/src/
// schema.rs), so a person who knows its database finds their way, and so state could later move
// between the emulator and the real controller. Append new migrations; never edit applied ones.

import type { Database } from './database.ts';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial storage controller schema',
    sql: `
      CREATE TABLE nodes (
        node_id int8 PRIMARY KEY,
        scheduling_policy varchar NOT NULL,
        listen_http_addr varchar NOT NULL,
        listen_http_port int4 NOT NULL,
        listen_pg_addr varchar NOT NULL,
        listen_pg_port int4 NOT NULL,
        availability_zone_id varchar NOT NULL,
        listen_https_port int4,
        lifecycle varchar NOT NULL DEFAULT 'active',
        listen_grpc_addr varchar,
        listen_grpc_port int4
      );
      CREATE TABLE safekeepers (
        id int8 PRIMARY KEY,
        region_id text NOT NULL,
        version int8 NOT NULL,
        host text NOT NULL,
        port int4 NOT NULL,
        http_port int4 NOT NULL,
        availability_zone_id text NOT NULL,
        scheduling_policy varchar NOT NULL DEFAULT 'activating',
        https_port int4
      );
      CREATE TABLE tenant_shards (
        tenant_id varchar NOT NULL,
        shard_number int4 NOT NULL,
        shard_count int4 NOT NULL,
        shard_stripe_size int4 NOT NULL,
        generation int4,
        generation_pageserver int8,
        placement_policy varchar NOT NULL,
        splitting int2 NOT NULL DEFAULT 0,
        config text NOT NULL,
        scheduling_policy varchar NOT NULL DEFAULT '"Active"',
        preferred_az_id varchar,
        PRIMARY KEY (tenant_id, shard_number, shard_count)
      );
      CREATE TABLE timelines (
        tenant_id varchar NOT NULL,
        timeline_id varchar NOT NULL,
        start_lsn pg_lsn NOT NULL,
        generation int4 NOT NULL,
        sk_set int8[] NOT NULL,
        new_sk_set int8[],
        cplane_notified_generation int4 NOT NULL,
        deleted_at timestamptz,
        sk_set_notified_generation int4 NOT NULL DEFAULT 1,
        PRIMARY KEY (tenant_id, timeline_id)
      );
      CREATE TABLE safekeeper_timeline_pending_ops (
        sk_id int8 NOT NULL,
        tenant_id varchar NOT NULL,
        timeline_id varchar NOT NULL,
        generation int4 NOT NULL,
        op_kind varchar NOT NULL,
        PRIMARY KEY (tenant_id, timeline_id, sk_id)
      );
      CREATE TABLE controllers (
        address varchar NOT NULL,
        started_at timestamptz NOT NULL,
        PRIMARY KEY (address, started_at)
      );
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Applies pending migrations, each in its own transaction. Safe when two controllers race. */
export async function migrate(db: Database): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS neon_local_migrations (
    version int4 PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    const done = await db.transaction(async (tx) => {
      // Serialises concurrent migrators on a shared PostgreSQL.
      await tx.query('SELECT pg_advisory_xact_lock(7242001)');
      const rows = await tx.query('SELECT 1 FROM neon_local_migrations WHERE version = $1', [migration.version]);
      if (rows.length > 0) return false;
      for (const statement of migration.sql.split(';').map((s) => s.trim()).filter(Boolean)) {
        await tx.query(statement);
      }
      await tx.query('INSERT INTO neon_local_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}
