// The emulated compute's SQL dialect: statements → AST, PostgreSQL's SQLSTATEs for what is
// malformed (42601) or unsupported (0A000), and statement splitting.

import t from 'tap';
import { PgError } from '../../cluster/emulated/compute/pg-wire/index.ts';
import { parseStatement, splitStatements, type Expr, type Statement } from '../../cluster/emulated/compute/sql/index.ts';

const int = (value: string) => ({ kind: 'int', value });
const str = (value: string) => ({ kind: 'string', value });
const col = (name: string) => ({ kind: 'column', name });
const param = (index: number) => ({ kind: 'param', index });
const bin = (op: string, left: unknown, right: unknown) => ({ kind: 'binary', op, left, right });
const values = (...rows: unknown[][]) => ({ kind: 'values', rows });

/** The expression of `SELECT <expr>`. */
function expr(text: string): Expr {
  const statement = parseStatement(`SELECT ${text}`);
  if (statement.kind !== 'select_values') throw new Error(`not select_values: ${statement.kind}`);
  return statement.items[0]!.expr;
}

/** The error parseStatement throws for `sql`. */
function errorOf(sql: string): PgError {
  try {
    parseStatement(sql);
  } catch (err) {
    if (err instanceof PgError) return err;
    throw err;
  }
  throw new Error(`no error for: ${sql}`);
}

t.test('CREATE TABLE and DROP TABLE', async (t) => {
  t.same(parseStatement('CREATE TABLE IF NOT EXISTS kv (k bigint PRIMARY KEY, v text NOT NULL, f double precision, n varchar(20), b boolean NULL)'), {
    kind: 'create_table',
    table: 'kv',
    ifNotExists: true,
    primaryKey: 'k',
    columns: [
      { name: 'k', type: 'int', notNull: true },
      { name: 'v', type: 'text', notNull: true },
      { name: 'f', type: 'float', notNull: false },
      { name: 'n', type: 'text', notNull: false },
      { name: 'b', type: 'bool', notNull: false },
    ],
  } satisfies Statement);
  const types: [string, string][] = [
    ['int', 'int'], ['integer', 'int'], ['int4', 'int'], ['int8', 'int'], ['smallint', 'int'], ['int2', 'int'],
    ['text', 'text'], ['varchar', 'text'], ['character varying(5)', 'text'], ['char(3)', 'text'],
    ['bool', 'bool'], ['real', 'float'], ['float4', 'float'], ['float8', 'float'], ['numeric(10, 2)', 'float'], ['decimal', 'float'],
  ];
  for (const [sqlType, type] of types) {
    t.match(parseStatement(`create table t (id ${sqlType}, primary key (id));`), { primaryKey: 'id', columns: [{ type, notNull: true }] }, sqlType);
  }
  t.same(parseStatement('DROP TABLE kv'), { kind: 'drop_table', table: 'kv', ifExists: false });
  t.same(parseStatement('drop table if exists public.kv cascade;'), { kind: 'drop_table', table: 'kv', ifExists: true });
});

t.test('INSERT, ON CONFLICT, UPSERT and RETURNING', async (t) => {
  t.same(parseStatement("INSERT INTO kv (k, v) VALUES (1, 'a'), ($1, $2)"), {
    kind: 'insert', table: 'kv', columns: ['k', 'v'], source: values([int('1'), str('a')], [param(1), param(2)]), onConflict: null, returning: null,
  });
  t.match(parseStatement('INSERT INTO kv VALUES (1, NULL) ON CONFLICT DO NOTHING'), { columns: null, source: values([int('1'), { kind: 'null' }]), onConflict: { action: 'nothing', target: null } });
  t.match(parseStatement('INSERT INTO kv VALUES (1, 2) ON CONFLICT (k) DO NOTHING'), { onConflict: { action: 'nothing', target: 'k' } });
  t.same(parseStatement("INSERT INTO kv VALUES (1, 'x') ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v || kv_suffix, n = n + 1 RETURNING *, v AS value").valueOf(), {
    kind: 'insert',
    table: 'kv',
    columns: null,
    source: values([int('1'), str('x')]),
    onConflict: {
      action: 'update',
      target: 'k',
      assignments: [
        { column: 'v', value: { kind: 'binary', op: '||', left: { kind: 'excluded', name: 'v' }, right: col('kv_suffix') } },
        { column: 'n', value: { kind: 'binary', op: '+', left: col('n'), right: int('1') } },
      ],
    },
    returning: [{ kind: 'star' }, { kind: 'column', column: 'v', name: 'value' }],
  });
  t.same(parseStatement('UPSERT INTO kv (k, v) VALUES (1, 2) RETURNING k'), {
    kind: 'upsert', table: 'kv', columns: ['k', 'v'], source: values([int('1'), int('2')]), returning: [{ kind: 'column', column: 'k', name: 'k' }],
  });
});

