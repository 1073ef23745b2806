// SELECT (by key, key range or whole table; rows or aggregates), SELECT without FROM, and SHOW.

import type { AggregateItem, Select, SelectValues, RowItem } from '../sql/index.ts';
import type { Catalog, Table } from '../data/catalog.ts';
import type { Value } from '../data/keys.ts';
import type { Engine } from '../engine/engine.ts';
import type { Column, StatementResult } from '../pg-wire/index.ts';
import { PgError } from '../pg-wire/index.ts';
import { selectRows } from './rows.ts';
import { ExecState } from './sqlstate.ts';
import type { Transaction } from './transaction.ts';
import { coerce, evaluate, formatValue, OID, TYPE_OID, type EvalContext } from './values.ts';

export interface ReadContext {
  engine: Engine;
  txn: Transaction | null;
  params: (string | null)[];
  call: EvalContext['call'];
}

function rowColumns(table: Table, items: RowItem[]): { name: string; index: number }[] {
  return items.flatMap((item) => (item.kind === 'star' ? table.def.columns.map((c, i) => ({ name: c.name, index: i })) : [{ name: item.name, index: table.column(item.column) }]));
}

function aggregateOid(table: Table, a: AggregateItem): number {
  if (a.fn === 'count') return OID.int8;
  const type = table.types[table.column(a.column!)]!;
  if (a.fn === 'sum') return type === 'int' ? OID.numeric : OID.float8;
  return TYPE_OID[type];
}

/** Column descriptions without running anything (for Describe). */
export function describeSelect(catalog: Catalog, stmt: Select): Column[] {
  const table = catalog.get(stmt.table);
  if (stmt.list.kind === 'aggregates') return stmt.list.items.map((a) => ({ name: a.name, typeOid: aggregateOid(table, a) }));
  return rowColumns(table, stmt.list.items).map((c) => ({ name: c.name, typeOid: TYPE_OID[table.types[c.index]!] }));
}

function limitOf(expr: Select['limit'], params: (string | null)[], what: string): number | null {
  if (!expr) return null;
  const v = coerce('int', evaluate(expr, { params }));
  if (v === null) return null;
  if ((v as bigint) < 0n) throw new PgError('2201W', `${what} must not be negative`);
  return Number(v);
}

function compare(a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1; // NULLs last, as PostgreSQL's ASC
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function select(catalog: Catalog, stmt: Select, r: ReadContext): Promise<StatementResult> {
  const table = catalog.get(stmt.table);
  const columns = describeSelect(catalog, stmt);
  let rows = (await selectRows(r.engine, r.txn, table, stmt.where, { params: r.params })).map((x) => x.row);
  if (stmt.list.kind === 'aggregates') {
    return { command: 'SELECT 1', columns, rows: [stmt.list.items.map((a) => formatValue(aggregate(table, a, rows)))] };
  }
  if (stmt.orderBy) {
    const i = table.column(stmt.orderBy.column);
    if (i !== table.pkIndex) rows.sort((a, b) => compare(a[i]!, b[i]!));
    if (stmt.orderBy.descending) rows.reverse();
  }
  const offset = limitOf(stmt.offset, r.params, 'OFFSET') ?? 0;
  const limit = limitOf(stmt.limit, r.params, 'LIMIT');
  rows = rows.slice(offset, limit === null ? undefined : offset + limit);
  const cols = rowColumns(table, stmt.list.items);
  return { command: `SELECT ${rows.length}`, columns, rows: rows.map((row) => cols.map((c) => formatValue(row[c.index] ?? null))) };
}

function aggregate(table: Table, a: AggregateItem, rows: Value[][]): Value {
  if (a.fn === 'count' && a.column === null) return BigInt(rows.length);
  const i = table.column(a.column!);
  const values = rows.map((row) => row[i]!).filter((v) => v !== null);
  if (a.fn === 'count') return BigInt(values.length);
  if (values.length === 0) return null;
  if (a.fn === 'sum') {
    if (table.types[i] === 'int') return values.reduce((s: bigint, v) => s + (v as bigint), 0n);
    if (table.types[i] === 'float') return values.reduce((s: number, v) => s + (v as number), 0);
    throw new PgError(ExecState.datatypeMismatch, `function sum(${table.types[i]}) does not exist`);
  }
  return values.reduce((best, v) => (compare(v, best) * (a.fn === 'min' ? 1 : -1) < 0 ? v : best));
}

function valueOid(v: Value, name: string): number {
  if (name.startsWith('pg_current_wal')) return OID.pgLsn;
  if (typeof v === 'bigint') return v >= -(2n ** 31n) && v < 2n ** 31n ? OID.int4 : OID.int8;
  if (typeof v === 'number') return OID.float8;
  if (typeof v === 'boolean') return OID.bool;
  return OID.text;
}

export function selectValues(stmt: SelectValues, r: ReadContext): StatementResult {
  const values = stmt.items.map((item) => evaluate(item.expr, { params: r.params, call: r.call }));
  return {
    command: 'SELECT 1',
    columns: stmt.items.map((item, i) => ({ name: item.name, typeOid: valueOid(values[i]!, item.expr.kind === 'call' ? item.expr.name : '') })),
    rows: [values.map(formatValue)],
  };
}

export function describeValues(stmt: SelectValues): Column[] {
  return stmt.items.map((item) => ({
    name: item.name,
    typeOid: item.expr.kind === 'call' && item.expr.name.startsWith('pg_current_wal') ? OID.pgLsn : item.expr.kind === 'int' ? OID.int4 : item.expr.kind === 'bool' ? OID.bool : OID.text,
  }));
}
