// Tenant and timeline ids: 16 bytes, written as 32 lowercase hex digits. A TenantShardId is the bare
// tenant id (unsharded) or `<tenant>-<NN><CC>` (shard number and count, 2 hex digits each).

import crypto from 'node:crypto';
import { parsed, type Decoder } from '../util/decode.ts';

const HEX_ID = /^[0-9a-f]{32}$/;

export function isHexId(value: string): boolean {
  return HEX_ID.test(value);
}

export function newHexId(): string {
  return crypto.randomBytes(16).toString('hex');
}

export const hexIdDecoder: Decoder<string> = parsed('a 32-digit lowercase hex id', (s) => {
  if (!HEX_ID.test(s)) throw new Error('');
  return s;
});

export interface TenantShardId {
  tenantId: string;
  shardNumber: number;
  shardCount: number;
}

export function parseTenantShardId(text: string): TenantShardId | null {
  if (HEX_ID.test(text)) return { tenantId: text, shardNumber: 0, shardCount: 0 };
  const m = /^([0-9a-f]{32})-([0-9a-f]{2})([0-9a-f]{2})$/.exec(text);
  if (!m) return null;
  return { tenantId: m[1]!, shardNumber: parseInt(m[2]!, 16), shardCount: parseInt(m[3]!, 16) };
}

export function formatTenantShardId(id: TenantShardId): string {
  if (id.shardCount === 0) return id.tenantId;
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `${id.tenantId}-${hex(id.shardNumber)}${hex(id.shardCount)}`;
}
