// The pageserver's tenants: which it holds, in which mode and generation. Tenants come into being
// only through location_config (or re-attach at startup, which tells a restarted pageserver which
// of its local tenants it may keep and in what generation). Neon: pageserver/src/tenant/mgr.rs.
// Changes to one tenant shard's location run one at a time, in the order they arrive.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { parseTenantShardId } from '../../../api/ids.ts';
import type { LocationConfig, LocationConfigResponse, TenantConfig } from '../../../api/pageserver.ts';
import type { ReAttachResponse } from '../../../api/storage-controller.ts';
import type { SafekeeperTimelineInfo } from '../../../api/storage-broker.ts';
import { parseLsn } from '../../../wal/lsn.ts';
import { badRequest, notFound, type ApiError } from '../../common/http-server.ts';
import { log } from '../../common/logger.ts';
import { keepLayersOf } from '../secondary/resident-layers.ts';
import { SecondaryTenant } from '../secondary/secondary-tenant.ts';
import { Tenant, LOCATION_FILE, type PageserverRemote } from './tenant.ts';
import { ACTIVE_TENANT_TIMEOUT_MS, notActiveError } from './tenant-state.ts';

export class TenantManager {
  private readonly tenants = new Map<string, Tenant>();
  /** Secondary locations: layers kept warm, no timelines served. */
  private readonly secondaries = new Map<string, SecondaryTenant>();
  /** The location change running per tenant shard; the next one waits for it. */
  private readonly changing = new Map<string, Promise<unknown>>();
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

  private serialized<T>(tsid: string, change: () => Promise<T>): Promise<T> {
    const next = (this.changing.get(tsid) ?? Promise.resolve()).catch(() => {}).then(change);
    const tracked = next.finally(() => {
      if (this.changing.get(tsid) === tracked) this.changing.delete(tsid);
    });
    tracked.catch(() => {}); // the caller gets the failure through `next`
    this.changing.set(tsid, tracked);
    return next;
  }

  /** Registers the tenant (Attaching) and attaches it; a failed attach leaves it Broken, not absent. */
  private async attach(tsid: string, location: LocationConfig): Promise<Tenant> {
    const tenant = Tenant.attaching(tsid, this.dir(tsid), location, `pageserver ${this.nodeId}`, this.remote);
    this.tenants.set(tsid, tenant);
    await tenant.attach();
    return tenant;
  }

