// How SQL tables map onto the storage's key/value space (documented in docs/SQL.md):
//   0x00 'c' <table name>          → the table's definition (JSON)
//   0x00 'm' 'next_table_id'       → the next table id (so a dropped table's id is never reused)
//   0x01 <table id u32> <pk>       → the row (JSON array in column order)
//   (keys starting 0xFF are the pageserver's own, e.g. its store of commit times: never written here)
// Primary keys are encoded so that byte order is value order: ints as 8 bytes big-endian with the
// sign bit flipped, floats in the usual sortable IEEE encoding, text as UTF-8, bools as one byte.

import type { ColumnType } from '../sql/index.ts';

export type Value = bigint | number | string | boolean | null;

export const CATALOG_PREFIX = Buffer.from([0x00, 0x63]); // 0x00 'c'
export const NEXT_TABLE_ID_KEY = Buffer.concat([Buffer.from([0x00, 0x6d]), Buffer.from('next_table_id')]);
const ROW_TAG = 0x01;

export function catalogKey(table: string): Buffer {
  return Buffer.concat([CATALOG_PREFIX, Buffer.from(table, 'utf8')]);
}

export function tablePrefix(tableId: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt8(ROW_TAG, 0);
  b.writeUInt32BE(tableId, 1);
  return b;
}

/** The first key after every key with this prefix. */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  throw new Error('prefix has no end');
}

export function encodeKeyValue(type: ColumnType, value: Value): Buffer {
  switch (type) {
    case 'int': {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(value as bigint) ^ (1n << 63n)));
      return b;
    }
    case 'float': {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(Number(value));
      if (b[0]! & 0x80) for (let i = 0; i < 8; i++) b[i] = ~b[i]! & 0xff;
      else b[0]! |= 0x80;
      return b;
    }
    case 'bool':
      return Buffer.from([value ? 1 : 0]);
    case 'text':
      return Buffer.from(String(value), 'utf8');
  }
}

export function rowKey(tableId: number, type: ColumnType, pk: Value): Buffer {
  return Buffer.concat([tablePrefix(tableId), encodeKeyValue(type, pk)]);
}

/** Rows are JSON arrays; ints travel as strings so 64-bit values survive. */
export function encodeRow(values: Value[]): Buffer {
  return Buffer.from(JSON.stringify(values.map((v) => (typeof v === 'bigint' ? v.toString() : v))), 'utf8');
}

export function decodeRow(types: ColumnType[], bytes: Buffer): Value[] {
  const raw = JSON.parse(bytes.toString('utf8')) as (string | number | boolean | null)[];
  return raw.map((v, i) => (v !== null && types[i] === 'int' ? BigInt(v as string) : v));
}
