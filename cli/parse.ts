// Parsers for option values; each throws commander's InvalidArgumentError with what to write instead.

import { InvalidArgumentError } from 'commander';
import { DurationError, parseDuration } from '../cluster/util/duration.ts';

export function positiveInt(what: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
      throw new InvalidArgumentError(`${what} must be a positive integer, got "${value}".`);
    }
    return Number(value);
  };
}

export function count(what: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${what} must be a number from ${min} to ${max}, got "${value}".`);
    return n;
  };
}

export function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    if (err instanceof DurationError) throw new InvalidArgumentError(err.message + '.');
    throw err;
  }
}

/** `--safekeepers 1,2,3`: a comma-separated list of node ids. */
export function idList(what: string) {
  return (value: string): number[] => {
    const parts = value.split(',').map((s) => s.trim());
    if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) throw new InvalidArgumentError(`${what} must be node ids separated by commas (e.g. 1,2,3), got "${value}".`);
    const ids = parts.map(Number);
    if (new Set(ids).size !== ids.length) throw new InvalidArgumentError(`${what} lists an id twice: "${value}".`);
    return ids;
  };
}

/**
 * `-c key:value` (repeatable) as neon_local takes tenant config. Values that read as JSON (numbers,
 * booleans, objects) are sent as such, anything else as a string ("1h", "10MB").
 */
export function keyValue(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError(`expected key:value (e.g. gc_period:1h), got "${value}".`);
  const key = value.slice(0, colon).trim();
  const text = value.slice(colon + 1).trim();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // a plain string
  }
  return { ...previous, [key]: parsed };
}

/** `--hot-standby true` style booleans, as clap takes them. */
export function boolValue(what: string) {
  return (value: string): boolean => {
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw new InvalidArgumentError(`${what} must be true or false, got "${value}".`);
  };
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A rate such as `1MB/s`, `512KiB/s` or `100000` (bytes per second). */
export function bytesPerSecond(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?(?:\/s)?$/i.exec(value.trim());
  const n = m ? Number(m[1]) * (SIZE_UNITS[(m[2] ?? 'b').toLowerCase()] ?? NaN) : NaN;
  if (!(n > 0)) throw new InvalidArgumentError(`"${value}" is not a rate; use bytes per second with an optional unit, e.g. 1MB/s, 512KiB/s.`);
  return Math.round(n);
}
