// Value expressions: literals, $n parameters, column references, EXCLUDED.col, arithmetic,
// `||`, and the few scalar functions. Precedence as in PostgreSQL: unary minus, then * /, then
// + -, then || (so `'a' || 1 + 2` is `'a' || (1 + 2)`).

import type { Expr, Literal, ScalarFunction } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { sqlError, unsupported } from './errors.ts';

/** Which names an expression may refer to where it appears. */
export interface ExprScope {
  /** Columns of the row at hand (UPDATE SET, WHERE, select lists). */
  columns: boolean;
  /** EXCLUDED.col (ON CONFLICT DO UPDATE SET). */
  excluded: boolean;
}

export const CONSTANTS_ONLY: ExprScope = { columns: false, excluded: false };
export const ROW_COLUMNS: ExprScope = { columns: true, excluded: false };

/** Arity (min, max) of each supported function. */
const FUNCTIONS: Record<ScalarFunction, [number, number]> = {
  pg_current_wal_flush_lsn: [0, 0],
  pg_current_wal_insert_lsn: [0, 0],
  pg_current_wal_lsn: [0, 0],
  version: [0, 0],
  now: [0, 0],
  current_setting: [1, 2],
};
const FUNCTION_LIST = Object.keys(FUNCTIONS).map((name) => `${name}()`).join(', ');
export const AGGREGATES = new Set(['count', 'sum', 'min', 'max']);
/** Expression syntax PostgreSQL has and this dialect lacks. */
const UNSUPPORTED_EXPRESSION_WORDS = new Set(
  'case cast exists array row interval date timestamp current_timestamp current_date current_user session_user user'.split(' '),
);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function parseExpr(c: Cursor, scope: ExprScope): Expr {
  let left = additive(c, scope);
  while (c.acceptOp('||')) left = { kind: 'binary', op: '||', left, right: additive(c, scope) };
  return left;
}

function additive(c: Cursor, scope: ExprScope): Expr {
  let left = multiplicative(c, scope);
  for (;;) {
    if (c.acceptOp('+')) left = { kind: 'binary', op: '+', left, right: multiplicative(c, scope) };
    else if (c.acceptOp('-')) left = { kind: 'binary', op: '-', left, right: multiplicative(c, scope) };
    else return left;
  }
}

function multiplicative(c: Cursor, scope: ExprScope): Expr {
  let left = unary(c, scope);
  for (;;) {
    if (c.acceptOp('*')) left = { kind: 'binary', op: '*', left, right: unary(c, scope) };
    else if (c.acceptOp('/')) left = { kind: 'binary', op: '/', left, right: unary(c, scope) };
    else if (c.isOp('%') || c.isOp('^')) throw unsupported(`the ${c.peek().text} operator is not supported (use + - * / or ||)`, c.peek());
    else return left;
  }
}

function unary(c: Cursor, scope: ExprScope): Expr {
  if (c.acceptOp('+')) return unary(c, scope);
  if (c.acceptOp('-')) {
    const next = c.peek();
    // Folded here, before range checking, so that -9223372036854775808 is an int.
    if (next.kind === 'number' && next.integer) {
      c.next();
      return postfix(c, numberLiteral(`-${next.value}`, true));
    }
    return negate(unary(c, scope));
  }
  return postfix(c, primary(c, scope));
}

function postfix(c: Cursor, expr: Expr): Expr {
  if (c.isOp('::')) throw unsupported('type casts (::) are not supported; values convert to the column type on their own', c.peek());
  if (c.isOp('[')) throw unsupported('array subscripts are not supported', c.peek());
  return expr;
}

