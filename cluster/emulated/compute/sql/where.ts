// WHERE clauses. The condition is parsed in full (so malformed SQL is a syntax error, well-formed
// but unsupported SQL is 0A000), then lowered to a KeyPredicate: a lookup on one column.

import type { Expr, KeyPredicate, RangeBound } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { unsupported } from './errors.ts';
import type { Token } from './lexer.ts';
import { findColumn, parseExpr, ROW_COLUMNS } from './expressions.ts';

type CompareOp = '=' | '<>' | '!=' | '<' | '<=' | '>' | '>=';
const COMPARE_OPS = new Set<string>(['=', '<>', '!=', '<', '<=', '>', '>=']);
const FLIPPED: Record<CompareOp, CompareOp> = { '=': '=', '<>': '<>', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** A parsed condition; what the dialect cannot run is kept as `unsupported` until lowering. */
type Condition =
  | { kind: 'and'; parts: Condition[] }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr; token: Token }
  | { kind: 'in'; expr: Expr; values: Expr[]; token: Token }
  | { kind: 'between'; expr: Expr; low: Expr; high: Expr; token: Token }
  | { kind: 'unsupported'; what: string; token: Token };

const USE_INSTEAD = 'WHERE supports col = v, col IN (...), col BETWEEN a AND b and col >= a AND col < b on the primary key';

export function parseWhere(c: Cursor): KeyPredicate {
  return lower(orCondition(c));
}

function orCondition(c: Cursor): Condition {
  const first = andCondition(c);
  const token = c.peek();
  if (!c.acceptKeyword('or')) return first;
  do andCondition(c);
  while (c.acceptKeyword('or'));
  return { kind: 'unsupported', what: `OR is not supported in WHERE (${USE_INSTEAD})`, token };
}

function andCondition(c: Cursor): Condition {
  const parts = [notCondition(c)];
  while (c.acceptKeyword('and')) parts.push(notCondition(c));
  return parts.length === 1 ? parts[0]! : { kind: 'and', parts };
}

function notCondition(c: Cursor): Condition {
  const token = c.peek();
  if (!c.acceptKeyword('not')) return parenthesized(c) ?? predicate(c);
  notCondition(c);
  return { kind: 'unsupported', what: `NOT is not supported in WHERE (${USE_INSTEAD})`, token };
}

/** `( condition )` — unless the parenthesis opens an expression, as in `(id) = 1`. */
function parenthesized(c: Cursor): Condition | null {
  if (!c.isOp('(')) return null;
  const start = c.position;
  c.next();
  try {
    const inner = orCondition(c);
    c.expectOp(')');
    const continuesExpression = c.peek().kind === 'op' && !c.isOp(')') && !c.isOp(';');
    if (!continuesExpression && !['in', 'between', 'is', 'not', 'like', 'ilike'].some((word) => c.isKeyword(word))) return inner;
  } catch (err) {
    if ((err as { sqlstate?: string }).sqlstate !== '42601') throw err;
  }
  c.rewind(start);
  return null;
}

function predicate(c: Cursor): Condition {
  const token = c.peek();
  const left = parseExpr(c, ROW_COLUMNS);
  const next = c.peek();
  if (next.kind === 'op' && COMPARE_OPS.has(next.value)) {
    c.next();
    return { kind: 'compare', op: next.value as CompareOp, left, right: parseExpr(c, ROW_COLUMNS), token: next };
  }
  const negated = c.acceptKeyword('not');
  if (c.acceptKeyword('in')) {
    c.expectOp('(');
    if (c.isKeyword('select')) throw unsupported('subqueries are not supported', c.peek());
    const values = [parseExpr(c, ROW_COLUMNS)];
    while (c.acceptOp(',')) values.push(parseExpr(c, ROW_COLUMNS));
    c.expectOp(')');
    if (negated) return { kind: 'unsupported', what: `NOT IN is not supported (${USE_INSTEAD})`, token: next };
    return { kind: 'in', expr: left, values, token: next };
  }
  if (c.acceptKeyword('between')) {
    c.acceptKeyword('symmetric');
    const low = parseExpr(c, ROW_COLUMNS);
    c.expectKeyword('and');
    const high = parseExpr(c, ROW_COLUMNS);
    if (negated) return { kind: 'unsupported', what: `NOT BETWEEN is not supported (${USE_INSTEAD})`, token: next };
    return { kind: 'between', expr: left, low, high, token: next };
  }
  if (c.acceptKeyword('like') || c.acceptKeyword('ilike')) {
    parseExpr(c, ROW_COLUMNS);
    return { kind: 'unsupported', what: `${next.text.toUpperCase()} is not supported (${USE_INSTEAD})`, token: next };
  }
  if (negated) throw c.syntaxError('IN, BETWEEN or LIKE');
  if (c.acceptKeyword('is')) {
    c.acceptKeyword('not');
    if (!['null', 'true', 'false', 'unknown'].some((word) => c.acceptKeyword(word))) throw c.syntaxError('NULL, TRUE or FALSE');
    return { kind: 'unsupported', what: `IS [NOT] NULL/TRUE/FALSE is not supported (${USE_INSTEAD})`, token: next };
  }
  return { kind: 'unsupported', what: `a WHERE condition must compare a column (${USE_INSTEAD})`, token };
}

