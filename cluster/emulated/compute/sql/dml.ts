// INSERT (from VALUES or SELECT, with ON CONFLICT), UPSERT, UPDATE and DELETE.

import type { Assignment, Delete, Expr, Insert, InsertSource, OnConflict, Update, Upsert } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { sqlError, unsupported } from './errors.ts';
import { CONSTANTS_ONLY, parseExpr, type ExprScope } from './expressions.ts';
import { parseReturning } from './items.ts';
import type { Token } from './lexer.ts';
import { parseInsertQuery } from './select.ts';
import { parseWhere } from './where.ts';

/**
 * INSERT INTO / UPSERT INTO t [(cols)] VALUES (...), ... | SELECT ... [FROM generate_series(...)]
 * [ON CONFLICT ...] [RETURNING ...].
 */
export function parseInsert(c: Cursor): Insert | Upsert {
  const upsert = c.acceptKeyword('upsert');
  if (!upsert) c.expectKeyword('insert');
  c.expectKeyword('into');
  const table = c.tableName();
  if (c.isKeyword('as')) throw unsupported('a table alias in INSERT is not supported', c.peek());
  const columns = c.isOp('(') ? distinctColumns(c) : null;
  const at = c.peek();
  if (c.isKeyword('default') || c.isKeyword('with') || c.isKeyword('overriding')) {
    const what = c.isKeyword('default') ? 'DEFAULT VALUES' : `INSERT ... ${at.text.toUpperCase()}`;
    throw unsupported(`${what} is not supported; insert with VALUES (...) or SELECT ... FROM generate_series(...)`, at);
  }
  let source: InsertSource;
  if (c.isKeyword('select')) source = parseInsertQuery(c);
  else if (c.acceptKeyword('values')) source = valuesSource(c, at);
  else throw c.syntaxError('VALUES or SELECT');
  checkWidth(source, columns, at);
  const onConflict = !upsert && c.acceptKeyword('on', 'conflict') ? parseOnConflict(c) : null;
  const returning = parseReturning(c);
  c.expectEnd(upsert ? 'RETURNING or the end of the statement' : 'ON CONFLICT, RETURNING or the end of the statement');
  return upsert ? { kind: 'upsert', table, columns, source, returning } : { kind: 'insert', table, columns, source, onConflict, returning };
}

/** UPDATE t SET col = expr, ... WHERE <key predicate> [RETURNING ...]. */
export function parseUpdate(c: Cursor): Update {
  c.expectKeyword('update');
  const table = c.tableName();
  if (c.isKeyword('as') || (c.isIdentifier() && !c.isKeyword('set'))) throw unsupported('a table alias in UPDATE is not supported', c.peek());
  c.expectKeyword('set');
  const assignments = parseAssignments(c, { columns: true, excluded: false });
  if (c.isKeyword('from')) throw unsupported('UPDATE ... FROM is not supported', c.peek());
  const token = c.peek();
  if (!c.acceptKeyword('where')) {
    if (c.atEnd() || c.isOp(';') || c.isKeyword('returning')) {
      throw unsupported('UPDATE without WHERE is not supported; update rows by primary key (WHERE id = ...)', token);
    }
    throw c.syntaxError('"," or WHERE');
  }
  const where = parseWhere(c);
  const returning = parseReturning(c);
  c.expectEnd('RETURNING or the end of the statement');
  return { kind: 'update', table, assignments, where, returning };
}

/** DELETE FROM t [WHERE <key predicate>] [RETURNING ...]; without WHERE, every row. */
export function parseDelete(c: Cursor): Delete {
  c.expectKeyword('delete');
  c.expectKeyword('from');
  const table = c.tableName();
  if (c.isKeyword('using')) throw unsupported('DELETE ... USING is not supported', c.peek());
  if (c.isKeyword('as') || c.isIdentifier()) throw unsupported('a table alias in DELETE is not supported', c.peek());
  const where = c.acceptKeyword('where') ? parseWhere(c) : null;
  const returning = parseReturning(c);
  c.expectEnd('WHERE, RETURNING or the end of the statement');
  return { kind: 'delete', table, where, returning };
}

