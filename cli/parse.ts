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
