// Timelines on the storage controller: created on the tenant's pageserver, then on a set of
// safekeepers (distinct zones) with membership generation 1. A quorum of safekeepers is enough;
// the others get a pending operation that a background loop retries (neon's pending ops).

import { formatTenantShardId } from '../../api/ids.ts';
import type { TimelineCreateRequest, TimelineInfo } from '../../api/pageserver.ts';
import { ComponentHttpError } from '../../clients/http.ts';
import { SafekeeperClient } from '../../clients/safekeeper.ts';
import type { Configuration } from '../../protocol/membership.ts';
import { quorumOf } from '../../protocol/membership.ts';
import { formatLsn, parseLsn } from '../../wal/lsn.ts';
import { ApiError, notFound, Reply } from '../common/http-server.ts';
import { log } from '../common/logger.ts';
import { pickSafekeepers } from './core/placement.ts';
import type { StorageControllerService } from './service.ts';
import type { TenantPersistence, TimelineRecord } from './tenant-persistence.ts';
import type { TenantService } from './tenant-service.ts';

const PENDING_OPS_INTERVAL_MS = 2000;
const DEFAULT_PG_VERSION = 17;

export class TimelineService {
  private readonly timelines = new Map<string, TimelineRecord>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly persistence: TenantPersistence,
    private readonly tenants: TenantService,
    private readonly cluster: StorageControllerService,
    private readonly safekeeperCount: number,
    private readonly onSafekeepers: boolean,
  ) {}

  async load(): Promise<void> {
    for (const t of await this.persistence.listTimelines()) this.timelines.set(`${t.tenantId}/${t.timelineId}`, t);
  }

  start(): void {
    this.timer = setInterval(() => void this.runPendingOps(), PENDING_OPS_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  timelineCount(skId: number): number {
    return [...this.timelines.values()].filter((t) => t.skSet.includes(skId)).length;
  }

  async create(tenantId: string, req: TimelineCreateRequest, pgVersion: number | undefined): Promise<Reply> {
    const ps = this.tenants.pageserverFor(tenantId);
    const shard = formatTenantShardId(this.tenants.shard(tenantId).record);
    let info: TimelineInfo;
    try {
      const body = { ...req, ancestor_start_lsn: req.ancestor_start_lsn === undefined ? undefined : formatLsn(req.ancestor_start_lsn) };
      info = await ps.post<TimelineInfo>(`/v1/tenant/${shard}/timeline`, body);
    } catch (err) {
      // The pageserver's verdict (409 conflict, 406 bad branch point, ...) is the answer.
      if (err instanceof ComponentHttpError && err.status < 500) return new Reply(err.status, err.details?.['body'] ?? { msg: err.message });
      throw err;
    }
    if (req.read_only || !this.onSafekeepers) return new Reply(201, { ...info, safekeepers: null });
    const record = await this.placeOnSafekeepers(tenantId, req.new_timeline_id, parseLsn(info.last_record_lsn), pgVersion ?? info.pg_version ?? DEFAULT_PG_VERSION);
    return new Reply(201, { ...info, safekeepers: this.describeSafekeepers(record) });
  }

  private describeSafekeepers(t: TimelineRecord): Record<string, unknown> {
    return {
      tenant_id: t.tenantId,
      timeline_id: t.timelineId,
      generation: t.generation,
      safekeepers: t.skSet.map((id) => ({ id, hostname: this.cluster.getSafekeeperOrNull(id)?.host ?? null })),
    };
  }

  private configuration(t: TimelineRecord): Configuration {
    const member = (id: number) => {
      const sk = this.cluster.getSafekeeper(id);
      return { id, host: sk.host, pg_port: sk.port };
    };
    return { generation: t.generation, members: t.skSet.map(member), new_members: t.newSkSet?.map(member) ?? null };
  }

  private async placeOnSafekeepers(tenantId: string, timelineId: string, startLsn: number, pgMajor: number): Promise<TimelineRecord> {
    const key = `${tenantId}/${timelineId}`;
    const existing = this.timelines.get(key);
    if (existing) return existing; // idempotent
    const candidates = this.cluster.listSafekeepers().map((sk) => ({
      id: sk.id, schedulingPolicy: sk.scheduling_policy, availabilityZone: sk.availability_zone_id,
      available: this.cluster.safekeeperAvailable(sk.id), timelineCount: this.timelineCount(sk.id),
    }));
    const chosen = pickSafekeepers(candidates, this.safekeeperCount);
    if (!chosen) {
      throw new ApiError(500, `cannot place the timeline on ${this.safekeeperCount} safekeepers in distinct availability zones with scheduling policy Active (${candidates.filter((c) => c.schedulingPolicy === 'Active').length} such safekeepers)`);
    }
    const record: TimelineRecord = { tenantId, timelineId, startLsn, generation: 1, skSet: chosen, newSkSet: null };
    await this.persistence.insertTimeline(record);
    this.timelines.set(key, record);
    const results = await Promise.allSettled(chosen.map((id) => this.createOnSafekeeper(record, id, pgMajor)));
    const failed = chosen.filter((_, i) => results[i]!.status === 'rejected');
    if (chosen.length - failed.length < quorumOf(chosen.length)) {
      throw new ApiError(503, `timeline created on only ${chosen.length - failed.length} of ${chosen.length} safekeepers: ${results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message) : 'ok')).join('; ')}`);
    }
    for (const id of failed) {
      log.warn(`timeline ${key} not yet on safekeeper ${id}; will retry`);
      await this.persistence.insertPendingOp(tenantId, timelineId, id, record.generation, 'pull');
    }
    return record;
  }

  private async createOnSafekeeper(t: TimelineRecord, skId: number, pgMajor: number): Promise<void> {
    const sk = this.cluster.getSafekeeper(skId);
    await new SafekeeperClient(`http://${sk.host}:${sk.http_port}`, skId).post('/v1/tenant/timeline', {
      tenant_id: t.tenantId,
      timeline_id: t.timelineId,
      mconf: this.configuration(t),
      pg_version: pgMajor * 10000,
      system_id: null,
      wal_seg_size: null,
      start_lsn: formatLsn(t.startLsn),
      commit_lsn: null,
    });
  }

  private async runPendingOps(): Promise<void> {
    for (const op of await this.persistence.listPendingOps().catch(() => [])) {
      const t = this.timelines.get(`${op.tenantId}/${op.timelineId}`);
      if (!t || op.kind !== 'pull' || !this.cluster.safekeeperAvailable(op.skId)) continue;
      try {
        await this.createOnSafekeeper(t, op.skId, DEFAULT_PG_VERSION);
        await this.persistence.removePendingOp(op.tenantId, op.timelineId, op.skId);
        log.info(`timeline ${op.tenantId}/${op.timelineId} now on safekeeper ${op.skId}`);
      } catch (err) {
        log.debug(`pending op for safekeeper ${op.skId} failed`, { error: String((err as Error).message) });
      }
    }
  }

  locate(tenantId: string, timelineId: string): { generation: number; sk_set: number[]; new_sk_set: number[] | null } {
    this.tenants.shard(tenantId);
    const t = this.timelines.get(`${tenantId}/${timelineId}`);
    if (!t) throw notFound(`timeline ${tenantId}/${timelineId} is not stored on safekeepers by the controller`);
    return { generation: t.generation, sk_set: t.skSet, new_sk_set: t.newSkSet };
  }
}
