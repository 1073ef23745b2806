// Safekeeper membership configurations (neon libs/safekeeper_api/src/membership.rs): a generation
// number and a member set, plus a second set during a joint configuration. Quorums are counted per
// set, and a joint configuration needs a quorum in both.

export interface SafekeeperId {
  id: number;
  host: string;
  pg_port: number;
}

export interface Configuration {
  generation: number;
  members: SafekeeperId[];
  new_members: SafekeeperId[] | null;
}

export const INVALID_GENERATION = 0;
export const INITIAL_GENERATION = 1;

export const EMPTY_CONFIGURATION: Configuration = { generation: INVALID_GENERATION, members: [], new_members: null };

export function contains(conf: Configuration, id: number): boolean {
  return conf.members.some((m) => m.id === id) || (conf.new_members?.some((m) => m.id === id) ?? false);
}

/** Majority of a set of n: n/2 + 1. */
export function quorumOf(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** True when `ids` holds a quorum of every member set of `conf`. */
export function hasQuorum(conf: Configuration, ids: ReadonlySet<number>): boolean {
  const enough = (set: SafekeeperId[]) => set.filter((m) => ids.has(m.id)).length >= quorumOf(set.length);
  return enough(conf.members) && (conf.new_members === null || enough(conf.new_members));
}

export function formatConfiguration(conf: Configuration): string {
  const set = (s: SafekeeperId[]) => `[${s.map((m) => m.id).join(',')}]`;
  return `g${conf.generation}:${set(conf.members)}${conf.new_members ? `+${set(conf.new_members)}` : ''}`;
}