t.test('INSERT ... SELECT and SELECT ... FROM generate_series', async (t) => {
  const series = (start: unknown, stop: unknown, step: unknown, column: string, alias: string | null) => ({ start, stop, step, column, alias });
  t.same(parseStatement("insert into t select g, 'v' || g from generate_series(1, 10000) g"), {
    kind: 'insert', table: 't', columns: null, onConflict: null, returning: null,
    source: {
      kind: 'select_series',
      items: [{ expr: col('g'), name: 'g' }, { expr: bin('||', str('v'), col('g')), name: '?column?' }],
      series: series(int('1'), int('10000'), null, 'g', 'g'),
    },
  });
  t.match(parseStatement('INSERT INTO kv (k, v) SELECT i, i * 2 AS twice FROM generate_series(1,100) AS s(i) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v RETURNING k'), {
    columns: ['k', 'v'],
    source: { items: [{ expr: col('i'), name: 'i' }, { expr: bin('*', col('i'), int('2')), name: 'twice' }], series: series(int('1'), int('100'), null, 'i', 's') },
    onConflict: { action: 'update', target: 'k' },
    returning: [{ column: 'k' }],
  });
  t.same((parseStatement('UPSERT INTO kv SELECT *, $1 FROM generate_series($2, -5, -1) RETURNING *') as Extract<Statement, { kind: 'upsert' }>).source, {
    kind: 'select_series',
    items: [{ expr: col('generate_series'), name: 'generate_series' }, { expr: param(1), name: '?column?' }],
    series: series(param(2), int('-5'), int('-1'), 'generate_series', null),
  }, 'without an alias the column is named after the function; * is that column');
  t.same((parseStatement('INSERT INTO kv SELECT 1, $1 ON CONFLICT DO NOTHING') as Extract<Statement, { kind: 'insert' }>).source, values([int('1'), param(1)]), 'SELECT without FROM is one row');
  t.same(parseStatement('SELECT x AS n, -x, x + $1 FROM generate_series(1, 2 * $2) x;'), {
    kind: 'select_series',
    items: [{ expr: col('x'), name: 'n' }, { expr: { kind: 'negate', operand: col('x') }, name: '?column?' }, { expr: bin('+', col('x'), param(1)), name: '?column?' }],
    series: series(int('1'), bin('*', int('2'), param(2)), null, 'x', 'x'),
  });
  t.match(parseStatement('SELECT s, i FROM generate_series(1, 3) s(i)'), { items: [{ expr: col('s'), name: 's' }, { expr: col('i'), name: 'i' }] }, 'the alias names the value too');
});

t.test('UPDATE and DELETE by key', async (t) => {
  t.same(parseStatement('UPDATE kv SET v = v || $2 WHERE k = $1'), {
    kind: 'update', table: 'kv',
    assignments: [{ column: 'v', value: { kind: 'binary', op: '||', left: col('v'), right: param(2) } }],
    where: { kind: 'key_equals', column: 'k', value: param(1) },
    returning: null,
  });
  t.same(parseStatement('DELETE FROM kv'), { kind: 'delete', table: 'kv', where: null, returning: null });
  t.match(parseStatement('DELETE FROM kv WHERE k IN (1, 2, $1) RETURNING v'), { where: { kind: 'key_in', column: 'k', values: [int('1'), int('2'), param(1)] }, returning: [{ column: 'v' }] });
});

