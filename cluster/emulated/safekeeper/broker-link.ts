// The safekeeper's side of the broker: publish every timeline's state once a second and soon after
// it changes (so a pageserver learns of new WAL quickly), and take commit_lsn from peers.

import type { SafekeeperTimelineInfo } from '../../api/storage-broker.ts';
import { BrokerClient } from '../../clients/broker-client.ts';
import { formatLsn, parseLsn } from '../../wal/lsn.ts';
import { log } from '../common/logger.ts';
import type { SafekeeperTimeline } from './timeline/timeline.ts';
import type { TimelineRegistry } from './timelines.ts';

const PUBLISH_INTERVAL_MS = 1000;
const CHANGE_DEBOUNCE_MS = 20;
/** Under continuous writes, change-driven publishing is limited to this rate: every publish is an
 * HTTP request here and a fan-out at the broker, which would otherwise eat the CPU commits need. */
const MIN_CHANGE_GAP_MS = 250;

export interface SafekeeperAddresses {
  nodeId: number;
  pgConnstr: string;
  httpConnstr: string;
  availabilityZone: string | null;
}

export class BrokerLink {
  private readonly client: BrokerClient;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private subscription: { close(): void } | undefined;
  private failing = false;
  private lastPublishAt = 0;

  constructor(
    brokerUrl: string,
    private readonly registry: TimelineRegistry,
    private readonly self: SafekeeperAddresses,
  ) {
    this.client = new BrokerClient(brokerUrl.replace(/\/$/, ''));
  }

  start(): void {
    this.timer = setInterval(() => void this.publishAll(), PUBLISH_INTERVAL_MS);
    this.subscription = this.client.subscribe((info) => this.fromPeer(info));
    void this.publishAll();
  }

  /** A timeline changed: publish shortly (changes in a burst are published once). */
  changed(): void {
    const delay = Math.max(CHANGE_DEBOUNCE_MS, this.lastPublishAt + MIN_CHANGE_GAP_MS - Date.now());
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      void this.publishAll();
    }, delay);
  }

  private info(t: SafekeeperTimeline): SafekeeperTimelineInfo {
    const a = t.acceptor;
    return {
      safekeeper_id: this.self.nodeId,
      tenant_id: t.tenantId,
      timeline_id: t.timelineId,
      term: a.state.acceptor.term,
      last_log_term: a.lastLogTerm(),
      flush_lsn: formatLsn(a.flushLsn()),
      commit_lsn: formatLsn(a.currentCommitLsn()),
      backup_lsn: formatLsn(a.state.backupLsn),
      remote_consistent_lsn: formatLsn(t.remoteConsistentLsn()),
      peer_horizon_lsn: formatLsn(a.currentPeerHorizonLsn()),
      local_start_lsn: formatLsn(a.state.localStartLsn),
      standby_horizon: '0/0',
      safekeeper_connstr: this.self.pgConnstr,
      http_connstr: this.self.httpConnstr,
      availability_zone: this.self.availabilityZone,
    };
  }

  private async publishAll(): Promise<void> {
    const infos = this.registry.list().filter((t) => !t.isClosed).map((t) => this.info(t));
    if (infos.length === 0) return;
    this.lastPublishAt = Date.now();
    try {
      await this.client.publish(infos);
      if (this.failing) log.info('publishing to the storage broker again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) log.warn('cannot publish to the storage broker; will keep trying', { error: (err as Error).message });
      this.failing = true;
    }
  }

  private fromPeer(info: SafekeeperTimelineInfo): void {
    if (info.safekeeper_id === this.self.nodeId) return;
    this.registry.get(info.tenant_id, info.timeline_id)?.peerCommit(parseLsn(info.commit_lsn), info.last_log_term);
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.subscription?.close();
  }
}
