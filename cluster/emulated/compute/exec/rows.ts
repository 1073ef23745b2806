// Reading rows for a statement: point lookups and key-range scans, through the transaction's own
// writes when there is one.

import type { KeyPredicate } from '../sql/index.ts';
import type { Table } from '../data/catalog.ts';
import { prefixEnd, tablePrefix, type Value } from '../data/keys.ts';
import type { Engine } from '../engine/engine.ts';
import { PgError } from '../pg-wire/index.ts';
import { ExecState } from './sqlstate.ts';
import type { Transaction } from './transaction.ts';
import { coerce, evaluate, type EvalContext } from './values.ts';

export interface RowRef {
  key: Buffer;
  row: Value[];
}

export async function readRow(engine: Engine, txn: Transaction | null, table: Table, key: Buffer): Promise<Value[] | null> {
  const own = txn?.lookup(key);
  if (own?.found) return own.value ? table.decode(own.value) : null;
  const bytes = await engine.get(key);
  return bytes ? table.decode(bytes) : null;
}

/** Reads in flight at once for readRows: enough to hide round trips, few enough to be polite. */
const READ_CONCURRENCY = 64;

/** The rows at `keys` (null where there is none), by hex key; many reads go out at once. */
export async function readRows(engine: Engine, txn: Transaction | null, table: Table, keys: Buffer[]): Promise<Map<string, Value[] | null>> {
  const unique = [...new Map(keys.map((k) => [k.toString('hex'), k])).entries()];
  const rows = new Map<string, Value[] | null>();
  let next = 0;
  const worker = async () => {
    while (next < unique.length) {
      const [hex, key] = unique[next++]!;
      rows.set(hex, await readRow(engine, txn, table, key));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, unique.length) }, worker));
  return rows;
}

/** Rows of the table in [start, end), ascending, own writes merged over the stored ones. */
export async function* scanRows(engine: Engine, txn: Transaction | null, table: Table, start: Buffer, end: Buffer): AsyncGenerator<RowRef> {
  const own = txn ? txn.within(start, end) : [];
  let i = 0;
  for await (const stored of engine.scan(table.def.id, start, end)) {
    while (i < own.length && Buffer.compare(own[i]!.key, stored.key) < 0) {
      const m = own[i++]!;
      if (m.value) yield { key: m.key, row: table.decode(m.value) };
    }
    if (i < own.length && own[i]!.key.equals(stored.key)) {
      const m = own[i++]!;
      if (m.value) yield { key: m.key, row: table.decode(m.value) };
      continue;
    }
    yield { key: stored.key, row: table.decode(stored.value) };
  }
  for (; i < own.length; i++) if (own[i]!.value) yield { key: own[i]!.key, row: table.decode(own[i]!.value!) };
}

function checkKeyColumn(table: Table, column: string): void {
  if (column !== table.def.primaryKey) {
    throw new PgError(ExecState.featureNotSupported, `WHERE on column "${column}": neon-local's compute looks rows up by primary key only (${table.def.primaryKey})`);
  }
}

/**
 * The rows a WHERE clause selects: point lookups for = and IN, a scan for ranges and for no WHERE.
 * Returned in key order.
 */
export async function selectRows(engine: Engine, txn: Transaction | null, table: Table, where: KeyPredicate | null, ctx: EvalContext): Promise<RowRef[]> {
  const pkValue = (e: Parameters<typeof evaluate>[0]) => coerce(table.pkType, evaluate(e, ctx));
  if (where?.kind === 'key_equals' || where?.kind === 'key_in') {
    checkKeyColumn(table, where.column);
    const values = where.kind === 'key_equals' ? [where.value] : where.values;
    const keys = values.map(pkValue).filter((v) => v !== null).map((v) => table.key(v));
    const unique = [...new Map(keys.map((k) => [k.toString('hex'), k])).values()].sort(Buffer.compare);
    const rows = await Promise.all(unique.map(async (key) => ({ key, row: await readRow(engine, txn, table, key) })));
    return rows.filter((r): r is RowRef => r.row !== null);
  }
  const prefix = tablePrefix(table.def.id);
  let start = prefix;
  let end = prefixEnd(prefix);
  if (where?.kind === 'key_range') {
    checkKeyColumn(table, where.column);
    const after = (k: Buffer) => Buffer.concat([k, Buffer.from([0])]);
    if (where.lower) {
      const v = pkValue(where.lower.value);
      if (v === null) return [];
      start = where.lower.inclusive ? table.key(v) : after(table.key(v));
    }
    if (where.upper) {
      const v = pkValue(where.upper.value);
      if (v === null) return [];
      end = where.upper.inclusive ? after(table.key(v)) : table.key(v);
    }
    if (Buffer.compare(start, end) >= 0) return [];
  }
  const out: RowRef[] = [];
  for await (const r of scanRows(engine, txn, table, start, end)) out.push(r);
  return out;
}
