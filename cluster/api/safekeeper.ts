// Wire types of the safekeeper HTTP API (neon safekeeper/src/http/routes.rs, neon-reference.md §3).

import { array, literal, nullable, optional, parsed, string, struct, u16, u32, u64, withDefault, type Decoded, type Decoder } from '../util/decode.ts';
import { parseLsn, type Lsn } from '../wal/lsn.ts';
import { SEGMENT_SIZE } from '../wal/format.ts';
import { hexIdDecoder } from './ids.ts';
import type { Configuration } from '../protocol/membership.ts';

export interface SafekeeperStatus {
  id: number;
}

export interface SafekeeperUtilization {
  timeline_count: number;
}

export const lsnDecoder: Decoder<Lsn> = parsed('an LSN like 0/16B3748', parseLsn);

const safekeeperIdDecoder = struct({ id: u64, host: string, pg_port: u16 });

export const configurationDecoder: Decoder<Configuration> = (v, path) => {
  const c = struct({ generation: u32, members: array(safekeeperIdDecoder), new_members: withDefault(nullable(array(safekeeperIdDecoder)), null) })(v, path);
  return { generation: c.generation, members: c.members, new_members: c.new_members };
};

/** POST /v1/tenant/timeline */
export const timelineCreateRequest = struct({
  tenant_id: hexIdDecoder,
  timeline_id: hexIdDecoder,
  mconf: configurationDecoder,
  pg_version: u32,
  system_id: optional(u64),
  wal_seg_size: withDefault(nullable(u32), SEGMENT_SIZE),
  start_lsn: lsnDecoder,
  commit_lsn: optional(lsnDecoder),
});
export type TimelineCreateRequest = Decoded<typeof timelineCreateRequest>;

export const onlyLocalQuery = literal('true', 'false');

/** GET /v1/tenant/:t/timeline/:tl (the fields neon-local reads; the safekeeper sends more). */
export interface SafekeeperTimelineStatus {
  tenant_id: string;
  timeline_id: string;
  mconf: { generation: number; members: unknown[]; new_members: unknown[] | null };
  acceptor_state: { term: number; epoch: number; term_history: { term: number; lsn: string }[] };
  flush_lsn: string;
  commit_lsn: string;
  timeline_start_lsn: string;
  local_start_lsn: string;
  backup_lsn: string;
  peer_horizon_lsn: string;
  remote_consistent_lsn: string;
}
