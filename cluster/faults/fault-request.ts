// What a user (CLI, fixture, scenario) asks for, and the faults in effect as `fault list` shows
// them. Component names are the topology's (storcon, broker, ps1, sk2, ep-main); a group is a
// comma list, and `*` matches any run of characters (`sk*`, `ep-*`).

import { NeonLocalError } from '../util/errors.ts';

export type LinkFaultKind = 'partition' | 'cut' | 'latency' | 'bandwidth';
export type ProcessFaultKind = 'kill' | 'pause' | 'restart';

export type FaultRequest =
  | {
      kind: LinkFaultKind;
      /** Groups of component names (patterns allowed). */
      from: string[];
      to: string[];
      /** Only from → to; default both ways. */
      oneWay?: boolean;
      latencyMs?: number;
      jitterMs?: number;
      bytesPerSecond?: number;
      /** Healed by itself after this long; default: until healed. */
      durationMs?: number;
    }
  | { kind: ProcessFaultKind; component: string; durationMs?: number }
  | { kind: 'resume'; component: string }
  | { kind: 'failpoint'; component: string; name: string; actions: string; durationMs?: number };

export interface HealRequest {
  /** A fault id from `fault list`. */
  id?: string;
  /** Every link fault touching a pair between these groups. */
  between?: [string[], string[]];
  all?: boolean;
}

export interface ActiveFault {
  id: string;
  kind: LinkFaultKind | 'kill' | 'pause' | 'failpoint';
  description: string;
  /** The components involved. */
  targets: string[];
  /** Link faults: the directed pairs covered, as "from>to". */
  pairs?: string[];
  startedAt: string;
  /** When it heals by itself; null: until healed. */
  expiresAt: string | null;
}

/** Resolves groups and patterns against the topology, with an error listing the names. */
export function resolveGroup(group: string[], names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const item of group.flatMap((g) => g.split(',')).map((g) => g.trim()).filter(Boolean)) {
    const pattern = new RegExp(`^${item.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    const matched = names.filter((n) => pattern.test(n));
    if (matched.length === 0) {
      throw new NeonLocalError('unknown-component', `no component matches "${item}"`, { hint: `components: ${names.join(', ')} (a group is a comma list; * matches anything, e.g. sk*)` });
    }
    for (const m of matched) out.add(m);
  }
  if (out.size === 0) throw new NeonLocalError('usage', 'an empty group of components', { hint: `components: ${names.join(', ')}` });
  return [...out];
}

export function describeRequest(r: FaultRequest, from: string[] = [], to: string[] = []): string {
  const arrow = 'oneWay' in r && r.oneWay ? '→' : '↔';
  const link = `${from.join(',')} ${arrow} ${to.join(',')}`;
  switch (r.kind) {
    case 'partition':
      return `partition ${link}`;
    case 'cut':
      return `cut ${link}`;
    case 'latency':
      return `latency ${r.latencyMs} ms${r.jitterMs ? ` ± ${r.jitterMs} ms` : ''} ${link}`;
    case 'bandwidth':
      return `bandwidth ${r.bytesPerSecond} B/s ${link}`;
    case 'failpoint':
      return `failpoint ${r.name}=${r.actions} on ${r.component}`;
    default:
      return `${r.kind} ${r.component}`;
  }
}
