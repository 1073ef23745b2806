// Transaction control (BEGIN/START TRANSACTION, COMMIT/END, ROLLBACK/ABORT) and settings
// (SHOW, SET, RESET).

import type { Begin, Commit, Reset, Rollback, SetVariable, Show } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { unsupported } from './errors.ts';

const ISOLATION_LEVELS = [['serializable'], ['repeatable', 'read'], ['read', 'committed'], ['read', 'uncommitted']];
/** Settings PostgreSQL's grammar spells in several words. */
const MULTI_WORD_SETTINGS: [string[], string][] = [
  [['time', 'zone'], 'timezone'],
  [['transaction', 'isolation', 'level'], 'transaction_isolation'],
  [['session', 'authorization'], 'session_authorization'],
];

/** BEGIN [WORK | TRANSACTION] [modes] / START TRANSACTION [modes]; the modes are ignored. */
export function parseBegin(c: Cursor): Begin {
  if (c.acceptKeyword('start')) c.expectKeyword('transaction');
  else {
    c.expectKeyword('begin');
    if (!c.acceptKeyword('work')) c.acceptKeyword('transaction');
  }
  while (transactionMode(c)) c.acceptOp(',');
  c.expectEnd('a transaction mode or the end of the statement');
  return { kind: 'begin' };
}

/** Consumes one of ISOLATION LEVEL ..., READ WRITE/ONLY, [NOT] DEFERRABLE. */
function transactionMode(c: Cursor): boolean {
  if (c.acceptKeyword('isolation', 'level')) {
    if (!ISOLATION_LEVELS.some((level) => c.acceptKeyword(...level))) throw c.syntaxError('an isolation level');
    return true;
  }
  return (
    c.acceptKeyword('read', 'write') || c.acceptKeyword('read', 'only') || c.acceptKeyword('not', 'deferrable') || c.acceptKeyword('deferrable')
  );
}

/** COMMIT / END [WORK | TRANSACTION] [AND NO CHAIN]. */
export function parseCommit(c: Cursor): Commit {
  if (!c.acceptKeyword('end')) c.expectKeyword('commit');
  endOfTransaction(c);
  return { kind: 'commit' };
}

/** ROLLBACK / ABORT [WORK | TRANSACTION] [AND NO CHAIN]. */
export function parseRollback(c: Cursor): Rollback {
  if (!c.acceptKeyword('abort')) c.expectKeyword('rollback');
  endOfTransaction(c);
  return { kind: 'rollback' };
}

function endOfTransaction(c: Cursor): void {
  if (c.isKeyword('prepared')) throw unsupported('two-phase commit is not supported', c.peek());
  if (!c.acceptKeyword('work')) c.acceptKeyword('transaction');
  if (c.isKeyword('to')) throw unsupported('savepoints are not supported', c.peek());
  if (!c.acceptKeyword('and', 'no', 'chain') && c.isKeyword('and')) throw unsupported('AND CHAIN is not supported', c.peek());
  c.expectEnd('the end of the statement');
}

export function parseShow(c: Cursor): Show {
  c.expectKeyword('show');
  if (c.isKeyword('all')) throw unsupported('SHOW ALL is not supported; show one setting by name', c.peek());
  const name = settingName(c);
  c.expectEnd('the end of the statement');
  return { kind: 'show', name };
}

/** SET [SESSION | LOCAL] name {TO | =} value[, ...] | DEFAULT; also SET TIME ZONE, NAMES, SCHEMA. */
export function parseSet(c: Cursor): SetVariable {
  c.expectKeyword('set');
  const local = c.acceptKeyword('local');
  if (!local) c.acceptKeyword('session');
  const token = c.peek();
  if (['transaction', 'characteristics', 'authorization', 'role', 'constraints'].some((word) => c.isKeyword(word))) {
    throw unsupported(`SET ${token.text.toUpperCase()} is not supported`, token);
  }
  let name: string;
  if (c.acceptKeyword('time', 'zone')) {
    const value = c.acceptKeyword('local') || c.acceptKeyword('default') ? null : settingValue(c);
    c.expectEnd('the end of the statement');
    return { kind: 'set', name: 'timezone', value, local };
  }
  if (c.acceptKeyword('names')) name = 'client_encoding';
  else if (c.acceptKeyword('schema')) name = 'search_path';
  else {
    name = settingName(c);
    if (!c.acceptKeyword('to') && !c.acceptOp('=')) throw c.syntaxError('TO or =');
  }
  let value: string | null = null;
  if (!c.acceptKeyword('default')) {
    const values = [settingValue(c)];
    while (c.acceptOp(',')) values.push(settingValue(c));
    value = values.join(', ');
  }
  c.expectEnd('"," or the end of the statement');
  return { kind: 'set', name, value, local };
}

/** RESET name | RESET ALL. */
export function parseReset(c: Cursor): Reset {
  c.expectKeyword('reset');
  const name = c.acceptKeyword('all') ? null : settingName(c);
  c.expectEnd('the end of the statement');
  return { kind: 'reset', name };
}

/** A setting name: lower-cased words joined by dots (neon.safekeepers), or a multi-word alias. */
function settingName(c: Cursor): string {
  for (const [words, name] of MULTI_WORD_SETTINGS) if (c.acceptKeyword(...words)) return name;
  const parts: string[] = [];
  do {
    const token = c.next();
    if (token.kind !== 'word') throw c.syntaxError('a setting name', token);
    parts.push(token.value);
  } while (c.acceptOp('.'));
  return parts.join('.');
}

/** One value: a string, a (signed) number, or a word such as on, off, utc. */
function settingValue(c: Cursor): string {
  const negative = c.acceptOp('-');
  const signed = negative || c.acceptOp('+');
  const token = c.next();
  if (token.kind === 'number') return (negative ? '-' : '') + token.value;
  if (!signed && (token.kind === 'string' || token.kind === 'word')) return token.value;
  throw c.syntaxError('a value', token);
}
