// How many parameters a statement takes: the highest $n outside string literals, quoted
// identifiers, dollar-quoted strings and comments — what PostgreSQL infers when Parse gives no
// types. Only lexical rules are shared with the SQL dialect, so the wire server stays independent of it.

import { isWordChar, pastBlockComment, pastDollarQuoted, pastQuoted } from '../sql/skip.ts';

export function highestParameter(sql: string): number {
  let highest = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      i = pastQuoted(sql, i, c);
    } else if (c === '-' && sql[i + 1] === '-') {
      const newline = sql.indexOf('\n', i);
      i = newline < 0 ? sql.length : newline + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      i = pastBlockComment(sql, i);
    } else if (c === '$' && !isWordChar(sql[i - 1])) {
      const digits = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (digits) {
        highest = Math.max(highest, Number(digits[1]));
        i += digits[0].length;
      } else {
        i = pastDollarQuoted(sql, i);
      }
    } else {
      i++;
    }
  }
  return highest;
}
