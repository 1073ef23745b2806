// The workload's history: JSON lines, one operation event per line, appended as it happens so
// that a crash leaves a usable prefix. The first line is a header naming the format:
//
//   {"type":"header","format":"neon-local-history/1","startedAt":ISO,"endpoint":"ep-main",
//    "tenant":..,"timeline":..,"table":"workload_kv","keys":K,"clients":N,"seed":S}
//   {"type":"invoke","op":"write","process":0,"time":12.5,"key":"k3","value":"0-1","lsn":null,...}
//   {"type":"ok","op":"write","process":0,"time":20.1,"key":"k3","value":"0-1","lsn":"0/1A2B3C8",...}
//
// Every event carries op ("write" | "read"), process (the client index; -1 for the final reads),
// time (ms since startedAt), key, value, lsn (the commit LSN of an ok write, else null), endpoint,
// tenant, timeline, and for fail/unknown an error. A client has at most one operation open: its
// invoke is followed by exactly one ok, fail (it certainly did not take effect) or unknown (it may
// have). Writes carry the value they write (unique in the history); reads carry in ok the value
// read (null: no row). `final` events record each key's value read after every client stopped.
// The workload empties its table before the first event, so every key starts absent.
// `durability` lines, between events, record each safekeeper's flush_lsn at a moment (see
// durability.ts); the checker holds every write acknowledged before one to them.

import fs from 'node:fs';
import { NeonLocalError } from '../util/errors.ts';
import { parseLsn } from '../wal/lsn.ts';
import type { DurabilitySnapshot } from './durability.ts';

export const HISTORY_FORMAT = 'neon-local-history/1';
/** The process of `final` events: not a client. */
export const FINAL_PROCESS = -1;

export interface HistoryHeader {
  type: 'header';
  format: typeof HISTORY_FORMAT;
  startedAt: string;
  endpoint: string;
  tenant: string;
  timeline: string;
  table: string;
  keys: number;
  clients: number;
  /** The workload's PRNG seed, to repeat its choice of keys and operations. */
  seed?: number;
}

export type EventType = 'invoke' | 'ok' | 'fail' | 'unknown' | 'final';
export type OpKind = 'write' | 'read';

export interface HistoryEvent {
  type: EventType;
  op: OpKind;
  process: number;
  time: number;
  key: string;
  value: string | null;
  lsn: string | null;
  endpoint: string;
  tenant: string;
  timeline: string;
  error?: string;
}

export interface History {
  header: HistoryHeader;
  events: HistoryEvent[];
  durability: DurabilitySnapshot[];
}

/** Appends events to a history file, one synchronous write per line. */
export class HistoryWriter {
  private fd: number | null;

  constructor(readonly file: string, header: HistoryHeader) {
    this.fd = fs.openSync(file, 'w');
    this.write(header);
  }

  append(event: HistoryEvent | DurabilitySnapshot): void {
    this.write(event);
  }

  private write(line: HistoryHeader | HistoryEvent | DurabilitySnapshot): void {
    if (this.fd === null) throw new Error(`history ${this.file} is closed`);
    fs.writeSync(this.fd, JSON.stringify(line) + '\n');
  }