t.test('WHERE: equality, IN, BETWEEN and bounds, in either operand order', async (t) => {
  const where = (condition: string) => (parseStatement(`SELECT * FROM t WHERE ${condition}`) as Extract<Statement, { kind: 'select' }>).where;
  const bound = (value: string, inclusive: boolean) => ({ value: int(value), inclusive });
  t.same(where('id = 5'), { kind: 'key_equals', column: 'id', value: int('5') });
  t.same(where('5 = id'), { kind: 'key_equals', column: 'id', value: int('5') });
  t.same(where('(id = 5)'), { kind: 'key_equals', column: 'id', value: int('5') });
  t.same(where('(id) = (2 + 3)'), { kind: 'key_equals', column: 'id', value: { kind: 'binary', op: '+', left: int('2'), right: int('3') } });
  t.same(where('id BETWEEN 1 AND 9'), { kind: 'key_range', column: 'id', lower: bound('1', true), upper: bound('9', true) });
  t.same(where('id >= 1 AND id < 9'), { kind: 'key_range', column: 'id', lower: bound('1', true), upper: bound('9', false) });
  t.same(where('10 > id AND (0 < id)'), { kind: 'key_range', column: 'id', lower: bound('0', false), upper: bound('10', false) });
  t.same(where('id <= 3'), { kind: 'key_range', column: 'id', lower: null, upper: bound('3', true) });
});

t.test('SELECT lists, ORDER BY, LIMIT, OFFSET', async (t) => {
  t.same(parseStatement('SELECT k, v AS value, v val FROM kv WHERE k > $1 ORDER BY k DESC LIMIT $2 OFFSET 10'), {
    kind: 'select',
    table: 'kv',
    list: { kind: 'rows', items: [{ kind: 'column', column: 'k', name: 'k' }, { kind: 'column', column: 'v', name: 'value' }, { kind: 'column', column: 'v', name: 'val' }] },
    where: { kind: 'key_range', column: 'k', lower: { value: param(1), inclusive: false }, upper: null },
    orderBy: { column: 'k', descending: true },
    limit: param(2),
    offset: int('10'),
  });
  t.same(parseStatement('select count(*), count(v), sum(n) AS total, min(k), max(k) from kv').valueOf(), {
    kind: 'select', table: 'kv', where: null, orderBy: null, limit: null, offset: null,
    list: {
      kind: 'aggregates',
      items: [
        { fn: 'count', column: null, name: 'count' }, { fn: 'count', column: 'v', name: 'count' }, { fn: 'sum', column: 'n', name: 'total' },
        { fn: 'min', column: 'k', name: 'min' }, { fn: 'max', column: 'k', name: 'max' },
      ],
    },
  });
  t.match(parseStatement('SELECT * FROM kv ORDER BY k ASC OFFSET 1 ROWS LIMIT ALL'), { orderBy: { column: 'k', descending: false }, limit: null, offset: int('1') });
  t.same(parseStatement("SELECT pg_current_wal_flush_lsn(), pg_current_wal_insert_lsn(), pg_current_wal_lsn() AS lsn, version(), now(), current_setting('neon.tenant_id'), 1, true, $1"), {
    kind: 'select_values',
    items: [
      { expr: { kind: 'call', name: 'pg_current_wal_flush_lsn', args: [] }, name: 'pg_current_wal_flush_lsn' },
      { expr: { kind: 'call', name: 'pg_current_wal_insert_lsn', args: [] }, name: 'pg_current_wal_insert_lsn' },
      { expr: { kind: 'call', name: 'pg_current_wal_lsn', args: [] }, name: 'lsn' },
      { expr: { kind: 'call', name: 'version', args: [] }, name: 'version' },
      { expr: { kind: 'call', name: 'now', args: [] }, name: 'now' },
      { expr: { kind: 'call', name: 'current_setting', args: [str('neon.tenant_id')] }, name: 'current_setting' },
      { expr: int('1'), name: '?column?' },
      { expr: { kind: 'bool', value: true }, name: 'bool' },
      { expr: param(1), name: '?column?' },
    ],
  });
});

