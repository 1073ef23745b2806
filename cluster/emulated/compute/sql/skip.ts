// PostgreSQL's lexical rules for the spans a scanner must step over without looking inside:
// quoted strings and identifiers, nested block comments, dollar-quoted strings. Shared by the
// statement splitter, the lexer and the wire server's parameter counter.

export function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
}

/** Is the quote at `i` the start of E'...' (backslash escapes), i.e. preceded by a lone E? */
export function isEscapeStringPrefix(sql: string, i: number): boolean {
  return (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !isWordChar(sql[i - 2]);
}

/** Past the '...' or "..." opening at `start` (a doubled quote is an escape); the text's end if unterminated. */
export function pastQuoted(sql: string, start: number, quote: string, backslashEscapes = false): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === quote && sql[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return sql.length;
}

/** Past the block comment opening at `start` (they nest, as in PostgreSQL); -1 if unterminated. */
export function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return -1;
}

/** Past the block comment at `start`; the text's end if unterminated. */
export function pastBlockComment(sql: string, start: number): number {
  const end = blockCommentEnd(sql, start);
  return end < 0 ? sql.length : end;
}

/** Past $tag$...$tag$ when one opens at `start`; a `$1` parameter or stray '$' is one char. */
export function pastDollarQuoted(sql: string, start: number): number {
  const tag = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
  tag.lastIndex = start;
  const open = tag.exec(sql)?.[0];
  if (!open) return start + 1;
  const close = sql.indexOf(open, start + open.length);
  return close < 0 ? sql.length : close + open.length;
}
