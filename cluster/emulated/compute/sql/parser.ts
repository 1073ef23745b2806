// parseStatement: one statement of the emulated compute's dialect (docs/SQL.md) → a typed AST.
// Malformed SQL throws PgError 42601 pointing at the token; SQL PostgreSQL would run but this
// dialect does not throws 0A000 saying what is supported.

import type { Statement } from './ast.ts';
import { Cursor } from './cursor.ts';
import { parseCreate, parseDrop } from './ddl.ts';
import { parseDelete, parseInsert, parseUpdate } from './dml.ts';
import { unsupported } from './errors.ts';
import { parseSelect } from './select.ts';
import { parseBegin, parseCommit, parseReset, parseRollback, parseSet, parseShow } from './session-statements.ts';

const STATEMENTS: Record<string, (c: Cursor) => Statement> = {
  create: parseCreate,
  drop: parseDrop,
  insert: parseInsert,
  upsert: parseInsert,
  update: parseUpdate,
  delete: parseDelete,
  select: parseSelect,
  begin: parseBegin,
  start: parseBegin,
  commit: parseCommit,
  end: parseCommit,
  rollback: parseRollback,
  abort: parseRollback,
  show: parseShow,
  set: parseSet,
  reset: parseReset,
};

/** PostgreSQL commands this dialect recognises but does not run. */
const UNSUPPORTED_COMMANDS = new Set(
  ('alter analyse analyze call checkpoint close cluster comment copy deallocate declare discard do execute explain fetch ' +
    'grant import listen load lock merge move notify prepare reassign refresh reindex release revoke savepoint security ' +
    'table truncate unlisten vacuum values with').split(' '),
);

export function parseStatement(sql: string): Statement {
  const c = new Cursor(sql);
  const first = c.peek();
  const word = first.kind === 'word' && !first.quoted ? first.value : null;
  const parse = word ? STATEMENTS[word] : undefined;
  if (!parse) {
    if (word && UNSUPPORTED_COMMANDS.has(word)) throw unsupported(`${word.toUpperCase()} is not supported`, first);
    throw c.syntaxError('a statement');
  }
  const statement = parse(c);
  c.expectEnd('the end of the statement');
  return statement;
}
