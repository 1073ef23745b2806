// The broker's relay: the latest info per (timeline, safekeeper), pushed to subscribers as it
// arrives. Keeping the latest (the real broker only relays) lets a new subscriber start at once.

import type http from 'node:http';
import type { SafekeeperTimelineInfo } from '../../api/storage-broker.ts';

interface Subscriber {
  res: http.ServerResponse;
  tenantId: string | null;
  timelineId: string | null;
}

export class Relay {
  private readonly latest = new Map<string, SafekeeperTimelineInfo>();
  private readonly subscribers = new Set<Subscriber>();
  published = 0;

  publish(infos: SafekeeperTimelineInfo[]): void {
    for (const info of infos) {
      this.latest.set(`${info.tenant_id}/${info.timeline_id}/${info.safekeeper_id}`, info);
      this.published++;
      const line = JSON.stringify(info) + '\n';
      for (const s of this.subscribers) if (this.matches(s, info)) s.res.write(line);
    }
  }

  private matches(s: Subscriber, info: SafekeeperTimelineInfo): boolean {
    return (s.tenantId === null || s.tenantId === info.tenant_id) && (s.timelineId === null || s.timelineId === info.timeline_id);
  }

  subscribe(res: http.ServerResponse, tenantId: string | null, timelineId: string | null): void {
    const s: Subscriber = { res, tenantId, timelineId };
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    for (const info of this.latest.values()) if (this.matches(s, info)) res.write(JSON.stringify(info) + '\n');
    this.subscribers.add(s);
    res.on('close', () => this.subscribers.delete(s));
  }

  snapshot(): SafekeeperTimelineInfo[] {
    return [...this.latest.values()];
  }

  subscriberCount(): number {
    return this.subscribers.size;
  }

  closeAll(): void {
    for (const s of this.subscribers) s.res.end();
    this.subscribers.clear();
  }
}
