// Heartbeats: every heartbeat interval, GET /v1/utilization on each pageserver and safekeeper
// (up to 3 attempts with a 1 s timeout each, as neon's heartbeater), fed to the availability core.

import { httpRequest } from '../../clients/http.ts';
import { failpoint, FailpointError, failpointsActive } from '../common/failpoints.ts';
import { log } from '../common/logger.ts';
import type { StorageControllerService } from './service.ts';

const ATTEMPTS = 3;
const ATTEMPT_TIMEOUT_MS = 1000;
const RETRY_DELAY_MS = 100;

async function utilizationOk(address: { host: string; port: number }, attempts = ATTEMPTS): Promise<boolean> {
  if (failpointsActive()) {
    // storcon-heartbeat: a `return` is a heartbeat that got no answer; pause holds this one.
    try {
      await failpoint('storcon-heartbeat');
    } catch (err) {
      if (err instanceof FailpointError) return false;
      throw err;
    }
  }
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await httpRequest(`http://${address.host}:${address.port}/v1/utilization`, { timeoutMs: ATTEMPT_TIMEOUT_MS });
      if (res.status === 200) return true;
    } catch {
      // connection refused, timeout: try again
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
  }
  return false;
}

export class Heartbeater {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly service: StorageControllerService,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    const tick = async () => {
      await this.round();
      this.timer = setTimeout(() => void tick(), this.intervalMs);
    };
    this.timer = setTimeout(() => void tick(), this.intervalMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** One heartbeat to every node; `attempts` 1 for the quick startup round. */
  async round(attempts = ATTEMPTS): Promise<void> {
    await Promise.all([
      ...this.service.nodeIds().map((id) => this.node(id, attempts)),
      ...this.service.safekeeperIds().map((id) => this.safekeeper(id, attempts)),
    ]);
  }

  /** Heartbeats one pageserver now (after it registered), unless one is already in flight. */
  async node(id: number, attempts = ATTEMPTS): Promise<void> {
    const address = this.service.nodeAddress(id);
    if (!address || !this.begin(`ps${id}`)) return;
    try {
      this.service.applyNodeHeartbeat(id, await utilizationOk(address, attempts));
    } catch (err) {
      log.warn('heartbeat failed', { node: id, error: String(err) });
    } finally {
      this.inFlight.delete(`ps${id}`);
    }
  }

  private async safekeeper(id: number, attempts: number): Promise<void> {
    const address = this.service.safekeeperAddress(id);
    if (!address || !this.begin(`sk${id}`)) return;
    try {
      this.service.applySafekeeperHeartbeat(id, await utilizationOk(address, attempts));
    } finally {
      this.inFlight.delete(`sk${id}`);
    }
  }

  private begin(key: string): boolean {
    if (this.inFlight.has(key)) return false;
    this.inFlight.add(key);
    return true;
  }
}