/** ON CONFLICT [(col)] DO NOTHING | ON CONFLICT (col) DO UPDATE SET ... (after ON CONFLICT). */
function parseOnConflict(c: Cursor): OnConflict {
  let target: string | null = null;
  const targetToken = c.peek();
  if (c.isOp('(')) {
    const columns = c.identifierList('a column name');
    if (columns.length > 1) throw unsupported('ON CONFLICT on more than one column is not supported; name the primary-key column', targetToken);
    target = columns[0]!;
    if (c.isKeyword('where')) throw unsupported('ON CONFLICT (...) WHERE is not supported', c.peek());
  } else if (c.isKeyword('on')) {
    throw unsupported('ON CONFLICT ON CONSTRAINT is not supported; name the primary-key column: ON CONFLICT (col)', targetToken);
  }
  c.expectKeyword('do');
  if (c.acceptKeyword('nothing')) return { action: 'nothing', target };
  const update = c.peek();
  if (!c.acceptKeyword('update')) throw c.syntaxError('NOTHING or UPDATE');
  if (target === null) {
    throw sqlError('42601', 'ON CONFLICT DO UPDATE requires inference specification or constraint name', update, 'For example, ON CONFLICT (column_name).');
  }
  c.expectKeyword('set');
  const assignments = parseAssignments(c, { columns: true, excluded: true });
  if (c.isKeyword('where')) throw unsupported('ON CONFLICT DO UPDATE ... WHERE is not supported', c.peek());
  return { action: 'update', target, assignments };
}

/** col = expr, ... — each column at most once. */
function parseAssignments(c: Cursor, scope: ExprScope): Assignment[] {
  const assignments: Assignment[] = [];
  do {
    const token = c.peek();
    if (c.isOp('(')) throw unsupported('multiple-column assignments (a, b) = (...) are not supported', token);
    const column = c.identifier('a column name');
    if (c.isOp('.')) throw unsupported('qualified column names are not supported in SET; write the column name alone', token);
    if (assignments.some((a) => a.column === column)) throw sqlError('42601', `multiple assignments to same column "${column}"`, token);
    c.expectOp('=');
    if (c.isKeyword('default')) throw unsupported('SET col = DEFAULT is not supported', c.peek());
    assignments.push({ column, value: parseExpr(c, scope) });
  } while (c.acceptOp(','));
  return assignments;
}

function distinctColumns(c: Cursor): string[] {
  const start = c.peek();
  const columns = c.identifierList('a column name');
  const duplicate = columns.find((column, i) => columns.indexOf(column) !== i);
  if (duplicate) throw sqlError('42701', `column "${duplicate}" specified more than once`, start);
  return columns;
}

/** The rows after VALUES (the keyword at `at`), all of the same length. */
function valuesSource(c: Cursor, at: Token): InsertSource {
  const rows = [valuesRow(c)];
  while (c.acceptOp(',')) rows.push(valuesRow(c));
  if (rows.some((row) => row.length !== rows[0]!.length)) throw sqlError('42601', 'VALUES lists must all be the same length', at);
  return { kind: 'values', rows };
}

function valuesRow(c: Cursor): Expr[] {
  c.expectOp('(');
  const values: Expr[] = [];
  do {
    if (c.isKeyword('default')) throw unsupported('DEFAULT in VALUES is not supported; give every value', c.peek());
    values.push(parseExpr(c, CONSTANTS_ONLY));
  } while (c.acceptOp(','));
  c.expectOp(')');
  return values;
}

/** A row of the source has exactly as many values as the column list names, when there is one. */
function checkWidth(source: InsertSource, columns: string[] | null, at: Token): void {
  const width = source.kind === 'values' ? source.rows[0]!.length : source.items.length;
  if (columns && width > columns.length) throw sqlError('42601', 'INSERT has more expressions than target columns', at);
  if (columns && width < columns.length) throw sqlError('42601', 'INSERT has more target columns than expressions', at);
}