// ---- Lowering ---------------------------------------------------------------------------------

type Atom = { column: string; token: Token } & (
  | { kind: 'equals'; value: Expr }
  | { kind: 'in'; values: Expr[] }
  | { kind: 'bounds'; lower: RangeBound | null; upper: RangeBound | null }
);

function lower(condition: Condition): KeyPredicate {
  const atoms = (condition.kind === 'and' ? condition.parts.flatMap(flatten) : [condition]).map(toAtom);
  const first = atoms[0]!;
  const other = atoms.find((atom) => atom.column !== first.column);
  if (other) {
    throw unsupported(`WHERE may constrain only one column, the primary key (found "${first.column}" and "${other.column}")`, other.token);
  }
  if (first.kind === 'equals' || first.kind === 'in') {
    if (atoms.length > 1) throw unsupported(`combining = or IN with other conditions is not supported (${USE_INSTEAD})`, atoms[1]!.token);
    return first.kind === 'equals'
      ? { kind: 'key_equals', column: first.column, value: first.value }
      : { kind: 'key_in', column: first.column, values: first.values };
  }
  let lowerBound: RangeBound | null = null;
  let upperBound: RangeBound | null = null;
  for (const atom of atoms) {
    if (atom.kind !== 'bounds') throw unsupported(`combining = or IN with other conditions is not supported (${USE_INSTEAD})`, atom.token);
    if ((atom.lower && lowerBound) || (atom.upper && upperBound)) {
      throw unsupported('a range takes at most one lower bound (> or >=) and one upper bound (< or <=)', atom.token);
    }
    lowerBound ??= atom.lower;
    upperBound ??= atom.upper;
  }
  return { kind: 'key_range', column: first.column, lower: lowerBound, upper: upperBound };
}

function flatten(condition: Condition): Condition[] {
  return condition.kind === 'and' ? condition.parts.flatMap(flatten) : [condition];
}

function toAtom(condition: Condition): Atom {
  switch (condition.kind) {
    case 'and':
      throw new Error('flattened before');
    case 'unsupported':
      throw unsupported(condition.what, condition.token);
    case 'in': {
      const column = keyColumn(condition.expr, condition.values, condition.token);
      return { kind: 'in', column, values: condition.values, token: condition.token };
    }
    case 'between': {
      const column = keyColumn(condition.expr, [condition.low, condition.high], condition.token);
      const bounds = { lower: { value: condition.low, inclusive: true }, upper: { value: condition.high, inclusive: true } };
      return { kind: 'bounds', column, ...bounds, token: condition.token };
    }
    case 'compare': {
      const columnOnRight = condition.right.kind === 'column' && condition.left.kind !== 'column';
      const [side, value] = columnOnRight ? [condition.right, condition.left] : [condition.left, condition.right];
      const op = columnOnRight ? FLIPPED[condition.op] : condition.op;
      const column = keyColumn(side, [value], condition.token);
      const token = condition.token;
      if (op === '=') return { kind: 'equals', column, value, token };
      if (op === '<>' || op === '!=') throw unsupported(`${condition.op} is not supported in WHERE (${USE_INSTEAD})`, token);
      const bound = { value, inclusive: op === '<=' || op === '>=' };
      const isLower = op === '>' || op === '>=';
      return { kind: 'bounds', column, lower: isLower ? bound : null, upper: isLower ? null : bound, token };
    }
  }
}

/** The column a predicate constrains; its values must not refer to columns. */
function keyColumn(side: Expr, values: Expr[], token: Token): string {
  if (side.kind !== 'column') throw unsupported(`a WHERE condition must compare a column (${USE_INSTEAD})`, token);
  const other = values.map(findColumn).find((found) => found !== null);
  if (other) {
    throw unsupported(`comparing column "${side.name}" with column "${other.name}" is not supported (compare with values or parameters)`, token);
  }
  return side.name;
}
