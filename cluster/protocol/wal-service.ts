// The safekeeper's WAL service protocol. After the JSON hello, a proposer (compute) and an
// acceptor (safekeeper) exchange Neon's walproposer protocol v3 messages, byte for byte
// (neon-reference.md §5.2), one per frame whose tag is the message tag. A replication client
// (pageserver, or a proposer recovering WAL) receives WAL data frames and sends feedback.

import type { Lsn } from '../wal/lsn.ts';
import { BinaryReader, BinaryWriter, ProtocolError } from './binary.ts';
import type { Configuration, SafekeeperId } from './membership.ts';
import type { TermHistory } from './term-history.ts';

export const WAL_SERVICE_PROTOCOL = 'neon-local-wal/1';

/** First frame from a client ('H', JSON). */
export type ClientHello =
  | { protocol: typeof WAL_SERVICE_PROTOCOL; mode: 'walpush'; tenant_id: string; timeline_id: string }
  | {
      protocol: typeof WAL_SERVICE_PROTOCOL;
      mode: 'replication';
      tenant_id: string;
      timeline_id: string;
      /** Stream from this LSN ("X/Y"). */
      start_lsn: string;
      /** Without a term: stream committed WAL only (pageservers). With one: stream flushed WAL
       * written in that term — WAL recovery by a proposer — refused if the safekeeper's term differs. */
      term?: number;
      consumer: string;
    };

/** First frame from the server ('H', JSON), or an error frame ('E', JSON). */
export interface ServerHello {
  safekeeper_id: number;
}

export interface ErrorMessage {
  code: string;
  message: string;
}

// ---- proposer → acceptor ----

export interface ProposerGreeting { tag: 'g'; tenantId: string; timelineId: string; mconf: Configuration; pgVersion: number; systemId: number; walSegSize: number }
export interface VoteRequest { tag: 'v'; generation: number; term: number }
export interface ProposerElected { tag: 'e'; generation: number; term: number; startStreamingAt: Lsn; termHistory: TermHistory }
export interface AppendRequest { tag: 'a'; generation: number; term: number; beginLsn: Lsn; endLsn: Lsn; commitLsn: Lsn; truncateLsn: Lsn; walData: Buffer }
export type ProposerMessage = ProposerGreeting | VoteRequest | ProposerElected | AppendRequest;

// ---- acceptor → proposer ----

export interface AcceptorGreeting { tag: 'g'; nodeId: number; mconf: Configuration; term: number }
export interface VoteResponse { tag: 'v'; generation: number; term: number; voteGiven: boolean; flushLsn: Lsn; truncateLsn: Lsn; termHistory: TermHistory }
export interface PageserverFeedback { currentTimelineSize: number; lastReceivedLsn: Lsn; diskConsistentLsn: Lsn; remoteConsistentLsn: Lsn; replyTime: number }
export interface AppendResponse { tag: 'a'; generation: number; term: number; flushLsn: Lsn; commitLsn: Lsn; pageserverFeedback: PageserverFeedback | null }
export type AcceptorMessage = AcceptorGreeting | VoteResponse | AppendResponse;

// ---- replication ----

/** 'w': WAL bytes starting at startLsn; commitLsn as known by the sender. */
export interface WalData { startLsn: Lsn; commitLsn: Lsn; data: Buffer }
/** 'k': nothing new, here is where things stand. */
export interface Keepalive { commitLsn: Lsn; flushLsn: Lsn; term: number }
/** 'r': a pageserver's progress (Neon's PageserverFeedback LSNs). */
export interface ReplicationFeedback { lastReceivedLsn: Lsn; diskConsistentLsn: Lsn; remoteConsistentLsn: Lsn; appliedLsn: Lsn }

// ---- encoding ----

function writeMemberSet(w: BinaryWriter, set: SafekeeperId[]): void {
  w.u32(set.length);
  for (const m of set) w.u64(m.id).cstr(m.host).u16(m.pg_port);
}

