// Deletions of remote objects wait here until the storage controller confirms, through
// `POST /upcall/v1/validate`, that the generation which decided them is still the tenant's
// current one (Neon's deletion queue). A pageserver whose attachment went stale — the tenant moved
// on to a newer generation elsewhere — must not delete what the new attachment may still use: its
// deletions are refused, logged and dropped. Objects are only ever leaked this way, never lost.
// The same validation gates publishing: remote_consistent_lsn becomes visible (to TimelineInfo's
// remote_consistent_lsn_visible and the safekeepers) only once its generation is confirmed.

import { log } from '../../common/logger.ts';
import { metrics } from '../metrics.ts';
import type { RemoteStorage } from './remote-storage.ts';

const FLUSH_DELAY_MS = 200;
const RETRY_MS = 2000;

export type ValidateGenerations = (tenants: { id: string; gen: number }[]) => Promise<{ id: string; valid: boolean }[]>;

interface Pending {
  tenantShardId: string;
  generation: number;
  keys: string[];
  /** Runs once the generation is confirmed current (after the deletions). */
  onValidated?: () => void;
}

export class DeletionQueue {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  /** Counters for metrics and tests. */
  readonly stats = { deleted: 0, refused: 0 };

  constructor(
    private readonly storage: RemoteStorage,
    private readonly validate: ValidateGenerations,
  ) {}

  enqueue(tenantShardId: string, generation: number, keys: string[], onValidated?: () => void): void {
    if (keys.length === 0 && !onValidated) return;
    this.pending.push({ tenantShardId, generation, keys, ...(onValidated ? { onValidated } : {}) });
    metrics.deletionsSubmitted.inc({}, keys.length);
    this.scheduleFlush(FLUSH_DELAY_MS);
  }

  private scheduleFlush(delayMs: number): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
  }

  /** Validates and executes what is queued; resolves when done (a failed upcall re-queues it). */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    // One call per generation, so each id appears once in it; a shard the controller does not
    // know is left out of the answer, and is not confirmed.
    const valid = new Set<string>();
    try {
      for (const gen of new Set(batch.map((p) => p.generation))) {
        const ids = [...new Set(batch.filter((p) => p.generation === gen).map((p) => p.tenantShardId))];
        for (const a of await this.validate(ids.map((id) => ({ id, gen })))) if (a.valid) valid.add(`${a.id}@${gen}`);
      }
    } catch (err) {
      log.warn('deletion queue: generation validation failed; will retry', { error: (err as Error).message, objects: batch.reduce((n, p) => n + p.keys.length, 0) });
      this.pending.unshift(...batch);
      this.scheduleFlush(RETRY_MS);
      return;
    }
    for (const p of batch) {
      if (!valid.has(`${p.tenantShardId}@${p.generation}`)) {
        this.stats.refused += p.keys.length;
        metrics.deletionsDropped.inc({}, p.keys.length);
        if (p.onValidated) metrics.lsnUpdatesDropped.inc();
        if (p.keys.length === 0) continue; // only a publication: it just does not happen
        log.warn(`deletion of ${p.keys.length} object(s) refused: generation ${p.generation} of tenant ${p.tenantShardId} is no longer current (a newer attachment exists)`, { keys: p.keys.slice(0, 5).join(', ') });
        continue;
      }
      metrics.deletionsValidated.inc({}, p.keys.length);
      try {
        if (p.keys.length) await this.storage.delete(p.keys);
        this.stats.deleted += p.keys.length;
        metrics.deletionsExecuted.inc({}, p.keys.length);
        p.onValidated?.();
      } catch (err) {
        log.warn('deletion queue: delete failed; will retry', { error: (err as Error).message });
        metrics.deletionRemoteErrors.inc({ op_kind: 'delete' });
        this.pending.push(p);
        this.scheduleFlush(RETRY_MS); // an idle timeline enqueues nothing that would flush it again
      }
    }
  }

  /** Runs everything queued so far now, waiting for a flush already under way first. */
  async drain(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    await this.flush();
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
  }
}
