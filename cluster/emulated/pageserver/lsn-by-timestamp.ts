// GET /v1/tenant/:tsid/timeline/:tl/get_lsn_by_timestamp?timestamp=<rfc3339>[&with_lease=bool]:
// the face of the timeline's LSN-by-time mapping (timeline/commit-times.ts), with Neon's query
// parsing, messages and response shape {"lsn": "X/Y", "kind": "present|future|past|nodata"}.

import { parseTenantShardId } from '../../api/ids.ts';
import { formatLsn } from '../../wal/lsn.ts';
import { badRequest } from '../common/http-server.ts';
import { log } from '../common/logger.ts';
import { parseRfc3339Us, type LsnForTimestampKind } from './timeline/commit-times.ts';
import type { Timeline } from './timeline/timeline.ts';

export interface LsnByTimestampQuery {
  timeUs: number;
  raw: string;
  withLease: boolean;
}

/** The query, refused (400) as Neon refuses it; only shard zero has the commit times. */
export function lsnByTimestampQuery(tenantShardId: string, query: URLSearchParams): LsnByTimestampQuery {
  if ((parseTenantShardId(tenantShardId)?.shardNumber ?? 0) !== 0) throw badRequest('Lsn calculations by timestamp are only available on shard zero');
  const raw = query.get('timestamp');
  if (raw === null) throw badRequest('no timestamp specified in query parameters');
  const timeUs = parseRfc3339Us(raw);
  if (timeUs === null) throw badRequest(`Invalid time: ${JSON.stringify(raw)}`);
  const lease = query.get('with_lease');
  if (lease !== null && lease !== 'true' && lease !== 'false') throw badRequest('cannot parse query param with_lease: provided string was not `true` or `false`');
  return { timeUs, raw, withLease: lease === 'true' };
}

export function lsnByTimestamp(timeline: Timeline, query: LsnByTimestampQuery): { lsn: string; kind: LsnForTimestampKind } {
  const { lsn, kind } = timeline.findLsnForTimestamp(query.timeUs);
  // LSN leases are not emulated: answer as Neon does when granting one fails (no valid_until).
  if (query.withLease) log.warn(`fail to grant a lease to ${formatLsn(lsn)}: LSN leases are not emulated`);
  log.info('lsn_by_timestamp finished', { lsn: formatLsn(lsn), kind, timestamp: query.raw });
  return { lsn: formatLsn(lsn), kind };
}
