// Node availability as the storage controller tracks it from heartbeats (neon heartbeater.rs).
// Pure: time comes in as a number, nothing is read from clocks or the network.
//
//   registered ──────────────▶ Offline ──heartbeat ok──▶ Active
//   re-attach  ──────────────▶ WarmingUp ─heartbeat ok──▶ Active
//   Active    ──failing for max_offline──────▶ Offline
//   WarmingUp ──failing for max_warming_up───▶ Offline

import type { NodeAvailability } from '../../../api/storage-controller.ts';

export type Availability =
  | { state: 'Active'; lastSeenAt: number }
  | { state: 'WarmingUp'; startedAt: number }
  | { state: 'Offline' };

export interface AvailabilityLimits {
  maxOfflineMs: number;
  maxWarmingUpMs: number;
}

export const OFFLINE: Availability = { state: 'Offline' };

export function afterHeartbeat(prev: Availability, ok: boolean, now: number, limits: AvailabilityLimits): Availability {
  if (ok) return { state: 'Active', lastSeenAt: now };
  switch (prev.state) {
    case 'Active':
      return now - prev.lastSeenAt >= limits.maxOfflineMs ? OFFLINE : prev;
    case 'WarmingUp':
      return now - prev.startedAt >= limits.maxWarmingUpMs ? OFFLINE : prev;
    case 'Offline':
      return prev;
  }
}

/** A pageserver that re-attaches has restarted: it warms up until its next good heartbeat. */
export function afterReAttach(now: number): Availability {
  return { state: 'WarmingUp', startedAt: now };
}

/** An operator override (PUT /control/v1/node/:id/config). */
export function configured(availability: NodeAvailability, now: number): Availability {
  switch (availability) {
    case 'Active':
      return { state: 'Active', lastSeenAt: now };
    case 'WarmingUp':
      return { state: 'WarmingUp', startedAt: now };
    case 'Offline':
      return OFFLINE;
  }
}
