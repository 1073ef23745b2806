// The safekeeper's WAL service on its pg port. A connection opens with a JSON hello saying what it
// wants: push WAL (a compute's walproposer) or receive it (a pageserver, or a proposer recovering
// WAL). A Postgres client that connects by mistake gets a readable Postgres error.

import { isHexId } from '../../../api/ids.ts';
import { looksLikePostgres, parseJsonBody, type Frame } from '../../../protocol/frames.ts';
import { FramedSocket } from '../../../protocol/framed-socket.ts';
import { WAL_SERVICE_PROTOCOL, type ClientHello } from '../../../protocol/wal-service.ts';
import { parseLsn } from '../../../wal/lsn.ts';
import { refusePostgres } from '../../common/pg-refuser.ts';
import { log } from '../../common/logger.ts';
import { listenTcp, type ClosableServer } from '../../common/tcp-server.ts';
import type { TimelineRegistry } from '../timelines.ts';
import { ReplicationSession } from './replication.ts';
import { WalPushSession } from './walpush.ts';

export function startWalService(host: string, port: number, registry: TimelineRegistry): Promise<ClosableServer> {
  return listenTcp(host, port, (socket) => {
    socket.once('data', (first: Buffer) => {
      if (looksLikePostgres(first)) {
        refusePostgres(socket, "this is a neon-local safekeeper's WAL service, not a Postgres server; connect psql to a compute endpoint (neon-local endpoint list)", first);
        return;
      }
      let handler: ((frames: Frame[]) => void) | null = null;
      const conn = new FramedSocket(socket, (frames) => {
        if (handler) return handler(frames);
        const [hello, ...rest] = frames;
        handler = accept(conn, hello!, registry, `${socket.remoteAddress}:${socket.remotePort}`);
        if (handler && rest.length) handler(rest);
      });
      socket.emit('data', first); // the FramedSocket listens from now on; hand it the first chunk
    });
  });
}

function accept(conn: FramedSocket, hello: Frame, registry: TimelineRegistry, peer: string): ((frames: Frame[]) => void) | null {
  if (hello.tag !== 'H') {
    conn.fail('protocol', `expected a hello frame, got '${hello.tag}'`);
    return null;
  }
  let msg: ClientHello;
  try {
    msg = parseJsonBody<ClientHello>(hello);
  } catch (err) {
    conn.fail('protocol', (err as Error).message);
    return null;
  }
  if (msg.protocol !== WAL_SERVICE_PROTOCOL) {
    conn.fail('protocol', `unsupported protocol ${JSON.stringify(msg.protocol)}; this safekeeper speaks ${WAL_SERVICE_PROTOCOL}`);
    return null;
  }
  if (!isHexId(msg.tenant_id) || !isHexId(msg.timeline_id)) {
    conn.fail('bad-request', 'tenant_id and timeline_id must be 32 lowercase hex digits');
    return null;
  }
  const timeline = registry.get(msg.tenant_id, msg.timeline_id);
  if (!timeline) {
    const deleted = registry.isDeleted(msg.tenant_id, msg.timeline_id);
    conn.fail('timeline-not-found', `timeline ${msg.tenant_id}/${msg.timeline_id} ${deleted ? 'was deleted' : 'not found'} on safekeeper ${registry.nodeId}`);
    return null;
  }
  conn.sendJson('H', { safekeeper_id: registry.nodeId });
  if (msg.mode === 'walpush') {
    log.info(`walproposer connected from ${peer}`, { timeline: `${msg.tenant_id}/${msg.timeline_id}` });
    const session = new WalPushSession(conn, timeline, peer);
    return (frames) => session.frames(frames);
  }
  let start: number;
  try {
    start = parseLsn(msg.start_lsn);
  } catch (err) {
    conn.fail('bad-request', (err as Error).message);
    return null;
  }
  const session = new ReplicationSession(conn, timeline, start, msg.term, msg.consumer);
  void session.run();
  return (frames) => session.frames(frames);
}
