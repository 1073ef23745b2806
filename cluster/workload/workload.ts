// A register workload that records a history (history.ts) for the checker: N clients race on K
// shared keys through a compute's POST /v1/sql, each writing unique values (`<client>-<seq>`) with
// an upsert, or reading a key. Every operation is an invoke and one completion: ok (with the
// commit LSN), fail (the compute says it cannot have committed) or unknown. Faults (components
// killed, paused, partitioned) only turn operations into fail/unknown; the clients keep going.

import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { SafekeeperClient } from '../clients/safekeeper.ts';
import { NeonLocalError } from '../util/errors.ts';
import { readFlushLsns, type DurabilitySnapshot } from './durability.ts';
import { FINAL_PROCESS, HISTORY_FORMAT, HistoryWriter, type EventType, type HistoryEvent, type HistoryHeader, type OpKind } from './history.ts';
import { Prng } from '../util/prng.ts';
import { percentile } from './stats.ts';
import { readFinalValues } from './final-read.ts';
import { postSql, type SqlOutcome } from './sql-client.ts';

export interface WorkloadEndpoint {
  id: string;
  host: string;
  pgPort: number;
  /** The compute's HTTP API, e.g. http://127.0.0.1:19640 */
  httpUrl: string;
  tenant: string;
  timeline: string;
}

export interface WorkloadOptions {
  endpoint: WorkloadEndpoint;
  clients: number;
  /** The clients stop by themselves after this long (see `done`); default: until stop(). */
  durationMs?: number;
  keys: number;
  table?: string;
  /** Where to append the history as it happens; default: kept in memory only. */
  historyFile?: string;
  seed?: number;
  /** The share of operations that are reads (0..1); default 0. */
  readFraction?: number;
  requestTimeoutMs?: number;
  /** How long setup (create and empty the table) and the final reads may take. */
  setupTimeoutMs?: number;
}

export interface SeriesPoint {
  /** Bucket start, ms since the workload started. */
  t: number;
  ok: number;
  fail: number;
  unknown: number;
  /** Latency of the operations that completed ok in the bucket. */
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface WorkloadStats {
  /** From the start to the last completion, setup included. */
  durationMs: number;
  /** How long creating and emptying the table took (it waits out faults); null while it runs. */
  setupMs: number | null;
  seed: number;
  ok: number;
  fail: number;
  unknown: number;
  writes: { ok: number; fail: number; unknown: number };
  reads: { ok: number; fail: number; unknown: number };
  opsPerSecond: number;
}

export interface WorkloadResult {
  header: HistoryHeader;
  events: HistoryEvent[];
  stats: WorkloadStats;
  historyFile: string | null;
  /** Why some final values could not be read (only with finish({ unreadable: 'report' })). */
  finalReadError: string | null;
  durability: DurabilitySnapshot[];
}

export const DEFAULT_TABLE = 'workload_kv';
const PAUSE_AFTER_ERROR_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Workload {
  readonly header: HistoryHeader;
  readonly seed: number;
  /** Resolves once the table is set up and the clients run; rejects if setup fails. */
  readonly started: Promise<void>;
  /** Resolves when every client has stopped (after durationMs, or stop()). */
  readonly done: Promise<void>;
  ok = 0;
  fail = 0;
  unknown = 0;
  lastError: string | null = null;
  /** When the clients started (ms since the workload began): setup's duration. */
  setupMs: number | null = null;
  private readonly events: HistoryEvent[] = [];
  private readonly durability: DurabilitySnapshot[] = [];
  private readonly completions: { time: number; type: EventType; latency: number; op: OpKind }[] = [];
  private readonly listeners = new Set<(e: HistoryEvent) => void>();
  private readonly writer: HistoryWriter | null;
  private readonly t0 = performance.now();
  private readonly table: string;
  private readonly sqlUrl: string;
  private readonly timeoutMs: number;
  private running = true;
  private durationTimer: NodeJS.Timeout | null = null;
  private finished: Promise<WorkloadResult> | null = null;

  constructor(private readonly options: WorkloadOptions) {
    validate(options);
    this.table = options.table ?? DEFAULT_TABLE;
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.sqlUrl = `${options.endpoint.httpUrl.replace(/\/$/, '')}/v1/sql`;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    const ep = options.endpoint;
    this.header = {
      type: 'header', format: HISTORY_FORMAT, startedAt: new Date().toISOString(), endpoint: ep.id, tenant: ep.tenant, timeline: ep.timeline,
      table: this.table, keys: options.keys, clients: options.clients, seed: this.seed,
    };
    this.writer = options.historyFile ? new HistoryWriter(options.historyFile, this.header) : null;
    this.started = this.setup();
    this.done = this.started.then(() => this.runClients());
    this.done.catch(() => {}); // a setup failure is reported through `started`
  }

  private now(): number {
    return Math.round((performance.now() - this.t0) * 1000) / 1000;
  }

  private record(type: EventType, op: OpKind, process: number, key: string, value: string | null, lsn: string | null, error?: string): HistoryEvent {
    const ep = this.options.endpoint;
    const event: HistoryEvent = { type, op, process, time: this.now(), key, value, lsn, endpoint: ep.id, tenant: ep.tenant, timeline: ep.timeline, ...(error !== undefined ? { error } : {}) };
    this.events.push(event);
    this.writer?.append(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a listener's failure is not the workload's
      }
    }
    return event;
  }