t.test('transactions and settings', async (t) => {
  const kinds: [string, Statement][] = [
    ['BEGIN', { kind: 'begin' }], ['begin transaction isolation level repeatable read, read write', { kind: 'begin' }],
    ['START TRANSACTION', { kind: 'begin' }], ['COMMIT', { kind: 'commit' }], ['END WORK', { kind: 'commit' }],
    ['ROLLBACK', { kind: 'rollback' }], ['abort;', { kind: 'rollback' }],
    ['SHOW neon.safekeepers', { kind: 'show', name: 'neon.safekeepers' }], ['SHOW server_version', { kind: 'show', name: 'server_version' }],
    ['SHOW TIME ZONE', { kind: 'show', name: 'timezone' }],
    ['SET statement_timeout = 0', { kind: 'set', name: 'statement_timeout', value: '0', local: false }],
    ["SET SESSION search_path TO public, 'x'", { kind: 'set', name: 'search_path', value: 'public, x', local: false }],
    ['SET LOCAL extra_float_digits TO -3', { kind: 'set', name: 'extra_float_digits', value: '-3', local: true }],
    ['SET neon.foo TO DEFAULT', { kind: 'set', name: 'neon.foo', value: null, local: false }],
    ["SET TIME ZONE 'UTC'", { kind: 'set', name: 'timezone', value: 'UTC', local: false }],
    ['RESET ALL', { kind: 'reset', name: null }], ['RESET neon.foo', { kind: 'reset', name: 'neon.foo' }],
  ];
  for (const [sql, statement] of kinds) t.same(parseStatement(sql), statement, sql);
});

t.test('expressions: precedence, literals, folding', async (t) => {
  t.same(expr('1 + 2 * 3'), bin('+', int('1'), bin('*', int('2'), int('3'))));
  t.same(expr('(1 + 2) * 3'), bin('*', bin('+', int('1'), int('2')), int('3')));
  t.same(expr('1 - 2 - 3'), bin('-', bin('-', int('1'), int('2')), int('3')), 'left-associative');
  t.same(expr("'a' || 1 + 2"), bin('||', str('a'), bin('+', int('1'), int('2'))), '|| binds looser than +');
  t.same(expr('- $1 * 2'), bin('*', { kind: 'negate', operand: param(1) }, int('2')));
  t.same(expr('-9223372036854775808'), int('-9223372036854775808'), 'int64 min stays an int');
  t.same(expr('9223372036854775807'), int('9223372036854775807'));
  t.match(expr('9223372036854775808'), { kind: 'float', text: '9223372036854775808' }, 'beyond int64 is numeric');
  t.same(expr('- -5'), int('5'));
  t.same(expr('007'), int('7'));
  t.same(expr('1.5e3'), { kind: 'float', value: 1500, text: '1.5e3' });
  t.same(expr('-.5'), { kind: 'float', value: -0.5, text: '-.5' });
  t.same(expr('NULL'), { kind: 'null' });
  t.same(expr('FALSE'), { kind: 'bool', value: false });
  t.same(expr('$12'), param(12));
});

t.test('quoting, case and comments', async (t) => {
  t.match(parseStatement('SELECT * FROM "MyTable"'), { table: 'MyTable' });
  t.match(parseStatement('SELECT * FROM MyTable'), { table: 'mytable' });
  t.match(parseStatement('SELECT "select", "a""b" FROM t'), { list: { items: [{ column: 'select' }, { column: 'a"b' }] } });
  t.same(expr("'it''s'"), str("it's"));
  t.same(expr("E'a\\nb\\'c'"), str("a\nb'c"));
  t.same(expr('$$semi;colon$$'), str('semi;colon'));
  t.same(expr('$tag$a $$ b$tag$'), str('a $$ b'));
  t.same(expr("'héllo'"), str('héllo'));
  t.same(parseStatement('/* a /* nested */ comment */ SELECT -- trailing\n 1;'), { kind: 'select_values', items: [{ expr: int('1'), name: '?column?' }] });
});

