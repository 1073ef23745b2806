// The dialect's errors: 42601 for malformed SQL (pointing at the token), 0A000 for SQL that
// PostgreSQL would accept but the emulated compute does not (saying what is supported).

import { PgError } from '../pg-wire/errors.ts';
import type { Token } from './lexer.ts';

export const SUPPORTED_SQL =
  "neon-local's emulated compute supports CREATE TABLE, DROP TABLE, INSERT (ON CONFLICT, SELECT FROM generate_series), UPSERT, " +
  'UPDATE/DELETE by primary key, SELECT by primary key or range with count/sum/min/max, ' +
  'BEGIN/COMMIT/ROLLBACK, SHOW and a few functions; see docs/SQL.md';

/** PostgreSQL's wording ("at or near", "at end of input") plus what would have been valid. */
export function syntaxError(token: Token, expected?: string): PgError {
  const where = token.kind === 'end' ? 'at end of input' : `at or near "${token.text}"`;
  const message = `syntax error ${where}${expected ? ` (expected ${expected})` : ''}`;
  return new PgError('42601', message, { position: token.pos + 1 });
}

/** `what` reads as a sentence start: "GROUP BY is not supported". */
export function unsupported(what: string, at?: { pos: number }): PgError {
  return new PgError('0A000', `${what}. ${SUPPORTED_SQL}`, at ? { position: at.pos + 1 } : undefined);
}

/** Any other error; `at` (a token, or anything with a 0-based `pos`) places psql's caret. */
export function sqlError(sqlstate: string, message: string, at?: { pos: number }, hint?: string): PgError {
  return new PgError(sqlstate, message, { ...(at ? { position: at.pos + 1 } : {}), ...(hint ? { hint } : {}) });
}