function readMemberSet(r: BinaryReader): SafekeeperId[] {
  const n = r.u32('member count');
  const out: SafekeeperId[] = [];
  for (let i = 0; i < n; i++) out.push({ id: r.u64('node id'), host: r.cstr('host'), pg_port: r.u16('port') });
  return out;
}

function writeMconf(w: BinaryWriter, conf: Configuration): void {
  w.u32(conf.generation);
  writeMemberSet(w, conf.members);
  writeMemberSet(w, conf.new_members ?? []);
}

function readMconf(r: BinaryReader): Configuration {
  const generation = r.u32('generation');
  const members = readMemberSet(r);
  const newMembers = readMemberSet(r);
  if (generation !== 0 && members.length === 0) throw new ProtocolError(`configuration generation ${generation} has no members`);
  return { generation, members, new_members: newMembers.length ? newMembers : null };
}

function writeHistory(w: BinaryWriter, history: TermHistory): void {
  w.u32(history.length);
  for (const e of history) w.u64(e.term).u64(e.lsn);
}

function readHistory(r: BinaryReader): TermHistory {
  const n = r.u32('term history length');
  const out: TermHistory = [];
  for (let i = 0; i < n; i++) out.push({ term: r.u64('term'), lsn: r.u64('lsn') });
  return out;
}

export function encodeProposerMessage(msg: ProposerMessage): Buffer {
  const w = new BinaryWriter();
  switch (msg.tag) {
    case 'g':
      w.cstr(msg.tenantId).cstr(msg.timelineId);
      writeMconf(w, msg.mconf);
      return w.u32(msg.pgVersion).u64(msg.systemId).u32(msg.walSegSize).done();
    case 'v':
      return w.u32(msg.generation).u64(msg.term).done();
    case 'e':
      w.u32(msg.generation).u64(msg.term).u64(msg.startStreamingAt);
      writeHistory(w, msg.termHistory);
      return w.done();
    case 'a':
      return w.u32(msg.generation).u64(msg.term).u64(msg.beginLsn).u64(msg.endLsn).u64(msg.commitLsn).u64(msg.truncateLsn).bytes(msg.walData).done();
  }
}

export function decodeProposerMessage(tag: string, body: Buffer): ProposerMessage {
  const r = new BinaryReader(body);
  switch (tag) {
    case 'g':
      return { tag, tenantId: r.cstr('tenant id'), timelineId: r.cstr('timeline id'), mconf: readMconf(r), pgVersion: r.u32(), systemId: r.u64(), walSegSize: r.u32() };
    case 'v':
      return { tag, generation: r.u32('generation'), term: r.u64('term') };
    case 'e':
      return { tag, generation: r.u32('generation'), term: r.u64('term'), startStreamingAt: r.u64('start_streaming_at'), termHistory: readHistory(r) };
    case 'a': {
      const generation = r.u32('generation');
      const term = r.u64('term');
      const beginLsn = r.u64('begin_lsn');
      const endLsn = r.u64('end_lsn');
      const commitLsn = r.u64('commit_lsn');
      const truncateLsn = r.u64('truncate_lsn');
      const walData = r.rest();
      if (walData.length !== endLsn - beginLsn) throw new ProtocolError(`append request carries ${walData.length} bytes for ${endLsn - beginLsn} of WAL`);
      return { tag, generation, term, beginLsn, endLsn, commitLsn, truncateLsn, walData };
    }
    default:
      throw new ProtocolError(`unknown proposer message tag '${tag}'`);
  }
}

const FEEDBACK_KEYS = ['current_timeline_size', 'ps_writelsn', 'ps_flushlsn', 'ps_applylsn', 'ps_replytime'] as const;