  /** Creates the table if missing and empties it, so every key starts absent; retried through faults. */
  private async setup(): Promise<void> {
    const deadline = Date.now() + (this.options.setupTimeoutMs ?? 60_000);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await this.untilOk(`CREATE TABLE IF NOT EXISTS ${this.table} (k text PRIMARY KEY, v text)`, [], deadline, agent);
      await this.untilOk(`DELETE FROM ${this.table}`, [], deadline, agent);
      await this.untilOk(`SELECT v FROM ${this.table} WHERE k = $1`, ['k0'], deadline, agent);
    } finally {
      agent.destroy();
    }
    this.setupMs = this.now();
    if (this.options.durationMs !== undefined) this.durationTimer = setTimeout(() => (this.running = false), this.options.durationMs);
  }

  /** A setup statement: retried while the outcome may change (not ready, unknown), refused otherwise. */
  private async untilOk(query: string, params: string[], deadline: number, agent: http.Agent): Promise<SqlOutcome & { kind: 'ok' }> {
    for (;;) {
      const outcome = await postSql({ url: this.sqlUrl, query, params, timeoutMs: this.timeoutMs, agent });
      if (outcome.kind === 'ok') return outcome;
      const transient = outcome.kind === 'unknown' || ['57P03', '57P01', '58030', '40P01', '08006'].includes(outcome.sqlstate ?? '');
      if (!transient) {
        throw new NeonLocalError('http', `workload setup on endpoint ${this.options.endpoint.id} failed: ${query}: ${outcome.error}`, {
          hint: `the table ${this.table} must be (k text PRIMARY KEY, v text); choose another with --table`,
        });
      }
      if (Date.now() > deadline) throw new NeonLocalError('http', `workload setup on endpoint ${this.options.endpoint.id} did not succeed in time: ${outcome.error}`, { hint: 'is the endpoint running? see `neon-local status`' });
      this.lastError = outcome.error;
      await sleep(250);
    }
  }

  private async runClients(): Promise<void> {
    const clients = Array.from({ length: this.options.clients }, (_, i) => this.client(i));
    await Promise.all(clients);
  }

  private async client(index: number): Promise<void> {
    const prng = Prng.stream(this.seed, index);
    const random = () => prng.next();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const readFraction = this.options.readFraction ?? 0;
    let seq = 0;
    try {
      while (this.running) {
        const key = `k${Math.floor(random() * this.options.keys)}`;
        const read = random() < readFraction;
        const ok = read ? await this.read(index, key, agent) : await this.write(index, key, `${index}-${++seq}`, agent);
        if (!ok && this.running) await sleep(PAUSE_AFTER_ERROR_MS);
      }
    } catch (err) {
      this.lastError = `client ${index} stopped: ${(err as Error).message}`; // a bug; the others go on
    } finally {
      agent.destroy();
    }
  }

  private async write(process: number, key: string, value: string, agent: http.Agent): Promise<boolean> {
    const invoke = this.record('invoke', 'write', process, key, value, null);
    const outcome = await postSql({ url: this.sqlUrl, query: `INSERT INTO ${this.table} (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`, params: [key, value], timeoutMs: this.timeoutMs, agent });
    const done = outcome.kind === 'ok' ? this.record('ok', 'write', process, key, value, outcome.commitLsn) : this.record(outcome.kind, 'write', process, key, value, null, outcome.error);
    return this.completed(invoke, done, outcome);
  }

  private async read(process: number, key: string, agent: http.Agent): Promise<boolean> {
    const invoke = this.record('invoke', 'read', process, key, null, null);
    const outcome = await postSql({ url: this.sqlUrl, query: `SELECT v FROM ${this.table} WHERE k = $1`, params: [key], timeoutMs: this.timeoutMs, agent });
    const done = outcome.kind === 'ok' ? this.record('ok', 'read', process, key, outcome.rows[0]?.[0] ?? null, null) : this.record(outcome.kind, 'read', process, key, null, null, outcome.error);
    return this.completed(invoke, done, outcome);
  }

  private completed(invoke: HistoryEvent, done: HistoryEvent, outcome: SqlOutcome): boolean {
    this.completions.push({ time: done.time, type: done.type, latency: done.time - invoke.time, op: done.op });
    if (outcome.kind === 'ok') this.ok++;
    else {
      if (outcome.kind === 'fail') this.fail++;
      else this.unknown++;
      this.lastError = outcome.error;
    }
    return outcome.kind === 'ok';
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe function. */
  onEvent(listener: (e: HistoryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The events so far. */
  history(): HistoryEvent[] {
    return [...this.events];
  }

  /** Stops the clients; operations in flight complete (bounded by the request timeout). */
  /**
   * Records what the given safekeepers have flushed of the workload's timeline, stamped with the
   * moment the reads begin: the checker holds every write acknowledged before it to a majority.
   * Most telling while the compute is down after a crash, before it writes again.
   */
  async recordDurability(safekeepers: SafekeeperClient[], timeoutMs?: number): Promise<DurabilitySnapshot> {
    const { tenant, timeline } = this.options.endpoint;
    const time = this.now();
    const snapshot: DurabilitySnapshot = { type: 'durability', time, tenant, timeline, safekeepers: await readFlushLsns(safekeepers, tenant, timeline, timeoutMs) };
    this.durability.push(snapshot);
    if (!this.finished) this.writer?.append(snapshot); // the file closes when the workload finishes
    return snapshot;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.durationTimer) clearTimeout(this.durationTimer);
    await this.done;
  }

  /**
   * Stops, reads every key's final value (retried through faults), appends `final` events. Throws
   * if a final value cannot be read by the deadline, unless `unreadable: 'report'`: then the result
   * says so in `finalReadError` and lacks those keys' `final` events (the history is still checkable).
   */
  async finish(options: { unreadable?: 'throw' | 'report' } = {}): Promise<WorkloadResult> {
    this.finished ??= (async () => {
      let finalReadError: string | null = null;
      try {
        await this.stop();
        await this.readFinalValues().catch((err: Error) => (finalReadError = err.message));
      } finally {
        this.writer?.close();
      }
      return { header: this.header, events: this.history(), stats: this.stats(), historyFile: this.options.historyFile ?? null, finalReadError, durability: this.durability };
    })();
    const result = await this.finished;
    if (result.finalReadError && options.unreadable !== 'report') {
      throw new NeonLocalError('http', result.finalReadError, { hint: 'is the endpoint running and serving? see `neon-local status`' });
    }
    return result;
  }

  private async readFinalValues(): Promise<void> {
    await readFinalValues({
      sqlUrl: this.sqlUrl, table: this.table, keys: Array.from({ length: this.options.keys }, (_, i) => `k${i}`),
      deadline: Date.now() + (this.options.setupTimeoutMs ?? 60_000), requestTimeoutMs: this.timeoutMs,
      onValue: (key, value) => void this.record('final', 'read', FINAL_PROCESS, key, value, null),
    });
  }

  stats(): WorkloadStats {
    const count = (op: OpKind) => {
      const of = this.completions.filter((c) => c.op === op);
      return { ok: of.filter((c) => c.type === 'ok').length, fail: of.filter((c) => c.type === 'fail').length, unknown: of.filter((c) => c.type === 'unknown').length };
    };
    const durationMs = this.completions.at(-1)?.time ?? 0;
    const runMs = durationMs - (this.setupMs ?? 0); // ops/s over the clients' time, not the setup's
    return {
      durationMs, setupMs: this.setupMs, seed: this.seed, ok: this.ok, fail: this.fail, unknown: this.unknown, writes: count('write'), reads: count('read'),
      opsPerSecond: runMs > 0 ? Math.round((this.ok / runMs) * 1000 * 10) / 10 : 0,
    };
  }

  /** Completions per time bucket (by completion time), with the latency of the ok ones. */
  series(bucketMs = 1000): SeriesPoint[] {
    const last = this.completions.at(-1)?.time ?? 0;
    const points: (SeriesPoint & { latencies: number[] })[] = [];
    for (let t = 0; t <= last; t += bucketMs) points.push({ t, ok: 0, fail: 0, unknown: 0, p50Ms: null, p99Ms: null, latencies: [] });
    for (const c of this.completions) {
      const p = points[Math.floor(c.time / bucketMs)];
      if (!p || c.type === 'final' || c.type === 'invoke') continue;
      p[c.type]++;
      if (c.type === 'ok') p.latencies.push(c.latency);
    }
    return points.map(({ latencies, ...p }) => ({ ...p, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) }));
  }
}

function validate(o: WorkloadOptions): void {
  const bad = (message: string): never => {
    throw new NeonLocalError('usage', `workload: ${message}`);
  };
  if (!Number.isInteger(o.clients) || o.clients < 1) bad(`clients must be a positive integer, got ${o.clients}`);
  if (!Number.isInteger(o.keys) || o.keys < 1) bad(`keys must be a positive integer, got ${o.keys}`);
  if (o.readFraction !== undefined && !(o.readFraction >= 0 && o.readFraction <= 1)) bad(`the read fraction must be between 0 and 1, got ${o.readFraction}`);
  if (o.table !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(o.table)) bad(`table must be a lower-case SQL name, got "${o.table}"`);
  if (o.durationMs !== undefined && !(o.durationMs >= 0)) bad(`duration must not be negative, got ${o.durationMs}`);
}

/** Sets up the table and starts the clients; resolves once the first operations can run. */
export async function startWorkload(options: WorkloadOptions): Promise<Workload> {
  const workload = new Workload(options);
  await workload.started;
  return workload;
}
