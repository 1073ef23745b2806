// The compute's storage engine: transactions become WAL records, pushed through the walproposer
// and acknowledged only once a safekeeper majority has them; reads go to the pageserver at the
// last LSN that wrote the key (or table). After each election it starts over from the pageserver's
// state at the term start — neon's basebackup — so its catalog and WAL position are right.

import { INITDB_LSN, type Mutation } from '../../../wal/format.ts';
import { formatLsn, parseLsn, type Lsn } from '../../../wal/lsn.ts';
import { WalWriter } from '../../../wal/writer.ts';
import { failpoint, FailpointError, failpointsActive } from '../../common/failpoints.ts';
import { log } from '../../common/logger.ts';
import { Catalog } from '../data/catalog.ts';
import { CATALOG_PREFIX, NEXT_TABLE_ID_KEY, prefixEnd } from '../data/keys.ts';
import { ExecState } from '../exec/sqlstate.ts';
import { PgError } from '../pg-wire/index.ts';
import { exactly, PageClient, PageServiceError, type ReadPoint } from '../storage/page-client.ts';
import { WalProposer, type ElectedInfo } from '../walproposer/walproposer.ts';
import type { SafekeeperAddress } from '../walproposer/safekeeper-connection.ts';
import { commitTimeUs } from './commit-clock.ts';
import { KeyLocks } from './key-locks.ts';
import { LastWrittenLsn } from './last-written-lsn.ts';
import { bugOn } from '../../common/bugs.ts';

export type EngineMode = { kind: 'primary' } | { kind: 'static'; lsn: Lsn };
export type EngineState = 'starting' | 'running' | 'recovering' | 'stopping' | 'failed';

export interface EngineOptions {
  tenantId: string;
  timelineId: string;
  pgVersion: number;
  mode: EngineMode;
  safekeepers: SafekeeperAddress[];
  generationsEnabled: boolean;
  pageserver: { host: string; port: number };
  readTimeoutMs: number;
  readyTimeoutMs: number;
}

interface CommitWaiter {
  lsn: Lsn;
  resolve: () => void;
  reject: (err: Error) => void;
}

const SCAN_PAGE = 10_000;

export class Engine {
  state: EngineState = 'starting';
  catalog = new Catalog();
  readonly locks = new KeyLocks();
  private writer: WalWriter | null = null;
  private walproposer: WalProposer | null = null;
  readonly pages: PageClient;
  private waiters: CommitWaiter[] = [];
  private lastWritten = new LastWrittenLsn(INITDB_LSN);
  private readonly tableLsn = new Map<number, Lsn>();
  private startLsn: Lsn = 0;
  private epoch = 0;
  private xid = 0;
  private ready!: Promise<void>;
  private markReady!: () => void;
  lastError: string | null = null;

  constructor(readonly options: EngineOptions) {
    this.pages = new PageClient(options.pageserver, options, options.readTimeoutMs);
    this.resetReady();
  }

  private resetReady(): void {
    this.ready = new Promise((r) => (this.markReady = r));
  }

  get isPrimary(): boolean {
    return this.options.mode.kind === 'primary';
  }

  start(): void {
    if (this.options.mode.kind === 'static') {
      void this.startStatic(this.options.mode.lsn);
      return;
    }
    this.walproposer = this.newWalProposer(this.options.safekeepers, this.options.generationsEnabled);
    this.walproposer.start();
  }

  private newWalProposer(safekeepers: SafekeeperAddress[], generationsEnabled: boolean): WalProposer {
    return new WalProposer(
      { tenantId: this.options.tenantId, timelineId: this.options.timelineId, pgVersion: this.options.pgVersion * 10000, safekeepers, generationsEnabled, ackSingleFlush: bugOn('wp-ack-single-flush') },
      {
        elected: (info) => void this.onElected(info),
        committed: (lsn) => this.onCommitted(lsn),
        restarting: (reason) => this.onLostTerm(reason),
      },
    );
  }

  private async onElected(info: ElectedInfo): Promise<void> {
    const epoch = ++this.epoch;
    try {
      await this.waitForCommit(info.startLsn); // a majority has everything up to the term start
      await this.startAt(info.startLsn, epoch);
    } catch (err) {
      if (epoch === this.epoch) log.warn('startup after election failed; waiting for the next election', { error: (err as Error).message });
    }
  }

