// Small helpers for benchmark figures.

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: { op: '<=' | '>='; value: number };
  detail?: string;
}

export function printFigures(title: string, figures: Figure[]): void {
  console.log(`\n${title}`);
  for (const f of figures) {
    const target = f.target ? `target ${f.target.op} ${Number(f.target.value.toPrecision(3))} ${f.unit}` : '';
    const met = f.target ? ((f.target.op === '<=' ? f.value <= f.target.value : f.value >= f.target.value) ? 'met' : 'MISSED') : '';
    console.log(`  ${f.name.padEnd(44)} ${f.value.toFixed(f.unit === 'ms' && f.value >= 10 ? 0 : f.unit === 'ms' ? 2 : 1).padStart(8)} ${f.unit.padEnd(4)} ${target.padEnd(22)} ${met}${f.detail ? `  (${f.detail})` : ''}`);
  }
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
