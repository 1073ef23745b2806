// The fault schedule a run executed: saved with its report, and the input of `--replay`. A replay
// runs the same scenario with the same seed and bug switches and must execute the same entries;
// where it does not, the first difference is reported.

import fs from 'node:fs';
import { NeonLocalError } from '../../cluster/util/errors.ts';
import type { Schedule, ScheduleEntry } from './types.ts';

export const SCHEDULE_FORMAT = 'neon-local-schedule/1';

const HINT = 'pass the schedule.json a scenario run wrote into its --report directory';

export function readSchedule(file: string): Schedule {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new NeonLocalError('usage', `cannot read the schedule ${file}: ${(err as Error).message}`, { hint: HINT });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new NeonLocalError('usage', `${file} is not a neon-local fault schedule: not JSON (it begins ${JSON.stringify(text.slice(0, 40))})`, { hint: HINT });
  }
  const s = parsed as Partial<Schedule>;
  if (s?.format !== SCHEDULE_FORMAT || typeof s.scenario !== 'string' || typeof s.seed !== 'number' || !Array.isArray(s.entries)) {
    throw new NeonLocalError('usage', `${file} is not a neon-local fault schedule (format ${SCHEDULE_FORMAT})`, { hint: HINT });
  }
  return { format: SCHEDULE_FORMAT, scenario: s.scenario, seed: s.seed, bugs: s.bugs ?? [], entries: s.entries };
}

/** The first entry where two schedules differ, described; null when they are the same. */
export function scheduleDifference(expected: ScheduleEntry[], actual: ScheduleEntry[]): string | null {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const a = JSON.stringify(expected[i] ?? null);
    const b = JSON.stringify(actual[i] ?? null);
    if (a !== b) return `entry ${i + 1}: expected ${a}, ran ${b}`;
  }
  return null;
}
