// The pageserver's page service (pg port): computes read values as of an LSN, waiting until the
// WAL up to that LSN has been ingested (read-your-writes). Protocol: cluster/protocol/page-service.ts.

import type net from 'node:net';
import { isHexId } from '../../api/ids.ts';
import { looksLikePostgres, parseJsonBody, type Frame } from '../../protocol/frames.ts';
import { FramedSocket } from '../../protocol/framed-socket.ts';
import {
  decodePageRequest, encodeGetReply, encodeIdJson, encodeScanReply, PAGE_SERVICE_PROTOCOL,
  type Entry, type PageError, type PageHello, type PageRequest,
} from '../../protocol/page-service.ts';
import { formatLsn } from '../../wal/lsn.ts';
import { failpointSleepMillis, failpointsActive } from '../common/failpoints.ts';
import { ApiError } from '../common/http-server.ts';
import { refusePostgres } from '../common/pg-refuser.ts';
import { listenTcp, type ClosableServer } from '../common/tcp-server.ts';
import type { TenantManager } from './tenants/tenant-manager.ts';
import { LsnError, type Timeline } from './timeline/timeline.ts';

const SCAN_CHUNK_ENTRIES = 1000;
const YIELD_EVERY = 5000;

export function startPageService(host: string, port: number, tenants: TenantManager, waitLsnTimeoutMs: number): Promise<ClosableServer> {
  return listenTcp(host, port, (socket: net.Socket) => {
    socket.once('data', (first: Buffer) => {
      if (looksLikePostgres(first)) {
        refusePostgres(socket, "this is a neon-local pageserver's page service, not a Postgres server; connect psql to a compute endpoint (neon-local endpoint list)", first);
        return;
      }
      let timeline: Timeline | null = null;
      const conn: FramedSocket = new FramedSocket(socket, (frames: Frame[]) => {
        for (const frame of frames) {
          if (!timeline) {
            timeline = hello(conn, frame, tenants);
            if (!timeline) return;
            continue;
          }
          // Its tenant was detached (or went secondary): drop the connection; the compute resends
          // on a new one, which finds the tenant wherever it is attached now (Neon closes a
          // tenant's page service connections when it shuts down).
          if (timeline.isShutDown) return conn.destroy();
          let request: PageRequest;
          try {
            request = decodePageRequest(frame.tag, frame.body);
          } catch (err) {
            return conn.fail('bad-request', (err as Error).message);
          }
          void serve(conn, timeline, request, waitLsnTimeoutMs);
        }
      });
      socket.emit('data', first);
    });
  });
}

function hello(conn: FramedSocket, frame: Frame, tenants: TenantManager): Timeline | null {
  try {
    if (frame.tag !== 'H') throw new Error(`expected a hello frame, got '${frame.tag}'`);
    const h = parseJsonBody<PageHello>(frame);
    if (h.protocol !== PAGE_SERVICE_PROTOCOL) throw new Error(`unsupported protocol ${JSON.stringify(h.protocol)}; this pageserver speaks ${PAGE_SERVICE_PROTOCOL}`);
    if (!isHexId(h.tenant_id) || !isHexId(h.timeline_id)) throw new Error('tenant_id and timeline_id must be 32 lowercase hex digits');
    const timeline = tenants.active(h.tenant_id).timeline(h.timeline_id); // not while attaching or broken
    conn.sendJson('H', { pageserver_id: tenants.nodeId });
    return timeline;
  } catch (err) {
    const code = err instanceof ApiError && err.status === 404 ? (/Timeline/.test(err.message) ? 'timeline-not-found' : 'tenant-not-found') : 'bad-request';
    conn.fail(code, (err as Error).message);
    return null;
  }
}

/** Neon's before-pagestream-msg-flush: `return(<ms>)` delays each answer that long. */
const FLUSH_FAILPOINT = 'before-pagestream-msg-flush';

async function serve(conn: FramedSocket, timeline: Timeline, req: PageRequest, waitMs: number): Promise<void> {
  try {
    if (req.kind === 'start') {
      const lsn = req.lsn === 0 ? timeline.lastRecordLsn : req.lsn;
      await timeline.waitForLsn(lsn, waitMs);
      const prev = lsn === timeline.lastRecordLsn ? timeline.prevRecordLsn : 0;
      const reply = encodeIdJson(req.id, { lsn: formatLsn(lsn), prev_lsn: prev ? formatLsn(prev) : null, pg_version: timeline.meta.pg_version });
      if (failpointsActive()) await failpointSleepMillis(FLUSH_FAILPOINT);
      conn.send('b', reply);
      return;
    }
    const lsn = await timeline.readLsn(req.lsn, req.notModifiedSince, waitMs);
    if (req.kind === 'get') {
      const reply = encodeGetReply(req.id, timeline.get(req.key, lsn));
      if (failpointsActive()) await failpointSleepMillis(FLUSH_FAILPOINT);
      conn.send('g', reply);
    } else {
      if (failpointsActive()) await failpointSleepMillis(FLUSH_FAILPOINT);
      await scan(conn, timeline, req, lsn);
    }
  } catch (err) {
    if (timeline.isShutDown) return conn.destroy(); // as above: the compute retries elsewhere
    const error: PageError = err instanceof LsnError ? { code: err.code, message: err.message } : { code: 'internal', message: (err as Error).message };
    conn.send('e', encodeIdJson(req.id, error));
  }
}

/** Streams up to `limit` live entries in chunks, yielding to the event loop so ingest continues. */
async function scan(conn: FramedSocket, timeline: Timeline, req: Extract<PageRequest, { kind: 'scan' }>, lsn: number): Promise<void> {
  let chunk: Entry[] = [];
  let sent = 0;
  let seen = 0;
  for (const entry of timeline.scan(req.start, req.end, lsn)) {
    chunk.push(entry);
    sent++;
    if (sent >= req.limit) break;
    if (chunk.length >= SCAN_CHUNK_ENTRIES) {
      if (!conn.send('s', encodeScanReply(req.id, false, chunk))) await conn.drain();
      chunk = [];
    }
    if (++seen % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
  }
  conn.send('s', encodeScanReply(req.id, true, chunk));
}