t.test('syntax errors are 42601 and point at the token', async (t) => {
  const cases: [string, RegExp, number][] = [
    ['SELECT * frm kv', /^syntax error at or near "frm" \(expected FROM/, 10],
    ['SELEKT 1', /^syntax error at or near "SELEKT"/, 1],
    ['INSERT INTO kv VALUES (1,', /^syntax error at end of input \(expected an expression\)/, 26],
    ['CREATE TABLE t (id int PRIMARY KEY', /^syntax error at end of input/, 35],
    ["SELECT 'open", /^unterminated quoted string/, 8],
    ['SELECT /* open', /^unterminated \/\* comment/, 8],
    ['SELECT 1 2', /^syntax error at or near "2"/, 10],
    ['SELECT 1; SELECT 2', /^cannot insert multiple commands into a prepared statement$/, 11],
    ['SELECT 12abc', /^trailing junk after numeric literal/, 8],
    ['SELECT * FROM t WHERE id = 1 AND', /^syntax error at end of input/, 33],
    ['SELECT * FROM select', /^syntax error at or near "select" \(expected a table name\)/, 15],
    ['UPDATE t SET v = 1 v = 2', /^syntax error at or near "v"/, 20],
    ['INSERT INTO t VALUES (1), (1, 2)', /^VALUES lists must all be the same length$/, 15],
    ['INSERT INTO t (a) VALUES (1, 2)', /^INSERT has more expressions than target columns$/, 19],
    ['INSERT INTO t VALUES (1) ON CONFLICT DO UPDATE SET v = 1', /^ON CONFLICT DO UPDATE requires inference specification/, 41],
    ['UPDATE t SET v = 1, v = 2 WHERE id = 1', /^multiple assignments to same column "v"$/, 21],
    ['SELECT * FROM t LIMIT 1 LIMIT 2', /^multiple LIMIT clauses not allowed$/, 25],
    ['SELECT *', /^SELECT \* with no tables specified is not valid$/, 8],
    ['INSERT INTO t (a) SELECT g, g FROM generate_series(1, 2) g', /^INSERT has more expressions than target columns$/, 19],
    ['INSERT INTO t (a, b) SELECT g FROM generate_series(1, 2) g', /^INSERT has more target columns than expressions$/, 22],
    ['INSERT INTO t TABLE u', /^syntax error at or near "TABLE" \(expected VALUES or SELECT\)$/, 15],
    ['SELECT g FROM generate_series(1, 2) g g', /^syntax error at or near "g" \(expected the end of the statement\)$/, 39],
    ['', /^syntax error at end of input/, 1],
  ];
  for (const [sql, message, position] of cases) {
    const err = errorOf(sql);
    t.equal(err.sqlstate, '42601', `${sql}: ${err.message}`);
    t.match(err.message, message, sql);
    t.equal(err.options?.position, position, `${sql}: position`);
  }
});

t.test('other SQLSTATEs PostgreSQL uses', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['SELECT $0', '42P02', /there is no parameter \$0/],
    ['SELECT x', '42703', /column "x" does not exist/],
    ['INSERT INTO t VALUES (x)', '42703', /column "x" does not exist/],
    ['UPDATE t SET v = excluded.v WHERE id = 1', '42P01', /missing FROM-clause entry for table "excluded"/],
    ['INSERT INTO t (a, a) VALUES (1, 2)', '42701', /column "a" specified more than once/],
    ['CREATE TABLE t (a int, a text, PRIMARY KEY (a))', '42701', /column "a" specified more than once/],
    ['CREATE TABLE t (a int PRIMARY KEY, b int PRIMARY KEY)', '42P16', /multiple primary keys for table "t" are not allowed/],
    ['CREATE TABLE t (a int, PRIMARY KEY (b))', '42703', /column "b" named in key does not exist/],
    ['SELECT version(1)', '42883', /function version\(\) takes 0 arguments, not 1/],
    ['SELECT k FROM t RETURNING', '42601', /syntax error/],
    ['INSERT INTO t VALUES (1) RETURNING count(*)', '42803', /aggregate functions are not allowed in RETURNING/],
    ['SELECT x FROM generate_series(1, 3) g', '42703', /^column "x" does not exist$/],
    ['SELECT g FROM generate_series(1, 3) s(i)', '42703', /^column "g" does not exist$/],
    ['INSERT INTO t SELECT g + 1, y FROM generate_series(1, 3) g', '42703', /^column "y" does not exist$/],
    ['SELECT * FROM generate_series(1, g) g', '42703', /^column "g" does not exist$/],
    ['INSERT INTO t SELECT g', '42703', /^column "g" does not exist$/],
    ['SELECT * FROM generate_series(1, 3) s(a, b)', '42P10', /^table "s" has 1 columns available but 2 columns specified$/],
    ['SELECT * FROM generate_series(1)', '42883', /^function generate_series\(\) takes 2 or 3 arguments, not 1$/],
    ['SELECT * FROM generate_series(1, 2, 3, 4)', '42883', /takes 2 or 3 arguments, not 4/],
  ];
  for (const [sql, sqlstate, message] of cases) {
    const err = errorOf(sql);
    t.equal(err.sqlstate, sqlstate, `${sql}: ${err.message}`);
    t.match(err.message, message, sql);
  }
});

