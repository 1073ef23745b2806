// Splits a simple-protocol query string at the semicolons that end statements — not those inside
// string literals, quoted identifiers, dollar-quoted strings or comments. Statements holding only
// whitespace and comments are dropped. Never throws: an unterminated quote or comment runs to the
// end of the text, and the parser reports it there.

import { isEscapeStringPrefix, isWordChar, pastBlockComment, pastDollarQuoted, pastQuoted } from './skip.ts';

export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let hasContent = false;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === ';') {
      if (hasContent) statements.push(sql.slice(start, i).trim());
      start = i + 1;
      hasContent = false;
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const newline = sql.indexOf('\n', i);
      i = newline < 0 ? sql.length : newline + 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      i = pastBlockComment(sql, i);
      continue;
    }
    if (!/\s/.test(c)) hasContent = true;
    if (c === "'") i = pastQuoted(sql, i, "'", isEscapeStringPrefix(sql, i));
    else if (c === '"') i = pastQuoted(sql, i, '"', false);
    else if (c === '$' && !isWordChar(sql[i - 1])) i = pastDollarQuoted(sql, i);
    else i++;
  }
  if (hasContent) statements.push(sql.slice(start).trim());
  return statements;
}
