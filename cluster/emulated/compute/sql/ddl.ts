// CREATE TABLE and DROP TABLE. Tables are keyed: exactly one primary-key column, and every
// column type maps to int, text, bool or float.

import type { ColumnDef, ColumnType, CreateTable, DropTable } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { sqlError, unsupported } from './errors.ts';

const TYPES: Record<string, ColumnType> = {
  int: 'int', integer: 'int', int2: 'int', int4: 'int', int8: 'int', smallint: 'int', bigint: 'int',
  text: 'text', varchar: 'text', char: 'text', character: 'text', bpchar: 'text',
  bool: 'bool', boolean: 'bool',
  real: 'float', float: 'float', float4: 'float', float8: 'float', numeric: 'float', decimal: 'float', double: 'float',
};
/** Types written with a (length) or (precision, scale). */
const TAKES_MODIFIERS = new Set(['varchar', 'char', 'character', 'bpchar', 'float', 'numeric', 'decimal']);
const SERIALS = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);
const SUPPORTED_TYPES = 'int, integer, bigint, smallint, text, varchar(n), char(n), boolean, real, float8, double precision, numeric';

export function parseCreate(c: Cursor): CreateTable {
  c.expectKeyword('create');
  const what = c.peek();
  if (['temp', 'temporary', 'unlogged', 'global', 'local'].some((word) => c.isKeyword(word))) {
    throw unsupported(`${what.text.toUpperCase()} tables are not supported`, what);
  }
  if (!c.isKeyword('table')) {
    if (what.kind === 'word' && !what.quoted) throw unsupported(`CREATE ${what.text.toUpperCase()} is not supported`, what);
    throw c.syntaxError('TABLE');
  }
  c.next();
  const ifNotExists = c.acceptKeyword('if', 'not', 'exists');
  const table = c.tableName();
  if (c.isKeyword('as') || c.isKeyword('of') || c.isKeyword('partition')) {
    throw unsupported(`CREATE TABLE ... ${c.peek().text.toUpperCase()} is not supported`, c.peek());
  }
  c.expectOp('(');
  const columns: ColumnDef[] = [];
  const keys: { column: string; at: { pos: number } }[] = [];
  if (!c.isOp(')')) {
    do tableElement(c, columns, keys);
    while (c.acceptOp(','));
  }
  c.expectOp(')');
  const trailing = c.peek();
  if (trailing.kind === 'word' && !trailing.quoted) throw unsupported(`${trailing.text.toUpperCase()} is not supported in CREATE TABLE`, trailing);
  c.expectEnd('the end of the statement');

  const primaryKey = keys[0];
  if (keys.length > 1) throw sqlError('42P16', `multiple primary keys for table "${table}" are not allowed`, keys[1]!.at);
  if (!primaryKey) throw unsupported('a table needs exactly one PRIMARY KEY column', what);
  const keyColumn = columns.find((column) => column.name === primaryKey.column);
  if (!keyColumn) throw sqlError('42703', `column "${primaryKey.column}" named in key does not exist`, primaryKey.at);
  keyColumn.notNull = true;
  return { kind: 'create_table', table, ifNotExists, columns, primaryKey: primaryKey.column };
}

/** A column definition, or a table constraint PRIMARY KEY (col). */
function tableElement(c: Cursor, columns: ColumnDef[], keys: { column: string; at: { pos: number } }[]): void {
  const token = c.peek();
  if (c.acceptKeyword('primary', 'key')) {
    const names = c.identifierList('a column name');
    if (names.length > 1) throw unsupported('composite primary keys are not supported; use one PRIMARY KEY column', token);
    keys.push({ column: names[0]!, at: token });
    return;
  }
  if (['constraint', 'unique', 'check', 'foreign', 'exclude', 'like'].some((word) => c.isKeyword(word))) {
    throw unsupported(`table constraint ${token.text.toUpperCase()} is not supported (only PRIMARY KEY (col))`, token);
  }
  const name = c.identifier('a column name');
  if (columns.some((column) => column.name === name)) throw sqlError('42701', `column "${name}" specified more than once`, token);
  const column: ColumnDef = { name, type: parseType(c), notNull: false };
  columns.push(column);
  for (;;) {
    const constraint = c.peek();
    if (c.acceptKeyword('primary', 'key')) keys.push({ column: name, at: constraint });
    else if (c.acceptKeyword('not', 'null')) column.notNull = true;
    else if (c.acceptKeyword('null')) continue;
    else if (['default', 'unique', 'check', 'references', 'collate', 'generated', 'constraint'].some((word) => c.isKeyword(word))) {
      const what = `column constraint ${constraint.text.toUpperCase()} is not supported (columns take PRIMARY KEY, NOT NULL and NULL)`;
      throw unsupported(what, constraint);
    } else return;
  }
}

function parseType(c: Cursor): ColumnType {
  const token = c.peek();
  if (token.kind !== 'word') throw c.syntaxError('a type name');
  c.next();
  let name = token.value;
  if (name === 'double') c.expectKeyword('precision');
  if (name === 'character' && c.acceptKeyword('varying')) name = 'varchar';
  if (SERIALS.has(name)) throw unsupported(`${name} is not supported; declare the key column as int and insert its values`, token);
  const type = TYPES[name];
  if (!type) throw unsupported(`type ${token.text} is not supported (supported: ${SUPPORTED_TYPES})`, token);
  if (TAKES_MODIFIERS.has(name) && c.acceptOp('(')) {
    do if (c.next().kind !== 'number') throw c.syntaxError('a number');
    while (c.acceptOp(','));
    c.expectOp(')');
  }
  if (c.isOp('[') || c.isKeyword('array')) throw unsupported('array types are not supported', c.peek());
  return type;
}

export function parseDrop(c: Cursor): DropTable {
  c.expectKeyword('drop');
  const what = c.peek();
  if (!c.acceptKeyword('table')) {
    if (what.kind === 'word' && !what.quoted) throw unsupported(`DROP ${what.text.toUpperCase()} is not supported`, what);
    throw c.syntaxError('TABLE');
  }
  const ifExists = c.acceptKeyword('if', 'exists');
  const table = c.tableName();
  if (c.isOp(',')) throw unsupported('dropping several tables in one statement is not supported', c.peek());
  // There are no dependent objects, so CASCADE and RESTRICT mean the same.
  if (!c.acceptKeyword('cascade')) c.acceptKeyword('restrict');
  c.expectEnd('the end of the statement');
  return { kind: 'drop_table', table, ifExists };
}
