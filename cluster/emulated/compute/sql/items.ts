// Select lists and RETURNING lists: `*`, expressions with optional aliases, and the aggregates
// count(*), count(col), sum(col), min(col), max(col). Parsed generically, then checked against
// what each place allows.

import type { AggregateFunction, AggregateItem, Expr, RowItem } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { sqlError, unsupported } from './errors.ts';
import { AGGREGATES, expressionName, parseExpr, ROW_COLUMNS } from './expressions.ts';
import type { Token } from './lexer.ts';

export type ParsedItem = { token: Token } & (
  | { kind: 'star' }
  | { kind: 'aggregate'; fn: AggregateFunction; column: string | null; alias: string | null }
  | { kind: 'expr'; expr: Expr; alias: string | null }
);

/** Words that would make `SELECT 1 = 1` or `SELECT a AND b` a condition. */
const CONDITION_WORDS = ['and', 'or', 'is', 'in', 'between', 'like', 'ilike', 'not'];
const CONDITION_OPS = ['=', '<>', '!=', '<', '<=', '>', '>='];

export function parseItems(c: Cursor): ParsedItem[] {
  const items = [parseItem(c)];
  while (c.acceptOp(',')) items.push(parseItem(c));
  return items;
}

function parseItem(c: Cursor): ParsedItem {
  const token = c.peek();
  if (c.acceptOp('*')) return { kind: 'star', token };
  if (token.kind === 'word' && !token.quoted && AGGREGATES.has(token.value) && c.isOp('(', 1)) return aggregate(c, token);
  const expr = parseExpr(c, ROW_COLUMNS);
  const next = c.peek();
  if (CONDITION_OPS.some((op) => c.isOp(op)) || CONDITION_WORDS.some((word) => c.isKeyword(word))) {
    throw unsupported(`conditions (${next.text} ...) are only supported in WHERE`, next);
  }
  return { kind: 'expr', expr, alias: alias(c), token };
}

function aggregate(c: Cursor, token: Token & { kind: 'word' }): ParsedItem {
  const fn = token.value as AggregateFunction;
  c.next();
  c.expectOp('(');
  let column: string | null = null;
  if (c.isKeyword('distinct')) throw unsupported(`${fn}(DISTINCT ...) is not supported`, c.peek());
  if (!(fn === 'count' && c.acceptOp('*'))) {
    const argument = c.peek();
    const expr = parseExpr(c, ROW_COLUMNS);
    if (expr.kind !== 'column') throw unsupported(`${fn}() takes a column name here, not an expression`, argument);
    column = expr.name;
  }
  c.expectOp(')');
  const next = c.peek();
  if (next.kind === 'op' && ['+', '-', '*', '/', '||', '::'].includes(next.value)) {
    throw unsupported('expressions over aggregates are not supported', next);
  }
  if (c.isKeyword('filter') || c.isKeyword('over')) throw unsupported(`${next.text.toUpperCase()} is not supported`, next);
  return { kind: 'aggregate', fn, column, alias: alias(c), token };
}

/** `AS name` (any word, as in PostgreSQL) or a bare unreserved name. */
function alias(c: Cursor): string | null {
  if (c.acceptKeyword('as')) {
    const token = c.next();
    if (token.kind !== 'word') throw c.syntaxError('an alias', token);
    return token.value;
  }
  return c.isIdentifier() ? c.identifier('an alias') : null;
}

/** Items of SELECT ... FROM or RETURNING that name columns: `*`, `col`, `col AS name`. */
export function toRowItem(item: ParsedItem, clause: string): RowItem {
  if (item.kind === 'star') return { kind: 'star' };
  if (item.kind === 'aggregate') throw sqlError('42803', `aggregate functions are not allowed in ${clause}`, item.token);
  if (item.expr.kind !== 'column') {
    throw unsupported(`expressions in ${clause} are not supported; list columns, * or (in SELECT) count/sum/min/max`, item.token);
  }
  return { kind: 'column', column: item.expr.name, name: item.alias ?? item.expr.name };
}

export function toAggregateItem(item: ParsedItem & { kind: 'aggregate' }): AggregateItem {
  return { fn: item.fn, column: item.column, name: item.alias ?? item.fn };
}

export function itemName(item: ParsedItem & { kind: 'expr' }): string {
  return item.alias ?? expressionName(item.expr);
}

/** RETURNING * | col [AS name], ... — null when absent. */
export function parseReturning(c: Cursor): RowItem[] | null {
  if (!c.acceptKeyword('returning')) return null;
  return parseItems(c).map((item) => toRowItem(item, 'RETURNING'));
}
