// The compute's walproposer: the Proposer core wired to real connections. It keeps connecting to
// every safekeeper, runs the core's effects (sends, in order per connection), supplies the WAL
// for each AppendRequest (own buffer, or fetched from the donor for WAL older than our term), and
// restarts with a fresh core whenever the core says the term is lost.

import { Proposer, type ProposerEffect } from '../core/proposer.ts';
import type { TermHistory } from '../../../protocol/term-history.ts';
import type { AcceptorMessage } from '../../../protocol/wal-service.ts';
import { SEGMENT_SIZE } from '../../../wal/format.ts';
import { formatLsn, type Lsn } from '../../../wal/lsn.ts';
import { log } from '../../common/logger.ts';
import { SafekeeperConnection, type SafekeeperAddress } from './safekeeper-connection.ts';
import { WalBuffer } from './wal-buffer.ts';
import { fetchWal } from './wal-fetch.ts';

export interface WalProposerOptions {
  tenantId: string;
  timelineId: string;
  /** PG_VERSION_NUM, e.g. 170004. */
  pgVersion: number;
  safekeepers: SafekeeperAddress[];
  generationsEnabled: boolean;
  reconnectMs?: number;
  connectTimeoutMs?: number;
  /** A safekeeper that leaves an append unanswered this long is disconnected. */
  ackTimeoutMs?: number;
  maxSendBytes?: number;
  /** Above this, WAL that only offline safekeepers still lack is dropped (they fetch it from peers). */
  maxBufferBytes?: number;
  /** Bug switch (cluster/bugs.ts): acknowledge after one safekeeper's flush. */
  ackSingleFlush?: boolean;
}

export interface ElectedInfo {
  term: number;
  startLsn: Lsn;
  termHistory: TermHistory;
}

export interface WalProposerEvents {
  elected(info: ElectedInfo): void;
  committed(lsn: Lsn): void;
  /** The term is lost (or was never won): outstanding commits have an unknown outcome. */
  restarting(reason: string): void;
}

interface Slot {
  conn: SafekeeperConnection | null;
  connecting: boolean;
  retry: NodeJS.Timeout | null;
}

export class WalProposer {
  private core!: Proposer;
  private buffer = new WalBuffer(0);
  private readonly slots: Slot[];
  private stopped = false;
  private generation = 0;
  private watchdog: NodeJS.Timeout;
  private readonly opts: Required<WalProposerOptions>;

  constructor(options: WalProposerOptions, private readonly events: WalProposerEvents) {
    this.opts = { reconnectMs: 1000, connectTimeoutMs: 10_000, ackTimeoutMs: 10_000, maxSendBytes: 1024 * 1024, maxBufferBytes: 256 * 1024 * 1024, ackSingleFlush: false, ...options };
    this.slots = options.safekeepers.map(() => ({ conn: null, connecting: false, retry: null }));
    this.watchdog = setInterval(() => this.checkAcks(), 1000);
    this.watchdog.unref();
    this.reset();
  }

  private reset(): void {
    this.generation++;
    this.core = new Proposer({
      tenantId: this.opts.tenantId,
      timelineId: this.opts.timelineId,
      pgVersion: this.opts.pgVersion,
      systemId: 0,
      walSegSize: SEGMENT_SIZE,
      safekeeperCount: this.opts.safekeepers.length,
      generationsEnabled: this.opts.generationsEnabled,
      maxSendBytes: this.opts.maxSendBytes,
      ...(this.opts.ackSingleFlush ? { ackSingleFlush: true } : {}),
    });
    this.buffer = new WalBuffer(0);
  }

  start(): void {
    this.slots.forEach((_, i) => this.connect(i));
  }

  get phase(): string {
    return this.core.phase;
  }

  get commitLsn(): Lsn {
    return this.core.commitLsn;
  }

  get term(): number {
    return this.core.term;
  }

  /** Adds generated WAL (it must continue what was appended before, from the term start). */
  appendWal(startLsn: Lsn, bytes: Buffer): void {
    if (this.core.phase !== 'elected') throw new Error('the walproposer is not elected');
    this.buffer.append(startLsn, bytes);
    this.run(this.core.walAvailable(this.buffer.end));
  }

  private connect(i: number): void {
    const slot = this.slots[i]!;
    if (this.stopped || slot.conn || slot.connecting) return;
    slot.connecting = true;
    const generation = this.generation;
    const address = this.opts.safekeepers[i]!;
    SafekeeperConnection.open(address, this.opts, {
      message: (msg) => this.onMessage(i, generation, msg),
      closed: (reason) => this.onClosed(i, generation, reason),
    }, this.opts.connectTimeoutMs).then(
      (conn) => {
        slot.connecting = false;
        if (this.stopped || generation !== this.generation) return conn.close('walproposer restarted');
        slot.conn = conn;
        this.run(this.core.connected(i));
      },
      (err: Error) => {
        slot.connecting = false;
        log.debug(`cannot connect to safekeeper ${address.host}:${address.port}`, { error: err.message });
        this.scheduleReconnect(i);
      },
    );
  }

