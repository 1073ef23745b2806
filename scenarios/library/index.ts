// Every scenario `neon-local scenario list` shows, by name.

import type { Scenario } from '../runner/types.ts';
import { attachDetachWithConfig } from './attach-detach-with-config.ts';
import { computeSafekeeperPartitions } from './compute-safekeeper-partitions.ts';
import { diskLoss } from './disk-loss.ts';
import { pageserverSafekeeperPartition } from './pageserver-safekeeper-partition.ts';
import { quorumLoss } from './quorum-loss.ts';
import { relocationUnderLoad } from './relocation-under-load.ts';
import { restartsUnderLoad } from './restarts-under-load.ts';
import { staleGenerationFenced } from './stale-generation-fenced.ts';

export const SCENARIOS: readonly Scenario[] = [
  restartsUnderLoad, quorumLoss, computeSafekeeperPartitions, pageserverSafekeeperPartition,
  relocationUnderLoad, attachDetachWithConfig, diskLoss, staleGenerationFenced,
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
