// A position in a statement's token list, with the small vocabulary every grammar rule uses:
// look at / accept / expect keywords and operators, read identifiers, fail with a syntax error.

import { sqlError, syntaxError, unsupported } from './errors.ts';
import { tokenize, type Token } from './lexer.ts';

/** Words that cannot be column or table names unless double-quoted (PostgreSQL reserves them). */
const RESERVED = new Set(
  ('all and any array as asc between both case cast check collate column constraint create current_date current_time ' +
    'current_timestamp current_user default desc distinct do else end except false fetch for foreign from grant group ' +
    'having in intersect into is join leading limit not null offset on only or order primary references returning select ' +
    'session_user table then to trailing true union unique user using when where window with').split(' '),
);

export class Cursor {
  private readonly tokens: Token[];
  private index = 0;

  constructor(sql: string) {
    this.tokens = tokenize(sql);
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  get position(): number {
    return this.index;
  }

  rewind(position: number): void {
    this.index = position;
  }

  atEnd(): boolean {
    return this.peek().kind === 'end';
  }

  /** Is the token `ahead` the unquoted keyword `word`? */
  isKeyword(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'word' && !token.quoted && token.value === word;
  }

  /** Consumes the keywords `words` in sequence if they are all next; false (consuming none) if not. */
  acceptKeyword(...words: string[]): boolean {
    if (!words.every((word, i) => this.isKeyword(word, i))) return false;
    this.index += words.length;
    return true;
  }

  expectKeyword(...words: string[]): void {
    for (const word of words) {
      if (!this.acceptKeyword(word)) throw this.syntaxError(word.toUpperCase());
    }
  }

  isOp(op: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'op' && token.value === op;
  }

  acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.index++;
    return true;
  }

  expectOp(op: string): void {
    if (!this.acceptOp(op)) throw this.syntaxError(`"${op}"`);
  }

  /** Is the next token a name (a quoted word, or an unreserved one)? */
  isIdentifier(ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'word' && (token.quoted || !RESERVED.has(token.value));
  }

  /** Reads a table, column or alias name. `what` completes "expected ..." in the error. */
  identifier(what: string): string {
    if (!this.isIdentifier()) throw this.syntaxError(what);
    return (this.next() as Token & { kind: 'word' }).value;
  }

  /** A table name, optionally qualified by the only schema there is, `public`. */
  tableName(): string {
    const first = this.peek();
    const name = this.identifier('a table name');
    if (!this.acceptOp('.')) return name;
    if (name !== 'public') throw unsupported(`schema "${name}" is not supported (tables live in "public")`, first);
    return this.identifier('a table name');
  }

  /** `( a, b, ... )` of names. */
  identifierList(what: string): string[] {
    this.expectOp('(');
    const names = [this.identifier(what)];
    while (this.acceptOp(',')) names.push(this.identifier(what));
    this.expectOp(')');
    return names;
  }

  /** Optional trailing semicolons, then the end of the statement (a second one is an error). */
  expectEnd(expected: string): void {
    if (this.acceptOp(';')) {
      while (this.acceptOp(';'));
      if (!this.atEnd()) throw sqlError('42601', 'cannot insert multiple commands into a prepared statement', this.peek());
    }
    if (!this.atEnd()) throw this.syntaxError(expected);
  }

  syntaxError(expected?: string, token = this.peek()) {
    return syntaxError(token, expected);
  }
}
