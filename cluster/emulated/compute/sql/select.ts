// SELECT: from one table (columns or aggregates, WHERE on the key, ORDER BY one column, LIMIT,
// OFFSET), from generate_series (series.ts), or without FROM (one row of values, e.g.
// `SELECT pg_current_wal_lsn()`). Also the query of INSERT ... SELECT.

import type { InsertSource, Select, SelectList, SelectSeries, SelectValues, ValueItem } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { sqlError, unsupported } from './errors.ts';
import { CONSTANTS_ONLY, findColumn, parseExpr } from './expressions.ts';
import { itemName, parseItems, toAggregateItem, toRowItem, type ParsedItem } from './items.ts';
import { isFunctionCall, parseSeries, seriesItems } from './series.ts';
import { parseWhere } from './where.ts';

const SET_OPERATIONS = ['union', 'intersect', 'except'];
const JOIN_WORDS = ['join', 'inner', 'left', 'right', 'full', 'cross', 'natural'];

export function parseSelect(c: Cursor): Select | SelectValues | SelectSeries {
  const items = selectList(c);
  if (c.acceptKeyword('from')) {
    if (!isFunctionCall(c)) return selectFrom(c, items);
    const query = selectSeries(c, items);
    c.expectEnd('the end of the statement');
    return query;
  }
  rejectClausesWithoutFrom(c);
  c.expectEnd('FROM, "," or the end of the statement');
  return { kind: 'select_values', items: items.map(valueItem) };
}

/**
 * The query of INSERT ... SELECT, ending where ON CONFLICT or RETURNING may start: a select list
 * over generate_series, or without FROM one row of values (as VALUES would give).
 */
export function parseInsertQuery(c: Cursor): InsertSource {
  const items = selectList(c);
  if (c.acceptKeyword('from')) {
    if (!isFunctionCall(c)) {
      throw unsupported('INSERT ... SELECT from a table is not supported; insert from VALUES (...) or SELECT ... FROM generate_series(...)', c.peek());
    }
    return selectSeries(c, items);
  }
  rejectClausesWithoutFrom(c);
  return { kind: 'values', rows: [items.map((item) => valueItem(item).expr)] };
}

function selectList(c: Cursor): ParsedItem[] {
  c.expectKeyword('select');
  if (c.isKeyword('distinct')) throw unsupported('SELECT DISTINCT is not supported', c.peek());
  c.acceptKeyword('all');
  return parseItems(c);
}

function selectSeries(c: Cursor, items: ParsedItem[]): SelectSeries {
  const series = parseSeries(c);
  return { kind: 'select_series', items: seriesItems(items, series), series };
}

function rejectClausesWithoutFrom(c: Cursor): void {
  const clause = c.peek();
  if (['where', 'order', 'limit', 'offset', 'group', 'having'].some((word) => c.isKeyword(word))) {
    throw unsupported(`${clause.text.toUpperCase()} without FROM is not supported`, clause);
  }
  rejectSetOperation(c);
}

function valueItem(item: ParsedItem): ValueItem {
  if (item.kind === 'star') throw sqlError('42601', 'SELECT * with no tables specified is not valid', item.token);
  if (item.kind === 'aggregate') throw unsupported(`${item.fn}() without FROM is not supported`, item.token);
  const column = findColumn(item.expr);
  if (column) throw sqlError('42703', `column "${column.name}" does not exist`, item.token);
  return { expr: item.expr, name: itemName(item) };
}

function selectFrom(c: Cursor, items: ParsedItem[]): Select {
  const table = c.tableName();
  if (c.isOp(',') || JOIN_WORDS.some((word) => c.isKeyword(word))) throw unsupported('joins are not supported; select from one table', c.peek());
  if (c.isKeyword('as') || c.isIdentifier()) throw unsupported('table aliases are not supported', c.peek());
  const where = c.acceptKeyword('where') ? parseWhere(c) : null;
  if (c.isKeyword('group')) throw unsupported('GROUP BY is not supported; aggregates run over all selected rows', c.peek());
  if (c.isKeyword('having')) throw unsupported('HAVING is not supported', c.peek());
  const orderBy = parseOrderBy(c);
  const { limit, offset } = parseLimitOffset(c);
  if (c.isKeyword('for') || c.isKeyword('fetch')) throw unsupported(`${c.peek().text.toUpperCase()} is not supported in SELECT`, c.peek());
  rejectSetOperation(c);
  c.expectEnd('WHERE, ORDER BY, LIMIT, OFFSET or the end of the statement');
  return { kind: 'select', table, list: tableList(items), where, orderBy, limit, offset };
}

/** Aggregates or columns, not both: there is no GROUP BY. */
function tableList(items: ParsedItem[]): SelectList {
  const plain = items.find((item) => item.kind !== 'aggregate');
  if (!plain) return { kind: 'aggregates', items: items.map((item) => toAggregateItem(item as ParsedItem & { kind: 'aggregate' })) };
  if (items.some((item) => item.kind === 'aggregate')) {
    throw unsupported('mixing aggregates with plain columns is not supported (there is no GROUP BY)', plain.token);
  }
  return { kind: 'rows', items: items.map((item) => toRowItem(item, 'the select list of SELECT ... FROM')) };
}

function parseOrderBy(c: Cursor): Select['orderBy'] {
  if (!c.acceptKeyword('order')) return null;
  c.expectKeyword('by');
  const token = c.peek();
  if (token.kind === 'number') throw unsupported('ORDER BY a column position is not supported; name the column', token);
  const column = c.identifier('a column name');
  if (c.peek().kind === 'op' && !c.isOp(',') && !c.isOp(';')) throw unsupported('ORDER BY an expression is not supported; name a column', token);
  const descending = c.acceptKeyword('desc');
  if (!descending) c.acceptKeyword('asc');
  if (c.isKeyword('nulls') || c.isKeyword('using')) throw unsupported(`ORDER BY ... ${c.peek().text.toUpperCase()} is not supported`, c.peek());
  if (c.isOp(',')) throw unsupported('ORDER BY more than one column is not supported', c.peek());
  return { column, descending };
}

/** LIMIT n | ALL and OFFSET n [ROW[S]], in either order, each at most once. */
function parseLimitOffset(c: Cursor): Pick<Select, 'limit' | 'offset'> {
  let limit: Select['limit'] | undefined;
  let offset: Select['offset'] | undefined;
  for (;;) {
    const token = c.peek();
    if (c.acceptKeyword('limit')) {
      if (limit !== undefined) throw sqlError('42601', 'multiple LIMIT clauses not allowed', token);
      limit = c.acceptKeyword('all') ? null : parseExpr(c, CONSTANTS_ONLY);
    } else if (c.acceptKeyword('offset')) {
      if (offset !== undefined) throw sqlError('42601', 'multiple OFFSET clauses not allowed', token);
      offset = parseExpr(c, CONSTANTS_ONLY);
      if (!c.acceptKeyword('rows')) c.acceptKeyword('row');
    } else {
      return { limit: limit ?? null, offset: offset ?? null };
    }
  }
}

function rejectSetOperation(c: Cursor): void {
  if (SET_OPERATIONS.some((word) => c.isKeyword(word))) throw unsupported(`${c.peek().text.toUpperCase()} is not supported`, c.peek());
}