  close(): void {
    if (this.fd === null) return;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** Reads and validates a history file; anything that is not one is a usage error naming the line. */
export function readHistory(file: string): History {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new NeonLocalError('usage', `cannot read history ${file}: ${(err as Error).message}`, { hint: 'give the file `neon-local workload run --history FILE` wrote' });
  }
  return parseHistory(text, file);
}

const TYPES: readonly EventType[] = ['invoke', 'ok', 'fail', 'unknown', 'final'];
const OPS: readonly OpKind[] = ['write', 'read'];
const HINT = `not a history written by \`neon-local workload run\` (format ${HISTORY_FORMAT})`;

export function parseHistory(text: string, file = '<history>'): History {
  const lines = text.split('\n');
  // A crash may leave the last line cut short: a final partial line without newline is dropped.
  if (lines.length > 1 && lines[lines.length - 1] !== '' && !text.endsWith('\n')) {
    try {
      JSON.parse(lines[lines.length - 1]!);
    } catch {
      lines.pop();
    }
  }
  const fail = (line: number, message: string): never => {
    throw new NeonLocalError('usage', `${file}:${line}: ${message}`, { hint: HINT });
  };
  const parse = (i: number): Record<string, unknown> => {
    let value: unknown;
    try {
      value = JSON.parse(lines[i]!);
    } catch {
      return fail(i + 1, `not a JSON line: ${JSON.stringify(lines[i]!.slice(0, 80))}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(i + 1, 'not a JSON object');
    return value as Record<string, unknown>;
  };

  if (lines[0] === undefined || lines[0].trim() === '') fail(1, 'empty file: expected a history header');
  const header = parseHeader(parse(0), (m) => fail(1, m));
  const events: HistoryEvent[] = [];
  const durability: DurabilitySnapshot[] = [];
  const open = new Map<number, HistoryEvent>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const line = parse(i);
    if (line['type'] === 'durability') {
      durability.push(parseDurability(line, (m) => fail(i + 1, m)));
      continue;
    }
    const e = parseEvent(line, (m) => fail(i + 1, m));
    if (e.type === 'invoke') {
      if (open.has(e.process)) fail(i + 1, `process ${e.process} invokes a ${e.op} while its previous operation is still open`);
      open.set(e.process, e);
    } else if (e.type !== 'final') {
      const invoke = open.get(e.process);
      if (!invoke) fail(i + 1, `${e.type} of process ${e.process} without an invoke`);
      else if (invoke.op !== e.op || invoke.key !== e.key) fail(i + 1, `${e.type} ${e.op} of ${e.key} does not complete process ${e.process}'s ${invoke.op} of ${invoke.key}`);
      open.delete(e.process);
    }
    events.push(e);
  }
  return { header, events, durability };
}

function parseHeader(v: Record<string, unknown>, fail: (m: string) => never): HistoryHeader {
  if (v['type'] !== 'header') fail(`expected a header line ({"type":"header","format":"${HISTORY_FORMAT}",...}), found ${JSON.stringify(v).slice(0, 80)}`);
  if (v['format'] !== HISTORY_FORMAT) fail(`unknown history format ${JSON.stringify(v['format'])}; this version reads ${HISTORY_FORMAT}`);
  for (const f of ['startedAt', 'endpoint', 'tenant', 'timeline', 'table'] as const) if (typeof v[f] !== 'string') fail(`header: ${f} must be a string`);
  for (const f of ['keys', 'clients'] as const) if (!Number.isInteger(v[f]) || (v[f] as number) < 1) fail(`header: ${f} must be a positive integer`);
  return v as unknown as HistoryHeader;
}

function parseDurability(v: Record<string, unknown>, fail: (m: string) => never): DurabilitySnapshot {
  if (typeof v['time'] !== 'number' || !Number.isFinite(v['time'])) fail(`durability: time must be a number (ms since start), got ${JSON.stringify(v['time'])}`);
  for (const f of ['tenant', 'timeline'] as const) if (typeof v[f] !== 'string') fail(`durability: ${f} must be a string`);
  const sks = v['safekeepers'];
  if (typeof sks !== 'object' || sks === null || Array.isArray(sks) || Object.keys(sks).length === 0) fail('durability: safekeepers must be an object of flush LSNs by safekeeper name');
  for (const [name, lsn] of Object.entries(sks as Record<string, unknown>)) {
    if (lsn === null) continue;
    if (typeof lsn !== 'string') fail(`durability: the flush LSN of ${name} must be "X/Y" or null`);
    try {
      parseLsn(lsn);
    } catch (err) {
      fail(`durability: ${name}: ${(err as Error).message}`);
    }
  }
  return v as unknown as DurabilitySnapshot;
}

function parseEvent(v: Record<string, unknown>, fail: (m: string) => never): HistoryEvent {
  if (v['type'] === 'header') fail('a second header');
  if (!TYPES.includes(v['type'] as EventType)) fail(`unknown event type ${JSON.stringify(v['type'])} (expected ${TYPES.join(', ')} or durability)`);
  if (!OPS.includes(v['op'] as OpKind)) fail(`op must be "write" or "read", got ${JSON.stringify(v['op'])}`);
  if (!Number.isInteger(v['process']) || (v['process'] as number) < FINAL_PROCESS) fail(`process must be a client index, got ${JSON.stringify(v['process'])}`);
  if (typeof v['time'] !== 'number' || !Number.isFinite(v['time'])) fail(`time must be a number (ms since start), got ${JSON.stringify(v['time'])}`);
  if (typeof v['key'] !== 'string') fail('key must be a string');
  if (v['value'] !== null && typeof v['value'] !== 'string') fail('value must be a string or null');
  if (v['lsn'] !== null && typeof v['lsn'] !== 'string') fail('lsn must be "X/Y" or null');
  if (typeof v['lsn'] === 'string') {
    try {
      parseLsn(v['lsn']);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  for (const f of ['endpoint', 'tenant', 'timeline'] as const) if (typeof v[f] !== 'string') fail(`${f} must be a string`);
  if (v['error'] !== undefined && typeof v['error'] !== 'string') fail('error must be a string');
  if (v['type'] === 'final' && v['op'] !== 'read') fail('a final event is a read');
  if (v['op'] === 'write' && v['type'] !== 'final' && typeof v['value'] !== 'string') fail(`a write's ${String(v['type'])} must carry the value written`);
  return v as unknown as HistoryEvent;
}
