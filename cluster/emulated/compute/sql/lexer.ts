// Turns one statement's text into tokens. Words are lower-cased unless double-quoted; strings
// support '' escapes, E'...' backslash escapes and $tag$...$tag$ quoting; comments are skipped.

import { sqlError } from './errors.ts';
import { blockCommentEnd } from './skip.ts';

interface TokenBase {
  /** 0-based offset in the statement text. */
  pos: number;
  /** The token as written, for error messages. */
  text: string;
}

export type Token = TokenBase &
  (
    | { kind: 'word'; value: string; quoted: boolean }
    | { kind: 'number'; value: string; integer: boolean }
    | { kind: 'string'; value: string }
    | { kind: 'param'; index: number }
    | { kind: 'op'; value: string }
    | { kind: 'end' }
  );

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const PARAM = /\$\d+/y;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const OPERATORS = ['<=', '>=', '<>', '!=', '||', '::', '(', ')', ',', ';', '.', '*', '+', '-', '/', '%', '=', '<', '>', '[', ']', '^'];
const E_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (token: Token) => {
    tokens.push(token);
    i = token.pos + token.text.length;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (sql.startsWith('--', i)) {
      const newline = sql.indexOf('\n', i);
      i = newline < 0 ? sql.length : newline + 1;
    } else if (sql.startsWith('/*', i)) {
      i = skipBlockComment(sql, i);
    } else if ((c === 'E' || c === 'e') && sql[i + 1] === "'") {
      push(escapeString(sql, i));
    } else if (WORD_START.test(c)) {
      let end = i + 1;
      while (end < sql.length && WORD_PART.test(sql[end]!)) end++;
      const text = sql.slice(i, end);
      push({ kind: 'word', value: text.toLowerCase(), quoted: false, pos: i, text });
    } else if (c === '"') {
      const { value, end } = quoted(sql, i, '"', 'unterminated quoted identifier');
      if (value === '') throw sqlError('42601', 'zero-length delimited identifier', { pos: i });
      push({ kind: 'word', value, quoted: true, pos: i, text: sql.slice(i, end) });
    } else if (c === "'") {
      const { value, end } = quoted(sql, i, "'", 'unterminated quoted string');
      push({ kind: 'string', value, pos: i, text: sql.slice(i, end) });
    } else if (c === '$' && /\d/.test(sql[i + 1] ?? '')) {
      const text = matchAt(PARAM, sql, i)!;
      push({ kind: 'param', index: Number(text.slice(1)), pos: i, text });
    } else if (c === '$') {
      push(dollarString(sql, i));
    } else if (/[\d.]/.test(c) && matchAt(NUMBER, sql, i)) {
      const text = matchAt(NUMBER, sql, i)!;
      if (WORD_PART.test(sql[i + text.length] ?? '')) {
        throw sqlError('42601', `trailing junk after numeric literal at or near "${text}${sql[i + text.length]}"`, { pos: i });
      }
      push({ kind: 'number', value: text, integer: /^\d+$/.test(text), pos: i, text });
    } else {
      const op = OPERATORS.find((candidate) => sql.startsWith(candidate, i));
      if (!op) throw sqlError('42601', `syntax error at or near "${c}"`, { pos: i });
      push({ kind: 'op', value: op, pos: i, text: op });
    }
  }
  tokens.push({ kind: 'end', pos: sql.length, text: '' });
  return tokens;
}

/** A '...' or "..." token; a doubled quote stands for itself. */
function quoted(sql: string, start: number, quote: string, unterminated: string): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  for (;;) {
    const next = sql.indexOf(quote, i);
    if (next < 0) throw sqlError('42601', `${unterminated} at or near "${sql.slice(start, start + 20)}"`, { pos: start });
    value += sql.slice(i, next);
    if (sql[next + 1] !== quote) return { value, end: next + 1 };
    value += quote;
    i = next + 2;
  }
}

/** E'...': backslash escapes (\n, \t, \\, \', ...) as well as ''. */
function escapeString(sql: string, start: number): Token {
  let value = '';
  let i = start + 2;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '\\' && i + 1 < sql.length) {
      const escaped = sql[i + 1]!;
      value += E_ESCAPES[escaped] ?? escaped;
      i += 2;
    } else if (c === "'" && sql[i + 1] === "'") {
      value += "'";
      i += 2;
    } else if (c === "'") {
      return { kind: 'string', value, pos: start, text: sql.slice(start, i + 1) };
    } else {
      value += c;
      i++;
    }
  }
  throw sqlError('42601', `unterminated quoted string at or near "${sql.slice(start, start + 20)}"`, { pos: start });
}

/** $$...$$ or $tag$...$tag$. */
function dollarString(sql: string, start: number): Token {
  const tag = matchAt(DOLLAR_TAG, sql, start);
  if (!tag) throw sqlError('42601', 'syntax error at or near "$"', { pos: start });
  const bodyStart = start + tag.length;
  const close = sql.indexOf(tag, bodyStart);
  if (close < 0) throw sqlError('42601', `unterminated dollar-quoted string at or near "${sql.slice(start, start + 20)}"`, { pos: start });
  return { kind: 'string', value: sql.slice(bodyStart, close), pos: start, text: sql.slice(start, close + tag.length) };
}

function skipBlockComment(sql: string, start: number): number {
  const end = blockCommentEnd(sql, start);
  if (end < 0) throw sqlError('42601', 'unterminated /* comment at or near "/*"', { pos: start });
  return end;
}

/** The match of a sticky regex at `index`, or null. */
function matchAt(regex: RegExp, sql: string, index: number): string | null {
  regex.lastIndex = index;
  return regex.exec(sql)?.[0] ?? null;
}
