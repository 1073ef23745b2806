// The compute's connection to its pageserver's page service. Requests are multiplexed by id on one
// connection; when it breaks, outstanding reads are retried on a new one (reads are idempotent)
// until their deadline, so a pageserver restart only delays them.

import { connectFramed, type FramedSocket } from '../../../protocol/framed-socket.ts';
import { parseJsonBody, type Frame } from '../../../protocol/frames.ts';
import {
  decodeGetReply, decodeIdJson, decodeScanReply, encodePageRequest, PAGE_SERVICE_PROTOCOL,
  type Entry, type PageError, type PageRequest, type StartInfo,
} from '../../../protocol/page-service.ts';
import { formatLsn, type Lsn } from '../../../wal/lsn.ts';
import { log } from '../../common/logger.ts';

export class PageServiceError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

interface Pending {
  request: PageRequest;
  entries: Entry[];
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  deadline: number;
}

const RETRY_MS = 200;

/** The request LSN and the LSN the value is known not to have changed since (neon's pagestream v2). */
export interface ReadPoint {
  lsn: Lsn;
  notModifiedSince: Lsn;
}

/** A read at exactly one LSN. */
export function exactly(lsn: Lsn): ReadPoint {
  return { lsn, notModifiedSince: lsn };
}

export class PageClient {
  private conn: FramedSocket | null = null;
  private connecting: Promise<FramedSocket> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private address: { host: string; port: number },
    private readonly ids: { tenantId: string; timelineId: string },
    private readonly timeoutMs: number,
  ) {}

  /** Points at another pageserver (the tenant moved); in-flight requests are sent there. */
  retarget(address: { host: string; port: number }): void {
    if (address.host === this.address.host && address.port === this.address.port) return;
    this.address = address;
    this.conn?.destroy();
  }

  get target(): string {
    return `${this.address.host}:${this.address.port}`;
  }

  private connect(): Promise<FramedSocket> {
    if (this.conn && !this.conn.isClosed) return Promise.resolve(this.conn);
    this.connecting ??= (async () => {
      let helloOk!: () => void;
      let helloFail!: (e: Error) => void;
      const hello = new Promise<void>((res, rej) => ((helloOk = res), (helloFail = rej)));
      const conn = await connectFramed(this.address.host, this.address.port, (frames) => this.onFrames(frames, helloOk, helloFail));
      conn.onClose(() => helloFail(new Error('connection closed')));
      conn.sendJson('H', { protocol: PAGE_SERVICE_PROTOCOL, tenant_id: this.ids.tenantId, timeline_id: this.ids.timelineId });
      await hello;
      conn.onClose(() => this.onDisconnect(conn));
      this.conn = conn;
      return conn;
    })().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private onFrames(frames: Frame[], helloOk: () => void, helloFail: (e: Error) => void): void {
    for (const f of frames) {
      if (f.tag === 'H') helloOk();
      else if (f.tag === 'E') helloFail(new PageServiceError(parseJsonBody<PageError>(f).code, parseJsonBody<PageError>(f).message));
      else if (f.tag === 'g') {
        const { id, value } = decodeGetReply(f.body);
        this.finish(id, value);
      } else if (f.tag === 's') {
        const { id, last, entries } = decodeScanReply(f.body);
        const p = this.pending.get(id);
        if (!p) continue;
        for (const e of entries) p.entries.push({ key: Buffer.from(e.key), value: Buffer.from(e.value) });
        if (last) this.finish(id, p.entries);
      } else if (f.tag === 'b') {
        const { id, value } = decodeIdJson<StartInfo>(f.body);
        this.finish(id, value);
      } else if (f.tag === 'e') {
        const { id, value } = decodeIdJson<PageError>(f.body);
        const p = this.pending.get(id);
        if (!p) continue;
        this.pending.delete(id);
        p.reject(new PageServiceError(value.code, value.message));
      }
    }
  }

  private finish(id: number, value: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.resolve(value);
  }

  private onDisconnect(conn: FramedSocket): void {
    if (this.conn === conn) this.conn = null;
    if (this.closed) return;
    // Partial scan results are dropped; the request starts over on the next connection.
    for (const p of this.pending.values()) p.entries = [];
    if (this.pending.size) setTimeout(() => void this.resend(), RETRY_MS);
  }

  private async resend(): Promise<void> {
    const now = Date.now();
    for (const [id, p] of this.pending) {
      if (now > p.deadline) {
        this.pending.delete(id);
        p.reject(new PageServiceError('unavailable', `pageserver ${this.target} unreachable for ${Math.round(this.timeoutMs / 1000)} s`));
      }
    }
    if (!this.pending.size || this.closed) return;
    try {
      const conn = await this.connect();
      for (const p of this.pending.values()) {
        const { tag, body } = encodePageRequest(p.request);
        conn.send(tag, body);
      }
    } catch (err) {
      log.debug(`page service ${this.target} unreachable`, { error: (err as Error).message });
      setTimeout(() => void this.resend(), RETRY_MS);
    }
  }

  private request<T>(make: (id: number) => PageRequest): Promise<T> {
    if (this.closed) return Promise.reject(new PageServiceError('shutting-down', 'the compute is stopping'));
    const id = this.nextId++;
    const request = make(id);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { request, entries: [], resolve: resolve as (v: unknown) => void, reject, deadline: Date.now() + this.timeoutMs });
      this.connect().then(
        (conn) => {
          const { tag, body } = encodePageRequest(request);
          conn.send(tag, body);
        },
        () => setTimeout(() => void this.resend(), RETRY_MS),
      );
    });
  }

  get(key: Buffer, at: ReadPoint): Promise<Buffer | null> {
    return this.request((id) => ({ kind: 'get', id, lsn: at.lsn, notModifiedSince: at.notModifiedSince, key }));
  }

  scan(start: Buffer, end: Buffer | null, at: ReadPoint, limit: number): Promise<Entry[]> {
    return this.request((id) => ({ kind: 'scan', id, lsn: at.lsn, notModifiedSince: at.notModifiedSince, limit, start, end }));
  }

  /** Where to start: waits until the pageserver has WAL up to `lsn`; its prev record LSN. */
  start(lsn: Lsn): Promise<StartInfo> {
    log.info(`waiting for pageserver ${this.target} to reach ${formatLsn(lsn)}`);
    return this.request((id) => ({ kind: 'start', id, lsn }));
  }

  close(): void {
    this.closed = true;
    this.conn?.destroy();
    for (const p of this.pending.values()) p.reject(new PageServiceError('shutting-down', 'the compute is stopping'));
    this.pending.clear();
  }
}