t.test('unsupported SQL is 0A000 and says what is supported', async (t) => {
  const cases: [string, RegExp][] = [
    ['CREATE TABLE t (a int, b int)', /a table needs exactly one PRIMARY KEY column/],
    ['CREATE TABLE t (a int, b int, PRIMARY KEY (a, b))', /composite primary keys/],
    ['CREATE TABLE t (id serial PRIMARY KEY)', /serial is not supported/],
    ['CREATE TABLE t (id int PRIMARY KEY, j jsonb)', /type jsonb is not supported \(supported: int/],
    ['CREATE TABLE t (id int PRIMARY KEY, v int DEFAULT 1)', /column constraint DEFAULT/],
    ['CREATE TABLE t (id int PRIMARY KEY, v int[])', /array types/],
    ['CREATE INDEX i ON t (v)', /CREATE INDEX is not supported/],
    ['CREATE TEMP TABLE t (id int PRIMARY KEY)', /TEMP tables/],
    ['DROP INDEX i', /DROP INDEX is not supported/],
    ['ALTER TABLE t ADD COLUMN x int', /ALTER is not supported/],
    ['TRUNCATE t', /TRUNCATE is not supported/],
    ['SELECT * FROM t GROUP BY k', /GROUP BY is not supported/],
    ['SELECT k, count(*) FROM t', /mixing aggregates with plain columns/],
    ['SELECT k + 1 FROM t', /expressions in the select list/],
    ['SELECT * FROM a JOIN b ON a.k = b.k', /joins are not supported/],
    ['SELECT * FROM a, b', /joins are not supported/],
    ['SELECT * FROM t x', /table aliases/],
    ['SELECT DISTINCT k FROM t', /SELECT DISTINCT/],
    ['SELECT * FROM t WHERE k = 1 OR k = 2', /OR is not supported in WHERE/],
    ['SELECT * FROM t WHERE NOT k = 1', /NOT is not supported/],
    ['SELECT * FROM t WHERE k <> 1', /<> is not supported/],
    ['SELECT * FROM t WHERE k IS NULL', /IS \[NOT\] NULL/],
    ['SELECT * FROM t WHERE v LIKE \'a%\'', /LIKE is not supported/],
    ['SELECT * FROM t WHERE k NOT IN (1)', /NOT IN is not supported/],
    ['SELECT * FROM t WHERE a = 1 AND b = 2', /only one column, the primary key \(found "a" and "b"\)/],
    ['SELECT * FROM t WHERE k = 1 AND k > 0', /combining = or IN with other conditions/],
    ['SELECT * FROM t WHERE k > 1 AND k > 2', /at most one lower bound/],
    ['SELECT * FROM t WHERE k = v', /comparing column "k" with column "v"/],
    ['SELECT * FROM t WHERE flag', /must compare a column/],
    ['SELECT * FROM t ORDER BY a, b', /ORDER BY more than one column/],
    ['SELECT * FROM t ORDER BY 1', /ORDER BY a column position/],
    ['SELECT * FROM t FOR UPDATE', /FOR is not supported/],
    ['SELECT 1 UNION SELECT 2', /UNION is not supported/],
    ['SELECT 1 WHERE true', /WHERE without FROM/],
    ['SELECT 1 = 1', /conditions \(= \.\.\.\) are only supported in WHERE/],
    ['SELECT count(*)', /count\(\) without FROM/],
    ['SELECT foo()', /function foo\(\) is not supported \(supported: pg_current_wal_flush_lsn\(\)/],
    ['SELECT $1::int', /type casts/],
    ['SELECT 5 % 2', /the % operator/],
    ['SELECT t.k FROM t', /qualified column names/],
    ['SELECT * FROM other.t', /schema "other" is not supported/],
    ['INSERT INTO t SELECT * FROM u', /INSERT \.\.\. SELECT from a table is not supported; insert from VALUES \(\.\.\.\) or SELECT \.\.\. FROM generate_series/],
    ['INSERT INTO t SELECT 1 WHERE true', /WHERE without FROM/],
    ['SELECT g FROM generate_series(1, 10) g WHERE g > 5', /^WHERE is not supported with FROM generate_series\(\.\.\.\); select expressions of the series/],
    ['SELECT g FROM generate_series(1, 10) g ORDER BY g DESC', /^ORDER BY is not supported with FROM generate_series/],
    ['INSERT INTO t SELECT g FROM generate_series(1, 10) AS g LIMIT 1', /^LIMIT is not supported with FROM generate_series/],
    ['SELECT g FROM generate_series(1, 10) g UNION SELECT 1', /^UNION is not supported with FROM generate_series/],
    ['SELECT count(*) FROM generate_series(1, 10)', /^count\(\) over generate_series\(\.\.\.\) is not supported/],
    ['SELECT * FROM generate_series(1, 3) g, t', /^joins are not supported/],
    ['SELECT * FROM generate_series(1, 3) JOIN t ON true', /^joins are not supported/],
    ['SELECT * FROM generate_series(1, 3) g CROSS JOIN t', /^joins are not supported/],
    ['SELECT * FROM generate_series(1, 3) WITH ORDINALITY', /WITH ORDINALITY is not supported/],
    ['SELECT * FROM unnest($1)', /^function unnest\(\) in FROM is not supported; the only function in FROM is generate_series/],
    ['SELECT generate_series(1, 3)', /^generate_series\(\) is only supported in FROM/],
    ['SELECT * FROM generate_series(1.5, 3)', /^generate_series over non-integer numbers is not supported/],
    ['SELECT g.g FROM generate_series(1, 3) g', /qualified column names/],
    ['INSERT INTO t DEFAULT VALUES', /DEFAULT VALUES/],
    ['INSERT INTO t VALUES (DEFAULT)', /DEFAULT in VALUES/],
    ['INSERT INTO t VALUES (1) ON CONFLICT (a, b) DO NOTHING', /ON CONFLICT on more than one column/],
    ['INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING', /ON CONSTRAINT/],
    ['UPDATE t SET v = 1', /UPDATE without WHERE/],
    ['DELETE FROM t USING u', /DELETE \.\.\. USING/],
    ['SHOW ALL', /SHOW ALL is not supported/],
    ['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', /SET TRANSACTION is not supported/],
    ['ROLLBACK TO SAVEPOINT s', /savepoints/],
    ['SAVEPOINT s', /SAVEPOINT is not supported/],
    ['COMMIT AND CHAIN', /AND CHAIN/],
    ['WITH x AS (SELECT 1) SELECT * FROM x', /WITH is not supported/],
  ];
  for (const [sql, message] of cases) {
    const err = errorOf(sql);
    t.equal(err.sqlstate, '0A000', `${sql}: ${err.message}`);
    t.match(err.message, message, sql);
    t.match(err.message, /neon-local's emulated compute supports CREATE TABLE, .*; see docs\/SQL\.md$/, `${sql}: says what is supported`);
  }
});

t.test('splitStatements', async (t) => {
  const cases: [string, string[]][] = [
    ['SELECT 1', ['SELECT 1']],
    ['SELECT 1; SELECT 2;', ['SELECT 1', 'SELECT 2']],
    ['  ;; ;\n', []],
    ['', []],
    ["SELECT ';'; SELECT 'it''s;'", ["SELECT ';'", "SELECT 'it''s;'"]],
    ['SELECT "a;b" FROM t; SELECT 2', ['SELECT "a;b" FROM t', 'SELECT 2']],
    ["SELECT E'\\';'; SELECT 2", ["SELECT E'\\';'", 'SELECT 2']],
    ['SELECT $$a;b$$; SELECT $x$ ; $$ ; $x$', ['SELECT $$a;b$$', 'SELECT $x$ ; $$ ; $x$']],
    ['SELECT $1; SELECT $2', ['SELECT $1', 'SELECT $2']],
    ['SELECT 1 -- a; comment\n; SELECT 2', ['SELECT 1 -- a; comment', 'SELECT 2']],
    ['/* only ; a comment */ ; -- and this;\n', []],
    ['SELECT /* a /* nested ; */ still ; comment */ 1; SELECT 2', ['SELECT /* a /* nested ; */ still ; comment */ 1', 'SELECT 2']],
    ["SELECT 'unterminated; SELECT 2", ["SELECT 'unterminated; SELECT 2"]],
  ];
  for (const [sql, statements] of cases) t.same(splitStatements(sql), statements, JSON.stringify(sql));
});
