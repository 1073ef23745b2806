// Durations in Neon's humantime form: "10s", "500ms", "1h 30m", "7days". Stored as milliseconds.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6, nsec: 1e-6,
  us: 1e-3, usec: 1e-3, 'µs': 1e-3,
  ms: 1, msec: 1, millis: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

export class DurationError extends Error {
  override name = 'DurationError';
}

/** Parses a humantime duration. Throws DurationError naming the bad part. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') throw new DurationError('empty duration; use a number with a unit, e.g. 10s, 500ms, 1m');
  if (trimmed === '0') return 0;
  const part = /(\d+(?:\.\d+)?)\s*([a-zµ]+)\s*/giy;
  let total = 0;
  let consumed = 0;
  for (let m = part.exec(trimmed); m; m = part.exec(trimmed)) {
    const unit = UNIT_MS[m[2]!.toLowerCase()] ?? UNIT_MS[m[2]!];
    if (unit === undefined) {
      throw new DurationError(`unknown time unit "${m[2]}" in "${text}"; use ms, s, m, h or d (e.g. 10s)`);
    }
    total += Number(m[1]) * unit;
    consumed = part.lastIndex;
  }
  if (consumed !== trimmed.length) {
    throw new DurationError(`"${text}" is not a duration; use a number with a unit, e.g. 10s, 500ms, 1m`);
  }
  return total;
}

/** Formats milliseconds as humantime, largest units first ("1m 30s", "250ms"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ');
}