export function encodeAcceptorMessage(msg: AcceptorMessage): Buffer {
  const w = new BinaryWriter();
  switch (msg.tag) {
    case 'g':
      w.u64(msg.nodeId);
      writeMconf(w, msg.mconf);
      return w.u64(msg.term).done();
    case 'v':
      w.u32(msg.generation).u64(msg.term).u8(msg.voteGiven ? 1 : 0).u64(msg.flushLsn).u64(msg.truncateLsn);
      writeHistory(w, msg.termHistory);
      return w.done();
    case 'a': {
      // hot-standby feedback (timestamp, xmin, catalog_xmin) is always empty for us
      w.u32(msg.generation).u64(msg.term).u64(msg.flushLsn).u64(msg.commitLsn).i64(0).u64(0).u64(0);
      const f = msg.pageserverFeedback;
      if (f) {
        const values = [f.currentTimelineSize, f.lastReceivedLsn, f.diskConsistentLsn, f.remoteConsistentLsn, f.replyTime];
        w.u8(FEEDBACK_KEYS.length);
        FEEDBACK_KEYS.forEach((key, i) => w.cstr(key).u32(8).u64(values[i]!));
      }
      return w.done();
    }
  }
}

export function decodeAcceptorMessage(tag: string, body: Buffer): AcceptorMessage {
  const r = new BinaryReader(body);
  switch (tag) {
    case 'g':
      return { tag, nodeId: r.u64('node id'), mconf: readMconf(r), term: r.u64('term') };
    case 'v':
      return { tag, generation: r.u32(), term: r.u64(), voteGiven: r.u8() !== 0, flushLsn: r.u64(), truncateLsn: r.u64(), termHistory: readHistory(r) };
    case 'a': {
      const base = { tag, generation: r.u32(), term: r.u64(), flushLsn: r.u64(), commitLsn: r.u64() } as const;
      r.i64(); r.u64(); r.u64();
      let pageserverFeedback: PageserverFeedback | null = null;
      if (r.remaining() > 0) {
        const f: PageserverFeedback = { currentTimelineSize: 0, lastReceivedLsn: 0, diskConsistentLsn: 0, remoteConsistentLsn: 0, replyTime: 0 };
        const n = r.u8();
        for (let i = 0; i < n; i++) {
          const key = r.cstr('feedback key');
          const len = r.u32();
          const value = len === 8 ? r.u64() : (r.rest(), 0);
          if (key === 'current_timeline_size') f.currentTimelineSize = value;
          else if (key === 'ps_writelsn') f.lastReceivedLsn = value;
          else if (key === 'ps_flushlsn') f.diskConsistentLsn = value;
          else if (key === 'ps_applylsn') f.remoteConsistentLsn = value;
          else if (key === 'ps_replytime') f.replyTime = value;
        }
        pageserverFeedback = f;
      }
      return { ...base, pageserverFeedback };
    }
    default:
      throw new ProtocolError(`unknown acceptor message tag '${tag}'`);
  }
}

export function encodeWalData(msg: WalData): Buffer {
  return new BinaryWriter().u64(msg.startLsn).u64(msg.commitLsn).bytes(msg.data).done();
}

export function decodeWalData(body: Buffer): WalData {
  const r = new BinaryReader(body);
  return { startLsn: r.u64('start lsn'), commitLsn: r.u64('commit lsn'), data: r.rest() };
}

export function encodeKeepalive(msg: Keepalive): Buffer {
  return new BinaryWriter().u64(msg.commitLsn).u64(msg.flushLsn).u64(msg.term).done();
}

export function decodeKeepalive(body: Buffer): Keepalive {
  const r = new BinaryReader(body);
  return { commitLsn: r.u64(), flushLsn: r.u64(), term: r.u64() };
}

export function encodeFeedback(msg: ReplicationFeedback): Buffer {
  return new BinaryWriter().u64(msg.lastReceivedLsn).u64(msg.diskConsistentLsn).u64(msg.remoteConsistentLsn).u64(msg.appliedLsn).done();
}

export function decodeFeedback(body: Buffer): ReplicationFeedback {
  const r = new BinaryReader(body);
  return { lastReceivedLsn: r.u64(), diskConsistentLsn: r.u64(), remoteConsistentLsn: r.u64(), appliedLsn: r.u64() };
}
