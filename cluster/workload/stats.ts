// Percentiles for the workload's latency figures.

/** The nearest-rank percentile (q in 0..1) of `values`, or null when there are none. */
export function percentile(values: number[], q: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return Math.round(sorted[rank - 1]! * 10) / 10;
}
