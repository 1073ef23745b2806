// Talking to the storage broker: safekeepers publish timeline info, pageservers and safekeepers
// subscribe to it. A subscription reconnects by itself until closed.

import http from 'node:http';
import type { SafekeeperTimelineInfo } from '../api/storage-broker.ts';
import { httpRequest } from './http.ts';

const RECONNECT_MS = 500;

export class BrokerClient {
  constructor(readonly baseUrl: string) {}

  async publish(infos: SafekeeperTimelineInfo[]): Promise<void> {
    const res = await httpRequest(`${this.baseUrl}/v1/publish`, { method: 'POST', body: { infos }, timeoutMs: 5000 });
    if (res.status !== 200) throw new Error(`broker refused publish: ${res.status} ${res.body}`);
  }

  /** Streams every published info (filtered to one timeline when given) until close(). */
  subscribe(onInfo: (info: SafekeeperTimelineInfo) => void, filter?: { tenantId: string; timelineId: string }): { close(): void } {
    let closed = false;
    let request: http.ClientRequest | null = null;
    let timer: NodeJS.Timeout | null = null;
    const query = filter ? `?tenant_id=${filter.tenantId}&timeline_id=${filter.timelineId}` : '';
    const connect = () => {
      if (closed) return;
      request = http.get(`${this.baseUrl}/v1/subscribe${query}`, { agent: false }, (res) => {
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          pending += chunk;
          let nl: number;
          while ((nl = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            if (line) onInfo(JSON.parse(line) as SafekeeperTimelineInfo);
          }
        });
        res.on('end', retry);
        res.on('error', retry);
      });
      request.on('error', retry);
    };
    const retry = () => {
      if (closed || timer) return;
      timer = setTimeout(() => {
        timer = null;
        connect();
      }, RECONNECT_MS);
    };
    connect();
    return {
      close() {
        closed = true;
        if (timer) clearTimeout(timer);
        request?.destroy();
      },
    };
  }
}
