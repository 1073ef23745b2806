// One direction of a proxied connection: bytes read from `from`, written to `to`, under the rule
// of that direction. With a plain pass rule a chunk is written as it arrives (the fast path);
// otherwise chunks wait in a queue until their delivery time (latency, jitter, bandwidth), and a
// blackhole holds them, with reading paused so the sender's TCP window fills as in a partition.

import type net from 'node:net';
import { isPlainPass, type LinkRule } from './link-rule.ts';

/** Above this many queued bytes the pipe stops reading until the queue drains. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

interface Queued {
  chunk: Buffer;
  at: number;
}

export class Pipe {
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastDeliveryAt = 0;
  private bandwidthFreeAt = 0;
  private waitingForDrain = false;
  private ended = false;
  /** The rule as of the last refresh, and whether it is a plain pass. */
  private current: LinkRule;
  private plain: boolean;
  /** Bytes that went through, for `fault list` and reports. */
  bytes = 0;

  constructor(
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    /** Read now and on each refresh: the proxy refreshes every pipe when the rules change. */
    private readonly rule: () => LinkRule,
    private readonly random: () => number,
  ) {
    this.current = rule();
    this.plain = isPlainPass(this.current);
    from.on('data', this.onData);
    // A half-close travels on once everything before it has been delivered.
    from.on('end', () => {
      this.ended = true;
      this.finishIfDone();
    });
    to.on('drain', () => {
      this.waitingForDrain = false;
      this.refresh();
    });
  }

  // The fast path: the rule is cached (it changes only through refresh), so a chunk costs a write.
  private readonly onData = (chunk: Buffer): void => {
    if (this.plain && this.queue.length === 0) this.deliver(chunk);
    else this.enqueue(chunk);
  };

  private enqueue(chunk: Buffer): void {
    const rule = this.current;
    const now = Date.now();
    let at = now + rule.latencyMs + (rule.jitterMs ? (this.random() * 2 - 1) * rule.jitterMs : 0);
    at = Math.max(at, this.lastDeliveryAt); // TCP keeps order, whatever the jitter
    if (rule.bandwidthBps) {
      // The chunk arrives once the link has had time to carry it after the previous one.
      at = Math.max(at, this.bandwidthFreeAt) + (chunk.length / rule.bandwidthBps) * 1000;
      this.bandwidthFreeAt = at;
    }
    this.lastDeliveryAt = at;
    this.queue.push({ chunk, at });
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > MAX_QUEUED_BYTES || rule.mode === 'blackhole') this.from.pause();
    this.schedule();
  }

  private deliver(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (!this.to.write(chunk)) {
      this.waitingForDrain = true;
      this.from.pause();
    }
  }

  /** Re-evaluates the rule (it changed, or the destination drained): delivers what is due. */
  refresh(): void {
    const rule = (this.current = this.rule());
    this.plain = isPlainPass(rule);
    if (this.to.destroyed) return;
    if (rule.mode === 'blackhole') {
      this.from.pause();
      return;
    }
    const now = Date.now();
    while (this.queue.length && !this.waitingForDrain) {
      const head = this.queue[0]!;
      // A healed or loosened link delivers held chunks now rather than at their old time.
      if (head.at > now && !isPlainPass(rule)) break;
      this.queue.shift();
      this.queuedBytes -= head.chunk.length;
      this.deliver(head.chunk);
    }
    if (!this.waitingForDrain && this.queuedBytes <= MAX_QUEUED_BYTES) this.from.resume();
    this.schedule();
    this.finishIfDone();
  }

  private finishIfDone(): void {
    if (this.ended && this.queue.length === 0 && !this.to.destroyed) this.to.end();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    if (this.current.mode === 'blackhole') return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh();
    }, Math.max(0, this.queue[0]!.at - Date.now()));
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.queuedBytes = 0;
  }
}
