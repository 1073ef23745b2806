// The pageserver's page service on its pg port (neon-local's own protocol; Neon's is libpq
// "pagestream"): after a JSON hello that binds the connection to one timeline, a compute asks for
// values as of an LSN. Requests carry ids, so many can be in flight on one connection.
//
// As in Neon's pagestream v2, a read names two LSNs: `lsn` (the request LSN: the compute's view,
// refused below the GC cutoff) and `not_modified_since` (the compute knows the key did not change
// after it, so the pageserver only waits for WAL up to there). The read is served at
// max(not_modified_since, min(lsn, last_record_lsn)), which returns the same value sooner.
//
// Client → server                                  Server → client
//  'G' get:    u32 id, u64 lsn, u64 nms, key         'g' u32 id, u8 found, value
//  'S' scan:   u32 id, u64 lsn, u64 nms, u32 limit,  's' u32 id, u8 last, u32 n, n × (u32 len, key, u32 len, value)
//              u32 len + start, u32 len + end        (live entries only, ascending; end len 0xFFFFFFFF = unbounded)
//  'B' start:  u32 id, u64 lsn (0 = latest)          'b' u32 id, JSON {lsn, prev_lsn, pg_version}
//                                                    'e' u32 id, JSON {code, message}

import type { Lsn } from '../wal/lsn.ts';
import { BinaryReader, BinaryWriter } from './binary.ts';

export const PAGE_SERVICE_PROTOCOL = 'neon-local-page/2';
const UNBOUNDED = 0xffffffff;

export interface PageHello {
  protocol: typeof PAGE_SERVICE_PROTOCOL;
  tenant_id: string;
  timeline_id: string;
}

export type PageRequest =
  | { kind: 'get'; id: number; lsn: Lsn; notModifiedSince: Lsn; key: Buffer }
  | { kind: 'scan'; id: number; lsn: Lsn; notModifiedSince: Lsn; limit: number; start: Buffer; end: Buffer | null }
  | { kind: 'start'; id: number; lsn: Lsn };

export interface StartInfo {
  lsn: string;
  prev_lsn: string | null;
  pg_version: number;
}

export interface PageError {
  code: 'tenant-not-found' | 'timeline-not-found' | 'lsn-out-of-range' | 'lsn-timeout' | 'bad-request' | 'shutting-down' | 'internal';
  message: string;
}

export interface Entry {
  key: Buffer;
  value: Buffer;
}

export function encodePageRequest(r: PageRequest): { tag: string; body: Buffer } {
  const w = new BinaryWriter().u32(r.id).u64(r.lsn);
  if (r.kind === 'start') return { tag: 'B', body: w.done() };
  w.u64(r.notModifiedSince);
  if (r.kind === 'get') return { tag: 'G', body: w.bytes(r.key).done() };
  w.u32(r.limit).u32(r.start.length).bytes(r.start);
  if (r.end) w.u32(r.end.length).bytes(r.end);
  else w.u32(UNBOUNDED);
  return { tag: 'S', body: w.done() };
}

export function decodePageRequest(tag: string, body: Buffer): PageRequest {
  const r = new BinaryReader(body);
  const id = r.u32('request id');
  const lsn = r.u64('lsn');
  if (tag === 'B') return { kind: 'start', id, lsn };
  if (tag !== 'G' && tag !== 'S') throw new Error(`unknown page service request '${tag}'`);
  const notModifiedSince = r.u64('not_modified_since');
  if (tag === 'G') return { kind: 'get', id, lsn, notModifiedSince, key: r.rest() };
  const limit = r.u32('limit');
  const start = r.bytes(r.u32('start length'), 'start key');
  const endLength = r.u32('end length');
  const end = endLength === UNBOUNDED ? null : r.bytes(endLength, 'end key');
  return { kind: 'scan', id, lsn, notModifiedSince, limit, start, end };
}

export function encodeGetReply(id: number, value: Buffer | null): Buffer {
  return new BinaryWriter().u32(id).u8(value ? 1 : 0).bytes(value ?? Buffer.alloc(0)).done();
}

export function decodeGetReply(body: Buffer): { id: number; value: Buffer | null } {
  const r = new BinaryReader(body);
  const id = r.u32();
  const found = r.u8() === 1;
  return { id, value: found ? r.rest() : null };
}

export function encodeScanReply(id: number, last: boolean, entries: Entry[]): Buffer {
  const w = new BinaryWriter().u32(id).u8(last ? 1 : 0).u32(entries.length);
  for (const e of entries) w.u32(e.key.length).bytes(e.key).u32(e.value.length).bytes(e.value);
  return w.done();
}

export function decodeScanReply(body: Buffer): { id: number; last: boolean; entries: Entry[] } {
  const id = body.readUInt32BE(0);
  const last = body.readUInt8(4) === 1;
  const n = body.readUInt32BE(5);
  const entries: Entry[] = [];
  let o = 9;
  for (let i = 0; i < n; i++) {
    const kl = body.readUInt32BE(o);
    const key = body.subarray(o + 4, o + 4 + kl);
    o += 4 + kl;
    const vl = body.readUInt32BE(o);
    const value = body.subarray(o + 4, o + 4 + vl);
    o += 4 + vl;
    entries.push({ key, value });
  }
  return { id, last, entries };
}

export function encodeIdJson(id: number, value: unknown): Buffer {
  return Buffer.concat([new BinaryWriter().u32(id).done(), Buffer.from(JSON.stringify(value), 'utf8')]);
}

export function decodeIdJson<T>(body: Buffer): { id: number; value: T } {
  return { id: body.readUInt32BE(0), value: JSON.parse(body.subarray(4).toString('utf8')) as T };
}
