// The compute spec (config.json, as neon_local writes it for compute_ctl): which timeline, which
// pageserver, which safekeepers. Only the fields the emulated compute uses are read.

import fs from 'node:fs';
import { isHexId } from '../../api/ids.ts';
import { parseLsn, type Lsn } from '../../wal/lsn.ts';

export interface ComputeSpec {
  tenantId: string;
  timelineId: string;
  endpointId: string;
  mode: { kind: 'primary' } | { kind: 'static'; lsn: Lsn };
  pageserver: { host: string; port: number };
  safekeepers: { host: string; port: number }[];
  safekeepersGeneration: number | null;
}

function hostPort(text: string, what: string): { host: string; port: number } {
  const m = /^(?:[a-z]+:\/\/(?:[^@/]*@)?)?([^:/]+):(\d+)/.exec(text);
  if (!m) throw new Error(`${what}: "${text}" is not host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

export function parseSpec(json: unknown): ComputeSpec {
  const root = json as { spec?: Record<string, unknown> };
  const spec = root.spec ?? (json as Record<string, unknown>);
  const tenantId = String(spec['tenant_id'] ?? '');
  const timelineId = String(spec['timeline_id'] ?? '');
  if (!isHexId(tenantId) || !isHexId(timelineId)) throw new Error('spec: tenant_id and timeline_id must be 32 hex digits');
  const mode = spec['mode'];
  const connstring = String(spec['pageserver_connstring'] ?? '').split(',')[0] ?? '';
  const safekeepers = ((spec['safekeeper_connstrings'] as string[] | undefined) ?? []).map((s) => hostPort(s, 'safekeeper_connstrings'));
  return {
    tenantId,
    timelineId,
    endpointId: String(spec['endpoint_id'] ?? 'ep'),
    mode: typeof mode === 'object' && mode !== null && 'Static' in mode ? { kind: 'static', lsn: parseLsn(String((mode as { Static: string }).Static)) } : { kind: 'primary' },
    pageserver: hostPort(connstring, 'pageserver_connstring'),
    safekeepers,
    safekeepersGeneration: typeof spec['safekeepers_generation'] === 'number' ? (spec['safekeepers_generation'] as number) : null,
  };
}

export function readSpecFile(file: string): ComputeSpec {
  return parseSpec(JSON.parse(fs.readFileSync(file, 'utf8')));
}