function primary(c: Cursor, scope: ExprScope): Expr {
  const token = c.peek();
  switch (token.kind) {
    case 'number':
      c.next();
      return numberLiteral(token.value, token.integer);
    case 'string':
      c.next();
      return { kind: 'string', value: token.value };
    case 'param':
      c.next();
      if (token.index === 0) throw sqlError('42P02', 'there is no parameter $0', token);
      return { kind: 'param', index: token.index };
    case 'op':
      if (!c.acceptOp('(')) break;
      if (c.isKeyword('select')) throw unsupported('subqueries are not supported', c.peek());
      {
        const inner = parseExpr(c, scope);
        c.expectOp(')');
        return inner;
      }
    case 'word': {
      const keyword = token.quoted ? null : token.value;
      if (keyword === 'null' || keyword === 'true' || keyword === 'false') {
        c.next();
        return keyword === 'null' ? { kind: 'null' } : { kind: 'bool', value: keyword === 'true' };
      }
      if (keyword && UNSUPPORTED_EXPRESSION_WORDS.has(keyword)) throw unsupported(`${keyword.toUpperCase()} is not supported in expressions`, token);
      if (c.isOp('(', 1)) return call(c);
      if (c.isOp('.', 1)) return qualified(c, scope);
      if (!c.isIdentifier()) break;
      c.next();
      if (!scope.columns) throw sqlError('42703', `column "${token.value}" does not exist`, token);
      return { kind: 'column', name: token.value };
    }
  }
  throw c.syntaxError('an expression');
}

/** `excluded.col`; other qualified names (t.col) are not supported. */
function qualified(c: Cursor, scope: ExprScope): Expr {
  const qualifier = c.next();
  c.expectOp('.');
  const name = c.identifier('a column name');
  if (qualifier.kind === 'word' && qualifier.value === 'excluded') {
    if (!scope.excluded) {
      throw sqlError('42P01', 'missing FROM-clause entry for table "excluded"', qualifier, 'EXCLUDED.col works in ON CONFLICT DO UPDATE SET.');
    }
    return { kind: 'excluded', name };
  }
  throw unsupported(`qualified column names (${qualifier.text}.${name}) are not supported; write the column name alone`, qualifier);
}

function call(c: Cursor): Expr {
  const token = c.next() as ReturnType<Cursor['next']> & { kind: 'word' };
  const name = token.value;
  if (AGGREGATES.has(name)) throw unsupported(`${name}() is only supported in the select list of SELECT ... FROM`, token);
  if (name === 'generate_series') throw unsupported('generate_series() is only supported in FROM: SELECT g FROM generate_series(1, 10) g', token);
  const arity = FUNCTIONS[name as ScalarFunction];
  if (!arity) throw unsupported(`function ${name}() is not supported (supported: ${FUNCTION_LIST})`, token);
  c.expectOp('(');
  const args: Expr[] = [];
  if (!c.acceptOp(')')) {
    do args.push(parseExpr(c, CONSTANTS_ONLY));
    while (c.acceptOp(','));
    c.expectOp(')');
  }
  const [min, max] = arity;
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min} or ${max}`;
    throw sqlError('42883', `function ${name}() takes ${expected} argument${max === 1 ? '' : 's'}, not ${args.length}`, token);
  }
  return { kind: 'call', name: name as ScalarFunction, args };
}

/** Integers within int64 stay exact (as text); anything else is a float, as PostgreSQL's numeric. */
export function numberLiteral(text: string, integer: boolean): Literal {
  if (integer) {
    const value = BigInt(text);
    if (value >= INT64_MIN && value <= INT64_MAX) return { kind: 'int', value: value.toString() };
  }
  return { kind: 'float', value: Number(text), text };
}

function negate(expr: Expr): Expr {
  if (expr.kind === 'int') return numberLiteral((-BigInt(expr.value)).toString(), true);
  if (expr.kind === 'float') {
    const text = expr.text.startsWith('-') ? expr.text.slice(1) : `-${expr.text}`;
    return { kind: 'float', value: -expr.value, text };
  }
  return { kind: 'negate', operand: expr };
}

/** The first column reference (a column, or EXCLUDED.col) in `expr`, if any. */
export function findColumn(expr: Expr): Extract<Expr, { kind: 'column' | 'excluded' }> | null {
  switch (expr.kind) {
    case 'column':
    case 'excluded':
      return expr;
    case 'negate':
      return findColumn(expr.operand);
    case 'binary':
      return findColumn(expr.left) ?? findColumn(expr.right);
    case 'call':
      return expr.args.map(findColumn).find((found) => found !== null) ?? null;
    default:
      return null;
  }
}

/** The output column name PostgreSQL gives an unaliased expression. */
export function expressionName(expr: Expr): string {
  switch (expr.kind) {
    case 'column':
    case 'excluded':
      return expr.name;
    case 'call':
      return expr.name;
    case 'bool':
      return 'bool'; // PostgreSQL reads TRUE as 'true'::boolean, named after the type
    default:
      return '?column?';
  }
}
