// Values in the compute's SQL: coercion to column types, PostgreSQL's text output format and type
// OIDs, and evaluation of the dialect's expressions.

import type { ColumnType, Expr } from '../sql/index.ts';
import { PgError } from '../pg-wire/index.ts';
import type { Value } from '../data/keys.ts';
import { ExecState } from './sqlstate.ts';

export const TYPE_OID: Record<ColumnType, number> = { int: 20, text: 25, bool: 16, float: 701 };
export const OID = { int4: 23, int8: 20, numeric: 1700, text: 25, bool: 16, float8: 701, pgLsn: 3220, timestamptz: 1184 } as const;

const SQL_TYPE_NAME: Record<ColumnType, string> = { int: 'bigint', text: 'text', bool: 'boolean', float: 'double precision' };
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function invalid(type: ColumnType, value: unknown): PgError {
  return new PgError(ExecState.invalidTextRepresentation, `invalid input syntax for type ${SQL_TYPE_NAME[type]}: "${String(value)}"`);
}

/** Converts a value (literal, parameter text, expression result) to a column's type. */
export function coerce(type: ColumnType, value: Value): Value {
  if (value === null) return null;
  switch (type) {
    case 'int': {
      let n: bigint;
      if (typeof value === 'bigint') n = value;
      else if (typeof value === 'number') {
        if (!Number.isInteger(value)) throw invalid(type, value);
        n = BigInt(value);
      } else if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) n = BigInt(value.trim());
      else throw invalid(type, value);
      if (n < INT64_MIN || n > INT64_MAX) throw new PgError(ExecState.numericOutOfRange, `value "${value}" is out of range for type bigint`);
      return n;
    }
    case 'float': {
      const n = typeof value === 'string' ? Number(value.trim()) : Number(value);
      if (typeof value === 'boolean' || Number.isNaN(n) || (typeof value === 'string' && value.trim() === '')) throw invalid(type, value);
      return n;
    }
    case 'bool': {
      if (typeof value === 'boolean') return value;
      const s = String(value).trim().toLowerCase();
      if (['t', 'true', 'y', 'yes', 'on', '1'].includes(s)) return true;
      if (['f', 'false', 'n', 'no', 'off', '0'].includes(s)) return false;
      throw invalid(type, value);
    }
    case 'text':
      return typeof value === 'bigint' ? value.toString() : String(typeof value === 'boolean' ? (value ? 'true' : 'false') : value);
  }
}

/** PostgreSQL's text output of a value. */
export function formatValue(value: Value): string | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

export interface EvalContext {
  params: (string | null)[];
  /** The row being read or updated, by column name. */
  row?: (name: string) => Value;
  excluded?: (name: string) => Value;
  call?: (name: string, args: Value[]) => Value;
}

function numeric(v: Value): bigint | number {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return BigInt(v.trim());
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  throw new PgError(ExecState.datatypeMismatch, `operator does not exist for a value of this type: ${JSON.stringify(v)}`);
}

function arithmetic(op: '+' | '-' | '*' | '/', a: Value, b: Value): Value {
  const x = numeric(a);
  const y = numeric(b);
  if (typeof x === 'bigint' && typeof y === 'bigint') {
    if (op === '/' && y === 0n) throw new PgError(ExecState.divisionByZero, 'division by zero');
    const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y;
    if (r < INT64_MIN || r > INT64_MAX) throw new PgError(ExecState.numericOutOfRange, 'bigint out of range');
    return r;
  }
  const fx = Number(x);
  const fy = Number(y);
  if (op === '/' && fy === 0) throw new PgError(ExecState.divisionByZero, 'division by zero');
  return op === '+' ? fx + fy : op === '-' ? fx - fy : op === '*' ? fx * fy : fx / fy;
}

export function evaluate(expr: Expr, ctx: EvalContext): Value {
  switch (expr.kind) {
    case 'null': return null;
    case 'bool': return expr.value;
    case 'int': return BigInt(expr.value);
    case 'float': return expr.value;
    case 'string': return expr.value;
    case 'param': {
      if (expr.index < 1 || expr.index > ctx.params.length) throw new PgError(ExecState.undefinedParameter, `there is no parameter $${expr.index}`);
      return ctx.params[expr.index - 1] ?? null;
    }
    case 'column': {
      if (!ctx.row) throw new PgError(ExecState.undefinedColumn, `column "${expr.name}" does not exist`, { hint: 'column references are allowed in UPDATE SET and ON CONFLICT DO UPDATE SET' });
      return ctx.row(expr.name);
    }
    case 'excluded': {
      if (!ctx.excluded) throw new PgError(ExecState.undefinedColumn, `EXCLUDED.${expr.name} is only available in ON CONFLICT DO UPDATE`);
      return ctx.excluded(expr.name);
    }
    case 'negate': {
      const v = evaluate(expr.operand, ctx);
      return v === null ? null : arithmetic('-', 0n, v);
    }
    case 'binary': {
      const a = evaluate(expr.left, ctx);
      const b = evaluate(expr.right, ctx);
      if (a === null || b === null) return null;
      if (expr.op === '||') return formatValue(a)! + formatValue(b)!;
      return arithmetic(expr.op, a, b);
    }
    case 'call': {
      if (!ctx.call) throw new PgError(ExecState.featureNotSupported, `function ${expr.name}() is not available here`);
      return ctx.call(expr.name, expr.args.map((a) => evaluate(a, ctx)));
    }
  }
}
