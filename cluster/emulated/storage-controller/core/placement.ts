// Where things go (pure): a pageserver for a new tenant shard, safekeepers for a new timeline.

export interface NodeCandidate {
  id: number;
  availability: 'Active' | 'WarmingUp' | 'Offline';
  scheduling: string;
  attachedShards: number;
}

/** The Active, schedulable pageserver with the fewest attached shards (lowest id on a tie). */
export function pickPageserver(nodes: NodeCandidate[]): number | null {
  const ok = nodes.filter((n) => n.availability === 'Active' && n.scheduling === 'Active');
  ok.sort((a, b) => a.attachedShards - b.attachedShards || a.id - b.id);
  return ok[0]?.id ?? null;
}

export interface SafekeeperCandidate {
  id: number;
  schedulingPolicy: string;
  availabilityZone: string;
  available: boolean;
  timelineCount: number;
}

/**
 * `count` safekeepers in distinct availability zones, scheduling policy Active, preferring
 * available ones with fewer timelines (neon safekeepers_for_new_timeline). null if impossible.
 */
export function pickSafekeepers(candidates: SafekeeperCandidate[], count: number): number[] | null {
  const ok = candidates.filter((c) => c.schedulingPolicy === 'Active');
  ok.sort((a, b) => Number(b.available) - Number(a.available) || a.timelineCount - b.timelineCount || a.id - b.id);
  const chosen: SafekeeperCandidate[] = [];
  for (const c of ok) {
    if (chosen.length === count) break;
    if (chosen.some((x) => x.availabilityZone === c.availabilityZone)) continue;
    chosen.push(c);
  }
  return chosen.length === count ? chosen.map((c) => c.id).sort((a, b) => a - b) : null;
}
