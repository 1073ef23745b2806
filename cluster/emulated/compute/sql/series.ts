// `generate_series(start, stop [, step]) [AS] alias [(column)]` in FROM, and the select list over
// it: expressions of the series column, literals and parameters, one row per series value. It is
// the one set-returning function, so that `INSERT ... SELECT ... FROM generate_series(...)` can
// fill a table; nothing may follow it but the end of the SELECT.

import type { Expr, Series, ValueItem } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { sqlError, unsupported } from './errors.ts';
import { CONSTANTS_ONLY, parseExpr } from './expressions.ts';
import { itemName, type ParsedItem } from './items.ts';

const SERIES = 'generate_series';
const JOIN_WORDS = ['join', 'inner', 'left', 'right', 'full', 'cross', 'natural', 'lateral'];
/** SELECT clauses PostgreSQL allows after FROM, none of which this dialect runs over a series. */
const CLAUSE_WORDS = ['where', 'group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'for', 'union', 'intersect', 'except'];

/** Is the FROM item at the cursor a function call (`name(...)`) rather than a table? */
export function isFunctionCall(c: Cursor): boolean {
  return c.peek().kind === 'word' && c.isOp('(', 1);
}

/** The FROM item `generate_series(...) [AS] alias [(column)]`, with joins and later clauses refused. */
export function parseSeries(c: Cursor): Series {
  const name = c.next();
  if (name.kind !== 'word' || name.value !== SERIES) {
    throw unsupported(`function ${name.text}() in FROM is not supported; the only function in FROM is generate_series(start, stop[, step])`, name);
  }
  c.expectOp('(');
  const args: Expr[] = [];
  if (!c.isOp(')')) {
    do args.push(argument(c));
    while (c.acceptOp(','));
  }
  c.expectOp(')');
  if (args.length < 2 || args.length > 3) throw sqlError('42883', `function generate_series() takes 2 or 3 arguments, not ${args.length}`, name);
  if (c.isKeyword('with')) throw unsupported('generate_series(...) WITH ORDINALITY is not supported', c.peek());
  const bareAlias = c.isIdentifier() && !JOIN_WORDS.some((word) => c.isKeyword(word));
  const alias = c.acceptKeyword('as') || bareAlias ? c.identifier('an alias') : null;
  let column = alias ?? SERIES;
  if (alias && c.isOp('(')) {
    const at = c.peek();
    const columns = c.identifierList('a column name');
    if (columns.length > 1) throw sqlError('42P10', `table "${alias}" has 1 columns available but ${columns.length} columns specified`, at);
    column = columns[0]!;
  }
  rejectFollowing(c);
  return { start: args[0]!, stop: args[1]!, step: args[2] ?? null, column, alias };
}

/** Start, stop and step: integers computed without a row (literals, parameters, arithmetic). */
function argument(c: Cursor): Expr {
  const token = c.peek();
  const expr = parseExpr(c, CONSTANTS_ONLY);
  if (expr.kind === 'float') throw unsupported('generate_series over non-integer numbers is not supported; use integers', token);
  return expr;
}

function rejectFollowing(c: Cursor): void {
  const token = c.peek();
  if (c.isOp(',') || JOIN_WORDS.some((word) => c.isKeyword(word))) {
    throw unsupported('joins are not supported; select from generate_series(...) alone', token);
  }
  if (CLAUSE_WORDS.some((word) => c.isKeyword(word))) {
    const word = token.text.toUpperCase();
    const clause = word === 'ORDER' || word === 'GROUP' ? `${word} BY` : word;
    throw unsupported(`${clause} is not supported with FROM generate_series(...); select expressions of the series over its whole range`, token);
  }
}

/** The select list over a series: `*` is its column; other names are not in scope. */
export function seriesItems(items: ParsedItem[], series: Series): ValueItem[] {
  return items.map((item) => {
    if (item.kind === 'star') return { expr: { kind: 'column', name: series.column }, name: series.column };
    if (item.kind === 'aggregate') throw unsupported(`${item.fn}() over generate_series(...) is not supported`, item.token);
    const unknown = columnNames(item.expr).find((name) => name !== series.column && name !== series.alias);
    if (unknown !== undefined) throw sqlError('42703', `column "${unknown}" does not exist`, item.token);
    return { expr: item.expr, name: itemName(item) };
  });
}

function columnNames(expr: Expr): string[] {
  switch (expr.kind) {
    case 'column':
      return [expr.name];
    case 'negate':
      return columnNames(expr.operand);
    case 'binary':
      return [...columnNames(expr.left), ...columnNames(expr.right)];
    case 'call':
      return expr.args.flatMap(columnNames);
    default:
      return [];
  }
}
