// Output discipline: stdout carries the command's result only — human text, or with --json exactly
// one JSON document. Progress and diagnostics go to stderr. Errors are one line plus a hint (and a
// log excerpt when a component failed), or `{"error": {...}}` on stdout with --json.

import path from 'node:path';
import type { NeonLocalError } from '../cluster/util/errors.ts';

export interface Output {
  json: boolean;
  /** A progress line for people (stderr); suppressed with --json. */
  progress(line: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    progress(line) {
      if (!json) process.stderr.write(line + '\n');
    },
  };
}

export function printResult(out: Output, data: unknown, human: string): void {
  if (out.json) process.stdout.write(JSON.stringify(data, null, 2) + '\n');
  else if (human) process.stdout.write(human.endsWith('\n') ? human : human + '\n');
}

export function printError(out: Output, err: NeonLocalError): void {
  if (out.json) {
    process.stdout.write(JSON.stringify({ error: err.toJSON() }, null, 2) + '\n');
    return;
  }
  const lines = [`neon-local: ${err.message}`];
  if (err.hint) lines.push(`hint: ${err.hint}`);
  const tail = err.details?.['logTail'];
  const logFile = err.details?.['logFile'];
  if (Array.isArray(tail) && tail.length > 0) {
    lines.push(`last lines of ${typeof logFile === 'string' ? path.relative(process.cwd(), logFile) || logFile : 'its log'}:`);
    lines.push(...tail.map((l) => `  | ${String(l)}`));
  }
  process.stderr.write(lines.join('\n') + '\n');
}
