// INSERT (from VALUES or generate_series), UPSERT, UPDATE and DELETE: rows in, mutations out.
// Rows a statement reads before it writes them are locked first (by the caller's lock owner), so
// concurrent read-modify-writes of one row take turns.

import type { Delete, Expr, Insert, RowItem, Update, Upsert } from '../sql/index.ts';
import type { Table } from '../data/catalog.ts';
import type { Value } from '../data/keys.ts';
import type { Engine } from '../engine/engine.ts';
import { PgError } from '../pg-wire/index.ts';
import { readRow, readRows, selectRows } from './rows.ts';
import { atSeriesValue, seriesValues } from './series.ts';
import { ExecState } from './sqlstate.ts';
import type { Transaction } from './transaction.ts';
import { coerce, evaluate, formatValue, TYPE_OID, type EvalContext } from './values.ts';

export interface WriteOutcome {
  command: string;
  writes: { key: Buffer; value: Buffer | null }[];
  returning: { columns: { name: string; typeOid: number }[]; rows: (string | null)[][] } | null;
}

export interface WriteContext {
  engine: Engine;
  txn: Transaction | null;
  lockOwner: object;
  params: (string | null)[];
}

function returningOf(table: Table, items: RowItem[] | null, rows: Value[][]): WriteOutcome['returning'] {
  if (!items) return null;
  const cols = items.flatMap((item) =>
    item.kind === 'star' ? table.def.columns.map((c, i) => ({ name: c.name, index: i })) : [{ name: item.name, index: table.column(item.column) }],
  );
  return {
    columns: cols.map((c) => ({ name: c.name, typeOid: TYPE_OID[table.types[c.index]!] })),
    rows: rows.map((r) => cols.map((c) => formatValue(r[c.index] ?? null))),
  };
}

function checkNotNull(table: Table, row: Value[]): void {
  table.def.columns.forEach((c, i) => {
    if (c.notNull && row[i] === null) throw new PgError(ExecState.notNullViolation, `null value in column "${c.name}" of relation "${table.name}" violates not-null constraint`);
  });
}

/**
 * The statement's rows (its VALUES, or its select list once per generate_series value), coerced
 * to the table's columns; columns not given are NULL.
 */
function sourceRows(table: Table, stmt: Insert | Upsert, params: (string | null)[]): Value[][] {
  const columns = stmt.columns ?? table.def.columns.map((c) => c.name);
  const indexes = columns.map((c) => table.column(c));
  const toRow = (exprs: Expr[], ctx: EvalContext): Value[] => {
    if (exprs.length > indexes.length) throw new PgError('42601', 'INSERT has more expressions than target columns');
    const row: Value[] = table.def.columns.map(() => null);
    exprs.forEach((e, j) => (row[indexes[j]!] = coerce(table.types[indexes[j]!]!, evaluate(e, ctx))));
    checkNotNull(table, row);
    return row;
  };
  const source = stmt.source;
  if (source.kind === 'values') return source.rows.map((exprs) => toRow(exprs, { params }));
  const exprs = source.items.map((item) => item.expr);
  return seriesValues(source.series, { params }).map((value) => toRow(exprs, atSeriesValue(value, { params })));
}

function assign(table: Table, row: Value[], assignments: { column: string; value: Expr }[], ctx: EvalContext): Value[] {
  const next = [...row];
  for (const a of assignments) {
    const i = table.column(a.column);
    if (i === table.pkIndex) throw new PgError(ExecState.featureNotSupported, `updating the primary key column "${a.column}" is not supported; delete and insert instead`);
    next[i] = coerce(table.types[i]!, evaluate(a.value, ctx));
  }
  checkNotNull(table, next);
  return next;
}

export async function insert(table: Table, stmt: Insert, w: WriteContext): Promise<WriteOutcome> {
  const rows = sourceRows(table, stmt, w.params);
  const keyed = rows.map((row) => ({ key: table.key(row[table.pkIndex]!), row }));
  await w.engine.locks.lock(w.lockOwner, keyed.map((k) => k.key));
  const stored = await readRows(w.engine, w.txn, table, keyed.map((k) => k.key));
  const seen = new Map<string, Value[]>();
  const writes: WriteOutcome['writes'] = [];
  const written: Value[][] = [];
  for (const { key, row } of keyed) {
    const hex = key.toString('hex');
    const existing = seen.get(hex) ?? stored.get(hex) ?? null;
    if (existing) {
      const conflict = stmt.onConflict;
      if (!conflict || (seen.has(hex) && conflict.action === 'update')) {
        const pk = table.def.primaryKey;
        throw new PgError(ExecState.uniqueViolation, `duplicate key value violates unique constraint "${table.name}_pkey"`, { detail: `Key (${pk})=(${formatValue(row[table.pkIndex]!)}) already exists.` });
      }
      if (conflict.action === 'nothing') continue;
      const updated = assign(table, existing, conflict.assignments, {
        params: w.params,
        row: (name) => existing[table.column(name)] ?? null,
        excluded: (name) => row[table.column(name)] ?? null,
      });
      seen.set(hex, updated);
      writes.push({ key, value: table.encode(updated) });
      written.push(updated);
      continue;
    }
    seen.set(hex, row);
    writes.push({ key, value: table.encode(row) });
    written.push(row);
  }
  return { command: `INSERT 0 ${written.length}`, writes, returning: returningOf(table, stmt.returning, written) };
}

/** UPSERT: whole rows replace whatever is there; nothing needs reading. */
export function upsert(table: Table, stmt: Upsert, w: WriteContext): WriteOutcome {
  const rows = sourceRows(table, stmt, w.params);
  const byKey = new Map(rows.map((row) => [table.key(row[table.pkIndex]!).toString('hex'), row]));
  const writes = [...byKey.entries()].map(([hex, row]) => ({ key: Buffer.from(hex, 'hex'), value: table.encode(row) }));
  return { command: `INSERT 0 ${rows.length}`, writes, returning: returningOf(table, stmt.returning, rows) };
}

export async function update(table: Table, stmt: Update, w: WriteContext): Promise<WriteOutcome> {
  const targets = await lockedRows(table, stmt.where, w);
  const rows = targets.map((t) => ({
    key: t.key,
    row: assign(table, t.row, stmt.assignments, { params: w.params, row: (name) => t.row[table.column(name)] ?? null }),
  }));
  return {
    command: `UPDATE ${rows.length}`,
    writes: rows.map((r) => ({ key: r.key, value: table.encode(r.row) })),
    returning: returningOf(table, stmt.returning, rows.map((r) => r.row)),
  };
}

export async function remove(table: Table, stmt: Delete, w: WriteContext): Promise<WriteOutcome> {
  const targets = await lockedRows(table, stmt.where, w);
  return {
    command: `DELETE ${targets.length}`,
    writes: targets.map((t) => ({ key: t.key, value: null })),
    returning: returningOf(table, stmt.returning, targets.map((t) => t.row)),
  };
}

/** The rows a WHERE selects, locked, then read again under the lock. */
async function lockedRows(table: Table, where: Update['where'] | Delete['where'], w: WriteContext) {
  const candidates = await selectRows(w.engine, w.txn, table, where, { params: w.params });
  await w.engine.locks.lock(w.lockOwner, candidates.map((c) => c.key));
  const fresh = await Promise.all(candidates.map(async (c) => ({ key: c.key, row: await readRow(w.engine, w.txn, table, c.key) })));
  return fresh.filter((r): r is { key: Buffer; row: Value[] } => r.row !== null);
}