  /** A static endpoint has no election to wait for: it retries until the pageserver serves its LSN. */
  private async startStatic(lsn: Lsn): Promise<void> {
    while (this.state === 'starting') {
      try {
        await this.startAt(lsn, this.epoch);
      } catch (err) {
        this.lastError = (err as Error).message;
        if (err instanceof PageServiceError && (err.code === 'lsn-out-of-range' || err.code === 'timeline-not-found' || err.code === 'tenant-not-found')) {
          this.state = 'failed'; // no retry will help: the pageserver cannot serve this LSN
          log.error(`cannot start at ${formatLsn(lsn)}`, { error: this.lastError });
          return;
        }
        log.warn(`cannot start at ${formatLsn(lsn)} yet; retrying`, { error: this.lastError });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Loads what is needed to serve from `lsn`: the catalog, and the WAL position to continue at. */
  private async startAt(lsn: Lsn, epoch: number): Promise<void> {
    const start = await this.pages.start(lsn);
    const [defs, nextId] = await Promise.all([this.pages.scan(CATALOG_PREFIX, prefixEnd(CATALOG_PREFIX), exactly(lsn), 1_000_000), this.pages.get(NEXT_TABLE_ID_KEY, exactly(lsn))]);
    if (epoch !== this.epoch) return; // lost the term meanwhile
    this.catalog = Catalog.fromEntries(defs, nextId);
    this.startLsn = lsn;
    this.lastWritten = new LastWrittenLsn(lsn);
    this.tableLsn.clear();
    this.writer = this.isPrimary ? new WalWriter(lsn, start.prev_lsn ? parseLsn(start.prev_lsn) : 0) : null;
    this.state = 'running';
    this.lastError = null;
    log.info(`compute ready at ${formatLsn(lsn)}`, { tables: this.catalog.names().length, mode: this.options.mode.kind });
    this.markReady();
  }

  private onCommitted(lsn: Lsn): void {
    const done = this.waiters.filter((w) => w.lsn <= lsn);
    if (!done.length) return;
    this.waiters = this.waiters.filter((w) => w.lsn > lsn);
    for (const w of done) w.resolve();
  }

  private onLostTerm(reason: string): void {
    this.epoch++;
    this.writer = null;
    this.lastError = reason;
    if (this.state === 'running') this.resetReady();
    if (this.state !== 'stopping') this.state = 'recovering';
    const unknown = new PgError(ExecState.connectionFailure, `the outcome of this commit is unknown: the compute lost its safekeeper term (${reason})`, {
      hint: 'check whether the change was applied; the compute reconnects by itself',
    });
    for (const w of this.waiters) w.reject(unknown);
    this.waiters = [];
  }

  private waitForCommit(lsn: Lsn): Promise<void> {
    if (this.walproposer && this.walproposer.commitLsn >= lsn) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ lsn, resolve, reject }));
  }