  private scheduleReconnect(i: number): void {
    const slot = this.slots[i]!;
    if (this.stopped || slot.retry) return;
    slot.retry = setTimeout(() => {
      slot.retry = null;
      this.connect(i);
    }, this.opts.reconnectMs);
  }

  private onMessage(i: number, generation: number, msg: AcceptorMessage): void {
    if (generation !== this.generation) return;
    this.run(this.core.received(i, msg));
  }

  private onClosed(i: number, generation: number, reason: string): void {
    if (generation !== this.generation) return;
    const a = this.opts.safekeepers[i]!;
    log.info(`safekeeper ${a.host}:${a.port} disconnected: ${reason}`);
    this.slots[i]!.conn = null;
    this.run(this.core.disconnected(i));
    this.scheduleReconnect(i);
  }

  private run(effects: ProposerEffect[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'send':
          this.slots[e.sk]!.conn?.send(() => e.message);
          break;
        case 'append':
          this.slots[e.sk]!.conn?.send(async () => ({
            tag: 'a', generation: e.generation, term: e.term, beginLsn: e.beginLsn, endLsn: e.endLsn,
            commitLsn: e.commitLsn, truncateLsn: e.truncateLsn, walData: await this.walRange(e.beginLsn, e.endLsn),
          }));
          break;
        case 'elected':
          this.buffer = new WalBuffer(e.startLsn);
          log.info(`elected in term ${e.term}, WAL starts at ${formatLsn(e.startLsn)}`, { donor: this.address(e.donor) });
          this.events.elected({ term: e.term, startLsn: e.startLsn, termHistory: e.termHistory });
          break;
        case 'commit':
          this.trimBuffer();
          this.events.committed(e.lsn);
          break;
        case 'restart':
          return this.restart(e.reason);
      }
    }
  }

  private address(i: number): string {
    const a = this.opts.safekeepers[i]!;
    return `${a.host}:${a.port}`;
  }

  /** WAL for an AppendRequest: our buffer, else a safekeeper that has it in our term. */
  private async walRange(from: Lsn, to: Lsn): Promise<Buffer> {
    if (from === to) return Buffer.alloc(0);
    const local = this.buffer.read(from, to);
    if (local) return local;
    const core = this.core;
    const candidates = [core.donor, ...core.sks.map((_, i) => i)].filter((i) => i >= 0 && (to <= core.termStartLsn ? i === core.donor : core.sks[i]!.ackedFlushLsn >= to));
    for (const i of new Set(candidates)) {
      try {
        return await fetchWal(this.opts.safekeepers[i]!, this.opts, core.term, from, to);
      } catch (err) {
        log.warn(`cannot fetch WAL ${formatLsn(from)}-${formatLsn(to)} from ${this.address(i)}`, { error: (err as Error).message });
      }
    }
    throw new Error(`no safekeeper can provide WAL ${formatLsn(from)}-${formatLsn(to)}`);
  }

  /** Drops WAL every safekeeper has flushed; when the buffer is too big, what connected ones have. */
  private trimBuffer(): void {
    const flushed = (connectedOnly: boolean) => Math.min(...this.core.sks.filter((_, i) => !connectedOnly || this.slots[i]!.conn).map((v) => v.ackedFlushLsn));
    let below = Math.min(flushed(false), this.core.commitLsn);
    if (this.buffer.size > this.opts.maxBufferBytes) below = Math.min(flushed(true), this.core.commitLsn);
    if (Number.isFinite(below)) this.buffer.trimBelow(below);
  }

  private checkAcks(): void {
    const now = Date.now();
    this.slots.forEach((slot, i) => {
      const since = slot.conn?.oldestUnackedAt;
      if (since !== null && since !== undefined && now - since > this.opts.ackTimeoutMs) {
        slot.conn!.close(`no answer for ${Math.round((now - since) / 1000)} s`);
      }
    });
  }

  private restart(reason: string): void {
    log.warn(`walproposer restarting: ${reason}`);
    for (const slot of this.slots) {
      slot.conn?.close('walproposer restarting');
      slot.conn = null;
    }
    this.reset();
    this.events.restarting(reason);
    if (!this.stopped) this.slots.forEach((_, i) => this.scheduleReconnect(i));
  }

  status(): { phase: string; term: number; termStartLsn: Lsn; commitLsn: Lsn; safekeepers: { address: string; state: string; flushLsn: string }[] } {
    return {
      phase: this.core.phase,
      term: this.core.term,
      termStartLsn: this.core.termStartLsn,
      commitLsn: this.core.commitLsn,
      safekeepers: this.core.sks.map((v, i) => ({ address: this.address(i), state: v.state, flushLsn: formatLsn(v.ackedFlushLsn) })),
    };
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.watchdog);
    for (const slot of this.slots) {
      if (slot.retry) clearTimeout(slot.retry);
      slot.conn?.close('compute stopping');
      slot.conn = null;
    }
  }
}
