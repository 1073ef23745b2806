// Stopping a component through its run record. Used by the supervisor and, when no supervisor
// answers, directly by `neon-local stop`: the record's pid and start time identify the process.

import fsp from 'node:fs/promises';
import type { ComponentSpec } from '../components/spec.ts';
import { terminateGroup, type StopMode } from '../process/terminate.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { readRunRecord, removeRunRecord } from '../repo/run-records.ts';

export async function stopRecorded(layout: RepoLayout, spec: ComponentSpec, mode: StopMode): Promise<'stopped' | 'not-running'> {
  const record = await readRunRecord(layout, spec.name);
  const outcome = record ? await terminateGroup(record, mode, { name: spec.displayName }) : 'not-running';
  await removeRunRecord(layout, spec.name);
  if (spec.pidFile) await fsp.rm(spec.pidFile, { force: true });
  return outcome;
}

/** Groups specs by stop group, ascending (pageservers, safekeepers, broker, storage controller). */
export function stopWaves(specs: ComponentSpec[]): ComponentSpec[][] {
  const groups = [...new Set(specs.map((s) => s.stopGroup))].sort((a, b) => a - b);
  return groups.map((g) => specs.filter((s) => s.stopGroup === g));
}
