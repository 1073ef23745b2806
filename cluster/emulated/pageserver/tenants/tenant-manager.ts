// The pageserver's tenants: which it holds, in which mode and generation. Tenants come into being
// only through location_config (or re-attach at startup, which tells a restarted pageserver which
// of its local tenants it may keep and in what generation). Neon: pageserver/src/tenant/mgr.rs.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { parseTenantShardId } from '../../../api/ids.ts';
import type { LocationConfig, LocationConfigResponse, TenantConfig } from '../../../api/pageserver.ts';
import type { ReAttachResponse } from '../../../api/storage-controller.ts';
import type { SafekeeperTimelineInfo } from '../../../api/storage-broker.ts';
import { parseLsn } from '../../../wal/lsn.ts';
import { FailpointError } from '../../common/failpoints.ts';
import { badRequest, notFound } from '../../common/http-server.ts';
import { log } from '../../common/logger.ts';
import { Tenant, LOCATION_FILE, type PageserverRemote } from './tenant.ts';

export class TenantManager {
  private readonly tenants = new Map<string, Tenant>();
  /** Secondary locations: configuration only, no timelines served. */
  private readonly secondaries = new Map<string, LocationConfig>();
  /** Latest commit_lsn each safekeeper reported per timeline (for branch point checks). */
  private readonly commitLsns = new Map<string, number>();

  constructor(
    private readonly tenantsDir: string,
    readonly nodeId: number,
    private readonly remote: PageserverRemote | null = null,
  ) {}

  private dir(tsid: string): string {
    return path.join(this.tenantsDir, tsid);
  }

  /** Applies the storage controller's re-attach answer: keep (in new generations) what it lists, drop the rest. */
  async applyReAttach(answer: ReAttachResponse): Promise<void> {
    const listed = new Set(answer.tenants.map((t) => t.id));
    for (const name of fs.readdirSync(this.tenantsDir)) {
      if (parseTenantShardId(name) && !listed.has(name)) {
        log.info(`dropping local tenant ${name}: the storage controller does not list it for this node`);
        await fsp.rm(this.dir(name), { recursive: true, force: true });
      }
    }
    for (const t of answer.tenants) {
      const file = path.join(this.dir(t.id), LOCATION_FILE);
      const stored = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as LocationConfig) : null;
      const location: LocationConfig = {
        mode: t.mode as LocationConfig['mode'],
        generation: t.gen,
        secondary_conf: null,
        shard_number: stored?.shard_number ?? 0,
        shard_count: stored?.shard_count ?? 0,
        shard_stripe_size: t.stripe_size,
        tenant_conf: stored?.tenant_conf ?? {},
      };
      if (t.mode === 'Secondary') this.secondaries.set(t.id, location);
      else {
        try {
          this.tenants.set(t.id, await Tenant.open(t.id, this.dir(t.id), location, `pageserver ${this.nodeId}`, this.remote));
        } catch (err) {
          if (!(err instanceof FailpointError)) throw err;
          log.error(`tenant ${t.id} failed to attach; it is not served (neon: Broken)`, { error: err.message });
        }
      }
    }
    log.info('tenants loaded after re-attach', { attached: this.tenants.size, secondary: this.secondaries.size });
  }

  get(tsid: string): Tenant {
    const t = this.tenants.get(tsid);
    if (!t) throw notFound(`tenant ${tsid}`);
    return t;
  }

  list(): Tenant[] {
    return [...this.tenants.values()];
  }

  locations(): [string, LocationConfig | null][] {
    return [...[...this.tenants.values()].map((t) => [t.id, t.location] as [string, LocationConfig]), ...this.secondaries.entries()];
  }

  location(tsid: string): LocationConfig {
    const l = this.tenants.get(tsid)?.location ?? this.secondaries.get(tsid);
    if (!l) throw notFound(`tenant ${tsid}`);
    return l;
  }

  /** PUT /v1/tenant/:tsid/location_config. Returns null for Detached (as neon does). */
  async setLocation(tsid: string, conf: LocationConfig): Promise<LocationConfigResponse | null> {
    const existing = this.tenants.get(tsid);
    if (conf.mode === 'Detached') {
      await existing?.close();
      this.tenants.delete(tsid);
      this.secondaries.delete(tsid);
      await fsp.rm(this.dir(tsid), { recursive: true, force: true });
      log.info(`detached tenant ${tsid}`);
      return null;
    }
    if (conf.mode === 'Secondary') {
      if (conf.generation !== null) throw badRequest('Secondary locations must not have a generation');
      await existing?.close();
      this.tenants.delete(tsid);
      this.secondaries.set(tsid, conf);
      return { shards: [], stripe_size: null };
    }
    if (conf.generation === null) throw badRequest('Generation must be set when attaching');
    if (existing && conf.generation < existing.generation) {
      throw badRequest(`Generation ${conf.generation} is less than existing ${existing.generation}`);
    }
    if (existing) {
      existing.location = conf; // same or newer generation: the data stays, the attachment moves on
      await existing.saveLocation();
    } else {
      this.secondaries.delete(tsid);
      this.tenants.set(tsid, await Tenant.open(tsid, this.dir(tsid), conf, `pageserver ${this.nodeId}`, this.remote));
      log.info(`attached tenant ${tsid} in generation ${conf.generation} (${conf.mode})`);
    }
    return { shards: [{ shard_id: tsid, node_id: this.nodeId }], stripe_size: conf.shard_count > 1 ? conf.shard_stripe_size : null };
  }

  /** Tenant config update (PUT/PATCH /v1/tenant/config): the attached tenant's overrides, persisted. */
  async setConfig(tenantId: string, update: (current: TenantConfig) => TenantConfig): Promise<void> {
    const t = this.get(tenantId);
    t.location = { ...t.location, tenant_conf: update(t.location.tenant_conf ?? {}) };
    await t.saveLocation();
    log.info(`tenant ${tenantId} config updated`, { tenant_conf: JSON.stringify(t.location.tenant_conf) });
  }

  /** Broker info for any timeline: hand it to that timeline's WAL receiver. */
  offer(info: SafekeeperTimelineInfo): void {
    const key = `${info.tenant_id}/${info.timeline_id}`;
    this.commitLsns.set(key, Math.max(this.commitLsns.get(key) ?? 0, parseLsn(info.commit_lsn)));
    this.tenants.get(info.tenant_id)?.receiver(info.timeline_id)?.offer(info);
  }

  knownCommitLsn(tenantId: string, timelineId: string): number {
    return this.commitLsns.get(`${tenantId}/${timelineId}`) ?? 0;
  }

  async closeAll(): Promise<void> {
    for (const t of this.tenants.values()) await t.close();
  }
}
