// GET /v1/utilization, computed the way neon's pageserver does (pageserver/src/utilization.rs):
// statvfs of the tenants directory, a static shard limit, and the score derived from both.

import fs from 'node:fs';
import type { PageserverUtilization } from '../../api/pageserver.ts';

const MAX_SHARDS = 2500;
const UTILIZATION_FULL = 1_000_000;

export function utilization(dir: string, shardCount: number, diskWantedBytes: number): PageserverUtilization {
  const stats = fs.statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  const used = (stats.blocks - stats.bfree) * stats.bsize;
  const usablePct = 100;
  const capacity = Math.floor(((used + free) * usablePct) / 100);
  const diskScore = capacity > 0 ? Math.floor((diskWantedBytes * UTILIZATION_FULL) / capacity) : 0;
  const shardScore = Math.floor((shardCount * UTILIZATION_FULL) / MAX_SHARDS);
  return {
    disk_usage_bytes: used,
    free_space_bytes: free,
    disk_wanted_bytes: diskWantedBytes,
    disk_usable_pct: usablePct,
    shard_count: shardCount,
    max_shard_count: MAX_SHARDS,
    utilization_score: Math.max(diskScore, shardScore),
    captured_at: new Date().toISOString(),
  };
}
