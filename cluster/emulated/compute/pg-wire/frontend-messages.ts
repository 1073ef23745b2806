// Decoders for the frontend (client → server) messages of protocol v3. A malformed body is a
// protocol violation (FATAL 08P01), as in PostgreSQL.

import { protocolViolation } from './errors.ts';

/** Reads a message body front to back; any overrun is a protocol violation. */
class BodyReader {
  private offset = 0;

  constructor(
    private readonly body: Buffer,
    private readonly what: string,
  ) {}

  int16(): number {
    this.need(2);
    const value = this.body.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  byte(): string {
    this.need(1);
    return String.fromCharCode(this.body[this.offset++]!);
  }

  cstring(): string {
    const end = this.body.indexOf(0, this.offset);
    if (end < 0) throw protocolViolation(`invalid ${this.what} message: unterminated string`);
    const text = this.body.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return text;
  }

  bytes(length: number): Buffer {
    this.need(length);
    const value = this.body.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** `count` items read by `read`; a count beyond the body fails at the first overrun. */
  list<T>(count: number, read: () => T): T[] {
    if (count < 0) throw protocolViolation(`invalid ${this.what} message: negative count`);
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(read());
    return items;
  }

  end(): void {
    const trailing = this.body.length - this.offset;
    if (trailing !== 0) throw protocolViolation(`invalid ${this.what} message: ${trailing} trailing bytes`);
  }

  private need(n: number): void {
    if (this.offset + n > this.body.length) throw protocolViolation(`invalid ${this.what} message: too short`);
  }
}

/** Startup parameters: name/value C-string pairs ended by an empty name. */
export function decodeStartupParameters(body: Buffer): Record<string, string> {
  const reader = new BodyReader(body, 'startup');
  const params: Record<string, string> = {};
  for (;;) {
    const name = reader.cstring();
    if (name === '') break;
    params[name] = reader.cstring();
  }
  reader.end();
  return params;
}

export function decodeQuery(body: Buffer): string {
  const reader = new BodyReader(body, 'Query');
  const sql = reader.cstring();
  reader.end();
  return sql;
}

export interface ParseMessage {
  statement: string;
  sql: string;
  paramTypes: number[];
}

export function decodeParse(body: Buffer): ParseMessage {
  const reader = new BodyReader(body, 'Parse');
  const statement = reader.cstring();
  const sql = reader.cstring();
  const paramTypes = reader.list(reader.int16(), () => reader.int32());
  reader.end();
  return { statement, sql, paramTypes };
}

export interface BindMessage {
  portal: string;
  statement: string;
  /** 0 text, 1 binary: none (all text), one (applies to all), or one per parameter. */
  paramFormats: number[];
  params: (Buffer | null)[];
  resultFormats: number[];
}

export function decodeBind(body: Buffer): BindMessage {
  const reader = new BodyReader(body, 'Bind');
  const portal = reader.cstring();
  const statement = reader.cstring();
  const paramFormats = reader.list(reader.int16(), () => reader.int16());
  const params = reader.list(reader.int16(), () => {
    const length = reader.int32();
    return length === -1 ? null : reader.bytes(length);
  });
  const resultFormats = reader.list(reader.int16(), () => reader.int16());
  reader.end();
  return { portal, statement, paramFormats, params, resultFormats };
}

/** Describe and Close: 'S' (prepared statement) or 'P' (portal), then a name. */
export interface TargetMessage {
  target: 'S' | 'P';
  name: string;
}

export function decodeTarget(body: Buffer, what: 'Describe' | 'Close'): TargetMessage {
  const reader = new BodyReader(body, what);
  const target = reader.byte();
  if (target !== 'S' && target !== 'P') throw protocolViolation(`invalid ${what} message subtype ${JSON.stringify(target)}`);
  const name = reader.cstring();
  reader.end();
  return { target, name };
}

export interface ExecuteMessage {
  portal: string;
  /** 0: all rows. */
  maxRows: number;
}

export function decodeExecute(body: Buffer): ExecuteMessage {
  const reader = new BodyReader(body, 'Execute');
  const portal = reader.cstring();
  const maxRows = reader.int32();
  reader.end();
  return { portal, maxRows };
}
