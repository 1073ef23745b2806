// An attached tenant's lifecycle, as Neon's TenantState: Attaching while its timelines are loaded
// and restored from remote storage, Active once it serves, Broken when the attach failed (kept,
// with the reason, until a location_config in a newer generation or a detach replaces it), and
// Stopping while it shuts down. What requests get in each state is Neon's
// (pageserver/src/http/routes.rs: GetActiveTenantError → ApiError).

import type { AttachmentStatus, TenantState } from '../../../api/pageserver.ts';
import { ApiError, shuttingDown, unavailable } from '../../common/http-server.ts';

/** How long a request waits for an attaching tenant (Neon's ACTIVE_TENANT_TIMEOUT). */
export const ACTIVE_TENANT_TIMEOUT_MS = 5000;

/** attachment_status follows the state: maybe while it may still become active, failed when broken. */
export function attachmentStatus(state: TenantState): AttachmentStatus {
  switch (state.slug) {
    case 'Active':
      return { slug: 'attached' };
    case 'Broken':
      return { slug: 'failed', data: { reason: state.data.reason } };
    default:
      return { slug: 'maybe' };
  }
}

export function brokenState(err: unknown): TenantState {
  const error = err instanceof Error ? err : new Error(String(err));
  return { slug: 'Broken', data: { reason: error.message, backtrace: error.stack ?? '' } };
}

/** The error a request that needs an active tenant gets in `state` (null when it is active). */
export function notActiveError(tsid: string, state: TenantState, waitedMs: number | null): ApiError | null {
  switch (state.slug) {
    case 'Active':
      return null;
    case 'Broken':
      return new ApiError(500, `tenant is broken: ${state.data.reason}`);
    case 'Stopping':
      return shuttingDown();
    default:
      return waitedMs === null
        ? unavailable(`Tenant ${tsid} is not active`)
        : unavailable(`Timed out waiting ${waitedMs / 1000}s for tenant active state. Latest state: Some(${state.slug})`);
  }
}

/** Watches state changes so requests can wait for activation. */
export class StateCell {
  private waiters: (() => void)[] = [];

  constructor(private current: TenantState) {}

  get value(): TenantState {
    return this.current;
  }

  set(state: TenantState): void {
    this.current = state;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once the state is no longer Attaching, or after `timeoutMs`. */
  async settled(timeoutMs: number): Promise<TenantState> {
    if (this.current.slug !== 'Attaching' && this.current.slug !== 'Activating') return this.current;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
    return this.current;
  }
}
