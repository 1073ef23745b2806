// Encoders for the backend (server → client) messages of protocol v3.
// https://www.postgresql.org/docs/current/protocol-message-formats.html

import type { PgError } from './errors.ts';
import { TypeOid, type Column } from './types.ts';

/** A message: type byte, int32 length (including itself), body. */
function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out.write(type, 0, 'latin1');
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

const cstring = (text: string) => Buffer.from(`${text}\0`, 'utf8');

function int32(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(value);
  return b;
}

function int16(value: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeInt16BE(value);
  return b;
}

export const authenticationOk = () => message('R', int32(0));
export const parameterStatus = (name: string, value: string) => message('S', Buffer.concat([cstring(name), cstring(value)]));
export const backendKeyData = (processId: number, secretKey: number) => message('K', Buffer.concat([int32(processId), int32(secretKey)]));
export const readyForQuery = (status: 'I' | 'T' | 'E') => message('Z', Buffer.from(status, 'latin1'));
export const commandComplete = (tag: string) => message('C', cstring(tag));
export const emptyQueryResponse = () => message('I');
export const parseComplete = () => message('1');
export const bindComplete = () => message('2');
export const closeComplete = () => message('3');
export const noData = () => message('n');
export const portalSuspended = () => message('s');

/** Answers a 3.x startup with a minor version we lack: "use 3.0; these options are unknown". */
export function negotiateProtocolVersion(newestMinor: number, unrecognizedOptions: string[]): Buffer {
  return message('v', Buffer.concat([int32(newestMinor), int32(unrecognizedOptions.length), ...unrecognizedOptions.map(cstring)]));
}

export function parameterDescription(typeOids: number[]): Buffer {
  return message('t', Buffer.concat([int16(typeOids.length), ...typeOids.map(int32)]));
}

/** pg_type.typlen of the types we return (-1: variable length). */
const TYPE_LENGTHS: Record<number, number> = {
  [TypeOid.bool]: 1,
  [TypeOid.name]: 64,
  [TypeOid.int8]: 8,
  [TypeOid.int4]: 4,
  [TypeOid.float8]: 8,
  [TypeOid.pg_lsn]: 8,
};

export function rowDescription(columns: Column[]): Buffer {
  const fields = columns.map((column) => {
    const attributes = Buffer.allocUnsafe(18);
    attributes.writeInt32BE(0, 0); // table OID: not a table column
    attributes.writeInt16BE(0, 4); // attribute number
    attributes.writeInt32BE(column.typeOid, 6);
    attributes.writeInt16BE(TYPE_LENGTHS[column.typeOid] ?? -1, 10);
    attributes.writeInt32BE(-1, 12); // type modifier
    attributes.writeInt16BE(0, 16); // format: text
    return Buffer.concat([cstring(column.name), attributes]);
  });
  return message('T', Buffer.concat([int16(columns.length), ...fields]));
}

export function dataRow(values: (string | null)[]): Buffer {
  let size = 2;
  const encoded = values.map((value) => (value === null ? null : Buffer.from(value, 'utf8')));
  for (const value of encoded) size += 4 + (value?.length ?? 0);
  const body = Buffer.allocUnsafe(size);
  body.writeInt16BE(values.length, 0);
  let offset = 2;
  for (const value of encoded) {
    if (value === null) {
      offset = body.writeInt32BE(-1, offset);
    } else {
      offset = body.writeInt32BE(value.length, offset);
      offset += value.copy(body, offset);
    }
  }
  return message('D', body);
}

export function errorResponse(error: PgError, severity: 'ERROR' | 'FATAL' = error.severity): Buffer {
  const fields: [string, string | undefined][] = [
    ['S', severity],
    ['V', severity],
    ['C', error.sqlstate],
    ['M', error.message],
    ['D', error.options?.detail],
    ['H', error.options?.hint],
    ['P', error.options?.position?.toString()],
  ];
  const parts = fields.filter(([, value]) => value !== undefined).map(([code, value]) => cstring(code + value));
  return message('E', Buffer.concat([...parts, Buffer.from([0])]));
}
