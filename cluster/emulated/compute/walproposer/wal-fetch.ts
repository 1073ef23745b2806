// Reading WAL back from a safekeeper: a replication connection in recovery mode (bound to our
// term, so it delivers flushed WAL even before it is committed). Used to bring a lagging safekeeper
// up to the term start, and for WAL no longer in the compute's buffer.

import { connectFramed } from '../../../protocol/framed-socket.ts';
import { parseJsonBody } from '../../../protocol/frames.ts';
import { decodeWalData, WAL_SERVICE_PROTOCOL, type ErrorMessage } from '../../../protocol/wal-service.ts';
import { formatLsn, type Lsn } from '../../../wal/lsn.ts';
import type { SafekeeperAddress } from './safekeeper-connection.ts';

export function fetchWal(
  address: SafekeeperAddress,
  ids: { tenantId: string; timelineId: string },
  term: number,
  from: Lsn,
  to: Lsn,
  timeoutMs = 30_000,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let have = from;
    let settled = false;
    const done = (err: Error | null, value?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn?.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => done(new Error(`fetching WAL ${formatLsn(from)}-${formatLsn(to)} from ${address.host}:${address.port} timed out`)), timeoutMs);
    let conn: Awaited<ReturnType<typeof connectFramed>> | undefined;
    connectFramed(address.host, address.port, (frames) => {
      for (const f of frames) {
        if (f.tag === 'E') return done(new Error(`safekeeper refused to send WAL: ${parseJsonBody<ErrorMessage>(f).message}`));
        if (f.tag !== 'w') continue;
        const chunk = decodeWalData(f.body);
        if (chunk.startLsn !== have) return done(new Error(`WAL stream jumped from ${formatLsn(have)} to ${formatLsn(chunk.startLsn)}`));
        parts.push(chunk.data);
        have += chunk.data.length;
        if (have >= to) return done(null, Buffer.concat(parts).subarray(0, to - from));
      }
    })
      .then((c) => {
        conn = c;
        c.onClose(() => done(new Error(`safekeeper ${address.host}:${address.port} closed the WAL stream at ${formatLsn(have)}, wanted ${formatLsn(to)}`)));
        c.sendJson('H', { protocol: WAL_SERVICE_PROTOCOL, mode: 'replication', tenant_id: ids.tenantId, timeline_id: ids.timelineId, start_lsn: formatLsn(from), term, consumer: 'walproposer recovery' });
      })
      .catch((err: Error) => done(err));
  });
}
