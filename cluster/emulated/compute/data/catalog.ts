// The compute's view of its tables, read from the storage at startup and kept up to date by its
// own DDL (nothing else writes this timeline).

import type { ColumnDef, ColumnType } from '../sql/index.ts';
import { PgError } from '../pg-wire/index.ts';
import { ExecState } from '../exec/sqlstate.ts';
import { catalogKey, decodeRow, encodeRow, NEXT_TABLE_ID_KEY, rowKey, type Value } from './keys.ts';

export interface TableDef {
  name: string;
  id: number;
  columns: ColumnDef[];
  primaryKey: string;
}

export class Table {
  readonly types: ColumnType[];
  readonly pkIndex: number;

  constructor(readonly def: TableDef) {
    this.types = def.columns.map((c) => c.type);
    this.pkIndex = def.columns.findIndex((c) => c.name === def.primaryKey);
  }

  get name(): string {
    return this.def.name;
  }

  get pkType(): ColumnType {
    return this.types[this.pkIndex]!;
  }

  column(name: string): number {
    const i = this.def.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new PgError(ExecState.undefinedColumn, `column "${name}" of relation "${this.name}" does not exist`);
    return i;
  }

  key(pk: Value): Buffer {
    return rowKey(this.def.id, this.pkType, pk);
  }

  encode(row: Value[]): Buffer {
    return encodeRow(row);
  }

  decode(bytes: Buffer): Value[] {
    return decodeRow(this.types, bytes);
  }
}

export class Catalog {
  private readonly tables = new Map<string, Table>();
  nextTableId = 1;

  static fromEntries(entries: { key: Buffer; value: Buffer }[], nextTableId: Buffer | null): Catalog {
    const c = new Catalog();
    for (const e of entries) c.add(JSON.parse(e.value.toString('utf8')) as TableDef);
    c.nextTableId = nextTableId ? nextTableId.readUInt32BE(0) : Math.max(0, ...[...c.tables.values()].map((t) => t.def.id)) + 1;
    return c;
  }

  add(def: TableDef): void {
    this.tables.set(def.name, new Table(def));
  }

  remove(name: string): void {
    this.tables.delete(name);
  }

  find(name: string): Table | undefined {
    return this.tables.get(name);
  }

  get(name: string): Table {
    const t = this.tables.get(name);
    if (!t) throw new PgError(ExecState.undefinedTable, `relation "${name}" does not exist`, { hint: 'create it first: CREATE TABLE name (id bigint PRIMARY KEY, ...)' });
    return t;
  }

  names(): string[] {
    return [...this.tables.keys()].sort();
  }

  static catalogKey = catalogKey;

  static nextTableIdValue(id: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(id);
    return b;
  }

  static readonly NEXT_TABLE_ID_KEY = NEXT_TABLE_ID_KEY;
  static encodeDef(def: TableDef): Buffer {
    return Buffer.from(JSON.stringify(def), 'utf8');
  }
}
