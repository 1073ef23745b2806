// Every scenario `neon-local scenario list` shows, by name.

import type { Scenario } from '../runner/types.ts';
import { computeSafekeeperPartitions } from './compute-safekeeper-partitions.ts';
import { pageserverSafekeeperPartition } from './pageserver-safekeeper-partition.ts';
import { quorumLoss } from './quorum-loss.ts';
import { restartsUnderLoad } from './restarts-under-load.ts';

export const SCENARIOS: readonly Scenario[] = [restartsUnderLoad, quorumLoss, computeSafekeeperPartitions, pageserverSafekeeperPartition];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
