// generate_series over integers, as PostgreSQL runs it: the bounds and step are computed once, a
// NULL among them gives no rows, a step of 0 is an error, a negative step counts down. Its values
// feed SELECT ... FROM generate_series and INSERT ... SELECT; a series longer than one
// transaction could ever write fails before any row is made.

import type { SelectSeries, Series } from '../sql/index.ts';
import type { Value } from '../data/keys.ts';
import type { Column, StatementResult } from '../pg-wire/index.ts';
import { PgError } from '../pg-wire/index.ts';
import { checkInt4, numericType, oidOf, typeOf, type SqlType } from './expr-types.ts';
import { MAX_ROWS_PER_TRANSACTION, TRANSACTION_LIMIT_MIB, tooLarge } from './record-limit.ts';
import { ExecState } from './sqlstate.ts';
import { coerce, evaluate, formatValue, type EvalContext } from './values.ts';

/** int4 unless a bound needs int8, as PostgreSQL picks between generate_series(int4) and (int8). */
function seriesType(series: Series): 'int4' | 'int8' {
  const bounds = [series.start, series.stop, ...(series.step ? [series.step] : [])];
  return numericType(bounds.map((e) => typeOf(e, 'unknown'))) === 'int4' ? 'int4' : 'int8';
}

function bound(series: Series, expr: Series['start'], ctx: EvalContext): bigint | null {
  const value = evaluate(expr, ctx);
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new PgError(ExecState.featureNotSupported, 'generate_series over non-integer numbers is not supported; use integers');
  }
  const n = coerce('int', value) as bigint | null;
  if (n !== null) checkInt4(seriesType(series), n);
  return n;
}

/** The series' values in order. `ctx` gives parameters (and functions) to the bounds. */
export function seriesValues(series: Series, ctx: EvalContext): bigint[] {
  const start = bound(series, series.start, ctx);
  const stop = bound(series, series.stop, ctx);
  const step = series.step ? bound(series, series.step, ctx) : 1n;
  if (start === null || stop === null || step === null) return [];
  if (step === 0n) throw new PgError(ExecState.invalidParameterValue, 'step size cannot equal zero');
  const span = step > 0n ? stop - start : start - stop;
  const count = span < 0n ? 0n : span / (step > 0n ? step : -step) + 1n;
  if (count > BigInt(MAX_ROWS_PER_TRANSACTION)) {
    throw tooLarge(
      `generate_series would produce ${count} rows; one transaction holds at most ${TRANSACTION_LIMIT_MIB} MiB of changes, ` +
        `so a series may produce at most ${MAX_ROWS_PER_TRANSACTION} rows`,
    );
  }
  return Array.from({ length: Number(count) }, (_, i) => start + BigInt(i) * step);
}

/** Evaluates an expression over the series with the series column (by either name) at `value`. */
export function atSeriesValue(value: bigint, ctx: EvalContext): EvalContext {
  return { ...ctx, row: () => value };
}

function columnTypes(stmt: SelectSeries): SqlType[] {
  const column = seriesType(stmt.series);
  return stmt.items.map((item) => typeOf(item.expr, column));
}

export function describeSeries(stmt: SelectSeries): Column[] {
  const types = columnTypes(stmt);
  return stmt.items.map((item, i) => ({ name: item.name, typeOid: oidOf(types[i]!) }));
}

/** SELECT expr, ... FROM generate_series(...): one row per value. */
export function selectSeries(stmt: SelectSeries, ctx: EvalContext): StatementResult {
  const types = columnTypes(stmt);
  const rows = seriesValues(stmt.series, ctx).map((value) => {
    const at = atSeriesValue(value, ctx);
    return stmt.items.map((item, i) => {
      const result: Value = evaluate(item.expr, at);
      checkInt4(types[i]!, result);
      return formatValue(result);
    });
  });
  return { command: `SELECT ${rows.length}`, columns: describeSeries(stmt), rows };
}
