// The statements of the emulated compute's SQL dialect (docs/SQL.md), as parsed by parseStatement.
// Nothing here is executed or checked against a catalog: table and column names are as written
// (lower-cased unless double-quoted), and the executor decides whether they exist and whether a
// WHERE clause's column is the primary key.

/** Column types: every SQL type the dialect accepts maps to one of these. */
export type ColumnType = 'int' | 'text' | 'bool' | 'float';

// ---- Expressions ------------------------------------------------------------------------------

export type Literal =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  /** An integer within int64, as decimal text (e.g. "-42") so no precision is lost. */
  | { kind: 'int'; value: string }
  /** A number with a fraction or exponent, or an integer beyond int64; `text` as written. */
  | { kind: 'float'; value: number; text: string }
  | { kind: 'string'; value: string };

export type ScalarFunction =
  | 'pg_current_wal_flush_lsn'
  | 'pg_current_wal_insert_lsn'
  | 'pg_current_wal_lsn'
  | 'version'
  | 'now'
  | 'current_setting';

export type Expr =
  | Literal
  /** `$1` → index 1. */
  | { kind: 'param'; index: number }
  /** A column of the row being read or updated (UPDATE SET, ON CONFLICT DO UPDATE SET). */
  | { kind: 'column'; name: string }
  /** `EXCLUDED.col` in ON CONFLICT DO UPDATE: the value the conflicting insert proposed. */
  | { kind: 'excluded'; name: string }
  /** Unary minus on a non-literal (minus on a number literal is folded into the literal). */
  | { kind: 'negate'; operand: Expr }
  /** Arithmetic on numbers, or `||` string concatenation. */
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '||'; left: Expr; right: Expr }
  | { kind: 'call'; name: ScalarFunction; args: Expr[] };

// ---- Clauses ----------------------------------------------------------------------------------

/**
 * A WHERE clause: a lookup on one column, which the executor requires to be the primary key.
 * `col = v`; `col IN (a, b)`; `col BETWEEN a AND b` and `col >= a AND col < b` (ranges with at
 * least one bound; BETWEEN is inclusive at both ends).
 */
export type KeyPredicate =
  | { kind: 'key_equals'; column: string; value: Expr }
  | { kind: 'key_in'; column: string; values: Expr[] }
  | { kind: 'key_range'; column: string; lower: RangeBound | null; upper: RangeBound | null };

export interface RangeBound {
  value: Expr;
  inclusive: boolean;
}

/** `col = expr` in UPDATE SET and ON CONFLICT DO UPDATE SET. */
export interface Assignment {
  column: string;
  value: Expr;
}

/** An output column of SELECT ... FROM or RETURNING: all columns, or one under a name. */
export type RowItem =
  | { kind: 'star' }
  /** `name` is the output column name: the alias, else the column's own name. */
  | { kind: 'column'; column: string; name: string };

export type AggregateFunction = 'count' | 'sum' | 'min' | 'max';

/** `count(*)` has column null. `name` is the alias, else the function name (as PostgreSQL). */
export interface AggregateItem {
  fn: AggregateFunction;
  column: string | null;
  name: string;
}

/** A select list is either plain columns or aggregates only (there is no GROUP BY). */
export type SelectList = { kind: 'rows'; items: RowItem[] } | { kind: 'aggregates'; items: AggregateItem[] };

export type OnConflict =
  /** `target`: the conflict column when given (`ON CONFLICT (id) DO NOTHING`), else null. */
  | { action: 'nothing'; target: string | null }
  | { action: 'update'; target: string; assignments: Assignment[] };

/** An expression in a select list without a table; `name` as PostgreSQL would name it. */
export interface ValueItem {
  expr: Expr;
  name: string;
}

/**
 * `generate_series(start, stop [, step])` in FROM, over integers. Its one column is `column`
 * (the column alias, else the function alias, else "generate_series"); expressions may also
 * name it by `alias`, as PostgreSQL allows for a function returning one value.
 */
export interface Series {
  start: Expr;
  stop: Expr;
  step: Expr | null;
  column: string;
  alias: string | null;
}

// ---- Statements -------------------------------------------------------------------------------

export interface ColumnDef {
  name: string;
  type: ColumnType;
  /** NOT NULL, or the primary key. */
  notNull: boolean;
}

/** CREATE TABLE [IF NOT EXISTS]: exactly one primary-key column, named in `primaryKey`. */
export interface CreateTable {
  kind: 'create_table';
  table: string;
  ifNotExists: boolean;
  columns: ColumnDef[];
  primaryKey: string;
}

export interface DropTable {
  kind: 'drop_table';
  table: string;
  ifExists: boolean;
}

/**
 * Where INSERT's rows come from: VALUES rows (also `SELECT expr, ...` without FROM, one row),
 * or a select list evaluated once per value of a generate_series. Rows are all as wide as
 * `columns` when that is given.
 */
export type InsertSource = { kind: 'values'; rows: Expr[][] } | SelectSeries;

/** Shared by INSERT and UPSERT: `columns` null means all columns in table order. */
interface RowsInsert {
  table: string;
  columns: string[] | null;
  source: InsertSource;
  returning: RowItem[] | null;
}

export interface Insert extends RowsInsert {
  kind: 'insert';
  onConflict: OnConflict | null;
}

/** UPSERT INTO: insert, or replace the whole existing row with the same primary key. */
export interface Upsert extends RowsInsert {
  kind: 'upsert';
}

export interface Update {
  kind: 'update';
  table: string;
  assignments: Assignment[];
  where: KeyPredicate;
  returning: RowItem[] | null;
}

/** DELETE FROM t without WHERE (where null) deletes every row. */
export interface Delete {
  kind: 'delete';
  table: string;
  where: KeyPredicate | null;
  returning: RowItem[] | null;
}

/** SELECT ... FROM one table. `limit`/`offset` are expressions without columns (e.g. $1). */
export interface Select {
  kind: 'select';
  table: string;
  list: SelectList;
  where: KeyPredicate | null;
  orderBy: { column: string; descending: boolean } | null;
  limit: Expr | null;
  offset: Expr | null;
}

/** SELECT without FROM: one row of computed values (`SELECT 1`, `SELECT pg_current_wal_lsn()`). */
export interface SelectValues {
  kind: 'select_values';
  items: ValueItem[];
}

/** SELECT expr, ... FROM generate_series(...): one row per series value (`*` is its column). */
export interface SelectSeries {
  kind: 'select_series';
  items: ValueItem[];
  series: Series;
}

/** BEGIN / START TRANSACTION (transaction modes are accepted and ignored). */
export interface Begin {
  kind: 'begin';
}

/** COMMIT / END. */
export interface Commit {
  kind: 'commit';
}

/** ROLLBACK / ABORT. */
export interface Rollback {
  kind: 'rollback';
}

/** SHOW name: a setting name, lower-cased, possibly dotted (`neon.safekeepers`). */
export interface Show {
  kind: 'show';
  name: string;
}

/** SET [SESSION | LOCAL] name = value: `value` as text (a list joined by ", "), null for DEFAULT. */
export interface SetVariable {
  kind: 'set';
  name: string;
  value: string | null;
  local: boolean;
}

/** RESET name; name null for RESET ALL. */
export interface Reset {
  kind: 'reset';
  name: string | null;
}

export type Statement =
  | CreateTable
  | DropTable
  | Insert
  | Upsert
  | Update
  | Delete
  | Select
  | SelectValues
  | SelectSeries
  | Begin
  | Commit
  | Rollback
  | Show
  | SetVariable
  | Reset;
