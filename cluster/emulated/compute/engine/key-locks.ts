// Row locks for read-modify-write statements (UPDATE, INSERT ... ON CONFLICT, DELETE): two
// sessions updating the same row take turns instead of losing an update. Locks are taken in key
// order within a statement; a wait that lasts too long is reported as a deadlock.

import { PgError } from '../pg-wire/index.ts';
import { ExecState } from '../exec/sqlstate.ts';

const LOCK_TIMEOUT_MS = 10_000;

export class KeyLocks {
  private readonly held = new Map<string, { owner: object; released: Promise<void>; release: () => void }>();

  /** Locks `keys` for `owner` (re-entrant); resolves once all are held. */
  async lock(owner: object, keys: Buffer[]): Promise<void> {
    const sorted = [...new Set(keys.map((k) => k.toString('hex')))].sort();
    for (const k of sorted) {
      for (;;) {
        const current = this.held.get(k);
        if (!current) break;
        if (current.owner === owner) break;
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          current.released.then(() => false),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(true), LOCK_TIMEOUT_MS))),
        ]);
        clearTimeout(timer);
        if (timedOut) throw new PgError(ExecState.deadlockDetected, `a row lock was not granted within ${LOCK_TIMEOUT_MS / 1000} s (another transaction holds it)`, { hint: 'retry the transaction' });
      }
      if (this.held.get(k)?.owner === owner) continue;
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      this.held.set(k, { owner, released, release });
    }
  }

  releaseAll(owner: object): void {
    for (const [k, lock] of this.held) {
      if (lock.owner !== owner) continue;
      this.held.delete(k);
      lock.release();
    }
  }
}
