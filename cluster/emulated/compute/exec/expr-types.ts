// The SQL type of an expression's result, known before it runs, as PostgreSQL resolves it: small
// integer literals are int4 and int4 arithmetic stays int4, a bigint makes it int8, a float makes
// it float8, `||` gives text. Describe must report a result's column types without running it.

import type { Expr } from '../sql/index.ts';
import type { Value } from '../data/keys.ts';
import { PgError } from '../pg-wire/index.ts';
import { ExecState } from './sqlstate.ts';
import { OID } from './values.ts';

/** 'unknown' is a parameter, string literal or NULL: it takes its type from the other operand. */
export type SqlType = 'int4' | 'int8' | 'float8' | 'text' | 'bool' | 'pg_lsn' | 'unknown';

const INT4_MIN = -(2n ** 31n);
const INT4_MAX = 2n ** 31n - 1n;

/** `column` is the type of the column references in `expr`. */
export function typeOf(expr: Expr, column: SqlType): SqlType {
  switch (expr.kind) {
    case 'null':
    case 'param':
    case 'string':
      return 'unknown';
    case 'bool':
      return 'bool';
    case 'int':
      return fitsInt4(BigInt(expr.value)) ? 'int4' : 'int8';
    case 'float':
      return 'float8';
    case 'column':
    case 'excluded':
      return column;
    case 'negate':
      return typeOf(expr.operand, column);
    case 'binary':
      return expr.op === '||' ? 'text' : numericType([typeOf(expr.left, column), typeOf(expr.right, column)]);
    case 'call':
      return expr.name.startsWith('pg_current_wal') ? 'pg_lsn' : 'text';
  }
}

/** The widest of number types; int4 when nothing says otherwise (as for `$1 + $2`). */
export function numericType(types: SqlType[]): 'int4' | 'int8' | 'float8' {
  if (types.includes('float8')) return 'float8';
  return types.includes('int8') ? 'int8' : 'int4';
}

export function oidOf(type: SqlType): number {
  switch (type) {
    case 'int4':
      return OID.int4;
    case 'int8':
      return OID.int8;
    case 'float8':
      return OID.float8;
    case 'bool':
      return OID.bool;
    case 'pg_lsn':
      return OID.pgLsn;
    default:
      return OID.text;
  }
}

/** An int4 result must fit, as PostgreSQL's int4 arithmetic checks. */
export function checkInt4(type: SqlType, value: Value): void {
  if (type === 'int4' && typeof value === 'bigint' && !fitsInt4(value)) throw new PgError(ExecState.numericOutOfRange, 'integer out of range');
}

function fitsInt4(n: bigint): boolean {
  return n >= INT4_MIN && n <= INT4_MAX;
}