  /** A secondary here from now on: the attached state (if any) becomes kept layers first. */
  private async becomeSecondary(tsid: string, location: LocationConfig): Promise<SecondaryTenant> {
    const attached = this.tenants.get(tsid);
    if (attached) {
      await attached.close(); // flushes and finishes the upload in progress
      this.tenants.delete(tsid);
      await keepLayersOf(this.dir(tsid), attached.uploadedLayers());
    } else await keepLayersOf(this.dir(tsid), new Map()); // e.g. a stored attachment re-attach made a secondary
    const secondary = await SecondaryTenant.open(tsid, this.dir(tsid), location, this.remote?.storage ?? null, LOCATION_FILE);
    this.secondaries.set(tsid, secondary);
    log.info(`tenant ${tsid} is a secondary location here (warm: ${secondary.warm})`);
    return secondary;
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
      // A secondary keeps its stored secondary_conf; one that was attached before becomes warm.
      if (t.mode === 'Secondary') await this.becomeSecondary(t.id, { ...location, secondary_conf: stored?.mode === 'Secondary' ? stored.secondary_conf : { warm: true } });
      else await this.attach(t.id, location);
    }
    log.info('tenants loaded after re-attach', { attached: this.tenants.size, secondary: this.secondaries.size });
  }

  /** The attached tenant, in whatever state (a secondary location is not one: 404, as Neon). */
  get(tsid: string): Tenant {
    const t = this.tenants.get(tsid);
    if (!t) throw notFound(`tenant ${tsid}`);
    return t;
  }

  /** The tenant if it is Active now; otherwise Neon's error for its state (page service). */
  active(tsid: string): Tenant {
    const t = this.get(tsid);
    const error = notActiveError(tsid, t.state.value, null);
    if (error) throw error;
    return t;
  }

  /** The tenant once Active, waiting a while for one that is attaching (timeline routes). */
  async waitActive(tsid: string): Promise<Tenant> {
    const t = this.get(tsid);
    const error: ApiError | null = notActiveError(tsid, await t.state.settled(ACTIVE_TENANT_TIMEOUT_MS), ACTIVE_TENANT_TIMEOUT_MS);
    if (error) throw error;
    return t;
  }

  secondary(tsid: string): SecondaryTenant {
    const s = this.secondaries.get(tsid);
    if (!s) throw notFound(`Shard ${tsid} not found`);
    return s;
  }

  listSecondaries(): SecondaryTenant[] {
    return [...this.secondaries.values()];
  }

  list(): Tenant[] {
    return [...this.tenants.values()];
  }

  locations(): [string, LocationConfig | null][] {
    return [...[...this.tenants.values()].map((t) => [t.id, t.location] as [string, LocationConfig]), ...[...this.secondaries.values()].map((s) => [s.id, s.location] as [string, LocationConfig])];
  }

  location(tsid: string): LocationConfig {
    const l = this.tenants.get(tsid)?.location ?? this.secondaries.get(tsid)?.location;
    if (!l) throw notFound(`tenant ${tsid}`);
    return l;
  }

  /** PUT /v1/tenant/:tsid/location_config. Returns null for Detached (as neon does). */
  setLocation(tsid: string, conf: LocationConfig): Promise<LocationConfigResponse | null> {
    // Refused before waiting: bad input changes nothing.
    if (conf.mode === 'Secondary' && conf.generation !== null) return Promise.reject(badRequest('Secondary locations must not have a generation'));
    if (conf.mode !== 'Secondary' && conf.mode !== 'Detached' && conf.generation === null) return Promise.reject(badRequest('Generation must be set when attaching'));
    if (conf.generation === 0) {
      // The storage controller issues generations from 1; a 0 is a caller's bug, not an attachment.
      log.warn(`location_config for ${tsid} refused: generation 0`);
      return Promise.reject(badRequest('Generation 0 is not a valid generation: generations are issued by the storage controller and start at 1'));
    }
    return this.serialized(tsid, () => this.changeLocation(tsid, conf));
  }

  private async changeLocation(tsid: string, conf: LocationConfig): Promise<LocationConfigResponse | null> {
    const existing = this.tenants.get(tsid);
    const secondary = this.secondaries.get(tsid);
    if (conf.mode === 'Detached') {
      await existing?.close();
      await secondary?.close();
      this.tenants.delete(tsid);
      this.secondaries.delete(tsid);
      await fsp.rm(this.dir(tsid), { recursive: true, force: true });
      log.info(`detached tenant ${tsid}`);
      return null;
    }
    if (conf.mode === 'Secondary') {
      if (secondary) await secondary.setLocation(conf); // in place: warm on or off
      else await this.becomeSecondary(tsid, conf);
      return { shards: [], stripe_size: null };
    }
    const generation = conf.generation!;
    if (existing && generation < existing.generation) {
      log.warn(`location_config for ${tsid} refused: generation ${generation} is older than the ${existing.generation} held`);
      throw badRequest(`Generation ${generation} is less than existing ${existing.generation}`);
    }
    if (existing && !(existing.state.value.slug === 'Broken' && generation > existing.generation)) {
      await existing.changeLocation(conf); // same or newer generation: the data stays, the attachment moves on
    } else {
      // New here, or Broken and given a newer generation: (re)attach, reusing what is on disk.
      await existing?.close();
      await secondary?.close();
      this.secondaries.delete(tsid);
      const tenant = await this.attach(tsid, conf);
      log.info(`attached tenant ${tsid} in generation ${generation} (${conf.mode}): ${tenant.state.value.slug}`);
    }
    return { shards: [{ shard_id: tsid, node_id: this.nodeId }], stripe_size: conf.shard_count > 1 ? conf.shard_stripe_size : null };
  }

  /** Tenant config update (PUT/PATCH /v1/tenant/config): the attached tenant's overrides, persisted. */
  async setConfig(tenantId: string, update: (current: TenantConfig) => TenantConfig): Promise<void> {
    const t = this.get(tenantId);
    await t.changeLocation({ ...t.location, tenant_conf: update(t.location.tenant_conf ?? {}) });
    log.info(`tenant ${tenantId} config updated`, { tenant_conf: JSON.stringify(t.location.tenant_conf) });
  }

  /** PUT /v1/deletion_queue/flush: what is queued is validated and, being valid, deleted now. */
  async flushDeletions(): Promise<void> {
    await this.remote?.deletions.drain();
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
    for (const s of this.secondaries.values()) await s.close();
    for (const t of this.tenants.values()) await t.close();
  }
}