  /** Waits (bounded) until the compute can serve statements. */
  async whenReady(): Promise<void> {
    if (this.state === 'running') return;
    if (this.state === 'stopping') throw new PgError('57P01', 'the compute is shutting down');
    if (this.state === 'failed') throw new PgError(ExecState.ioError, `the compute could not start: ${this.lastError}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PgError(ExecState.cannotConnectNow, `the compute is not ready after ${this.options.readyTimeoutMs / 1000} s: ${this.describeWait()}`, {
        hint: 'check that a majority of safekeepers and the pageserver are up (neon-local status)',
      })), this.options.readyTimeoutMs);
    });
    try {
      await Promise.race([this.ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private describeWait(): string {
    const wp = this.walproposer?.status();
    if (wp && wp.phase !== 'elected') return `not elected yet (${wp.safekeepers.filter((s) => s.state !== 'offline').length} of ${wp.safekeepers.length} safekeepers connected)`;
    return `waiting for pageserver ${this.pages.target}${this.lastError ? ` (${this.lastError})` : ''}`;
  }

  /**
   * Commits one transaction; resolves with its commit LSN once a safekeeper majority has it.
   * `handedOff` runs just before the record goes to the walproposer: an error before it means
   * nothing was committed, an error after it leaves the outcome unknown.
   */
  async commit(mutations: Mutation[], tableIds: number[], handedOff?: () => void): Promise<Lsn> {
    if (failpointsActive()) await failpoint('compute-before-commit'); // a `return`: the statement fails (XX000), nothing committed
    await this.whenReady();
    if (!this.writer || !this.walproposer) throw new PgError(ExecState.readOnlyTransaction, 'cannot execute a write in a read-only (static) endpoint');
    const committedAt = commitTimeUs(); // a bad clock-hook argument fails here, before anything is sent
    this.xid = (this.xid + 1) >>> 0;
    const appended = this.writer.appendTransaction(this.xid, mutations, committedAt);
    const committed = this.waitForCommit(appended.endLsn);
    handedOff?.();
    this.walproposer.appendWal(appended.bytesStart, appended.bytes);
    await committed;
    for (const m of mutations) this.lastWritten.written(m.key, appended.endLsn);
    for (const id of tableIds) this.tableLsn.set(id, Math.max(this.tableLsn.get(id) ?? 0, appended.endLsn));
    return appended.endLsn;
  }

  readLsnForKey(key: Buffer): Lsn {
    return this.options.mode.kind === 'static' ? this.options.mode.lsn : this.lastWritten.forKey(key);
  }

  readLsnForTable(tableId: number): Lsn {
    return this.options.mode.kind === 'static' ? this.options.mode.lsn : (this.tableLsn.get(tableId) ?? this.startLsn);
  }

  /**
   * A primary reads at its latest commit, telling the pageserver the value has not changed since
   * `notModifiedSince` (so the pageserver need not wait beyond it, and old LSNs may be garbage
   * collected); a static endpoint reads at its LSN.
   */
  private readPoint(notModifiedSince: Lsn): ReadPoint {
    if (this.options.mode.kind === 'static') return exactly(this.options.mode.lsn);
    return { lsn: Math.max(notModifiedSince, this.flushLsn()), notModifiedSince };
  }

  async get(key: Buffer): Promise<Buffer | null> {
    await this.whenReady();
    return storageRead(() => this.pages.get(key, this.readPoint(this.readLsnForKey(key))));
  }

  /** All live entries in [start, end) of one table, ascending, paged from the pageserver. */
  async *scan(tableId: number, start: Buffer, end: Buffer): AsyncGenerator<{ key: Buffer; value: Buffer }> {
    await this.whenReady();
    const at = this.readPoint(this.readLsnForTable(tableId)); // one point for every page: a consistent scan
    let from = start;
    for (;;) {
      const page = await storageRead(() => this.pages.scan(from, end, at, SCAN_PAGE));
      yield* page;
      if (page.length < SCAN_PAGE) return;
      from = Buffer.concat([page[page.length - 1]!.key, Buffer.from([0])]);
    }
  }

  insertLsn(): Lsn {
    return this.writer?.endLsn ?? this.startLsn;
  }

  flushLsn(): Lsn {
    return this.walproposer?.commitLsn ?? this.startLsn;
  }

  walStatus(): unknown {
    return this.walproposer?.status() ?? null;
  }

  /** New safekeepers or pageserver (neon: /configure with a new spec). */
  reconfigure(change: { pageserver?: { host: string; port: number }; safekeepers?: SafekeeperAddress[]; generationsEnabled?: boolean }): void {
    if (change.pageserver) this.pages.retarget(change.pageserver);
    if (change.safekeepers && this.isPrimary) {
      this.walproposer?.stop();
      this.onLostTerm('safekeeper set changed');
      this.walproposer = this.newWalProposer(change.safekeepers, change.generationsEnabled ?? this.options.generationsEnabled);
      this.walproposer.start();
    }
  }

  /** Stops taking work; with `fast`, waits (bounded) for commits in flight. Returns the last commit LSN. */
  async stop(fast: boolean): Promise<Lsn | null> {
    this.state = 'stopping';
    const deadline = Date.now() + 10_000;
    while (fast && this.waiters.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const lsn = this.walproposer ? this.walproposer.commitLsn : null;
    this.walproposer?.stop();
    // Commits still waiting will never hear from the safekeepers: answer them rather than hang.
    const unknown = new PgError('57P01', 'the compute is shutting down; the outcome of this commit is unknown');
    for (const w of this.waiters.splice(0)) w.reject(unknown);
    this.pages.close();
    return lsn;
  }
}

/** A read from the pageserver, with its failures as PostgreSQL errors. */
async function storageRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    if (failpointsActive()) await failpoint('compute-page-read');
    return await read();
  } catch (err) {
    if (err instanceof PageServiceError || err instanceof FailpointError) throw new PgError(ExecState.ioError, `could not read from the pageserver: ${err.message}`);
    throw err;
  }
}
