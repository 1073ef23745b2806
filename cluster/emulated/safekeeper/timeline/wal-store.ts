// A timeline's WAL on a safekeeper: 16 MiB segment files named like Postgres's
// (<timeline 1><log><segment>, 24 hex digits), full size from creation, written at their LSN's
// offset. Appends are plain writes; durability comes from flush() (fdatasync), which the acceptor
// asks for before it acknowledges anything. On open, the end of valid WAL is found by decoding the
// last segment from a record boundary (a segment start, or where this safekeeper's WAL begins).

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { SEGMENT_SIZE } from '../../../wal/format.ts';
import { findEndOfWal, WalReader } from '../../../wal/reader.ts';
import type { Lsn } from '../../../wal/lsn.ts';
import { syncDir } from '../../../util/atomic-write.ts';
import { failpoint, failpointsActive } from '../../common/failpoints.ts';

const SEGMENT_NAME = /^[0-9A-F]{24}$/;

export function segmentName(segno: number): string {
  const perLog = 2 ** 32 / SEGMENT_SIZE;
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  return `${hex(1)}${hex(Math.floor(segno / perLog))}${hex(segno % perLog)}`;
}

function segnoOf(name: string): number {
  return parseInt(name.slice(8, 16), 16) * (2 ** 32 / SEGMENT_SIZE) + parseInt(name.slice(16, 24), 16);
}

function writeFully(fd: number, data: Buffer, from: number, length: number, position: number): void {
  let written = 0;
  while (written < length) written += fs.writeSync(fd, data, from + written, length - written, position + written);
}

export interface WalStoreOptions {
  /**
   * Bug switch sk-ack-before-write: appends stay in memory this long before they are written and
   * flushed, while flush() reports them durable at once. 0 (always, outside harness tests) is correct.
   */
  deferWritesMs?: number;
}

interface Deferred {
  lsn: Lsn;
  data: Buffer;
  at: number;
}

/** The pieces of [lsn, lsn + length) per segment: `done` bytes come before each piece of `n`. */
function* segmentSpans(lsn: Lsn, length: number): Generator<{ segno: number; offset: number; done: number; n: number }> {
  for (let done = 0; done < length; ) {
    const segno = Math.floor((lsn + done) / SEGMENT_SIZE);
    const offset = lsn + done - segno * SEGMENT_SIZE;
    const n = Math.min(length - done, SEGMENT_SIZE - offset);
    yield { segno, offset, done, n };
    done += n;
  }
}

export class WalStore {
  private readonly handles = new Map<number, fsp.FileHandle>();
  private deferred: Deferred[] = [];
  private deferTimer: NodeJS.Timeout | null = null;
  private readonly inFlight: Deferred[] = [];
  private writingDeferred: Promise<void> = Promise.resolve();
  private readonly dirty = new Set<number>();
  /** Follows record boundaries in what is written, so flushes report whole records only. */
  private boundaries: WalReader;

  private constructor(
    readonly dir: string,
    /** End of the bytes written (may end inside a record). */
    private end: Lsn,
    private readonly deferWritesMs: number,
  ) {
    this.boundaries = new WalReader(end, 0, true);
  }

  /** Opens the WAL in `dir`; `boundary` is a record boundary at or below the end (local start LSN). */
  static async open(dir: string, boundary: Lsn, options: WalStoreOptions = {}): Promise<WalStore> {
    const defer = options.deferWritesMs ?? 0;
    const segnos = (await fsp.readdir(dir)).filter((n) => SEGMENT_NAME.test(n)).map(segnoOf).sort((a, b) => a - b);
    const last = segnos[segnos.length - 1];
    if (last === undefined || (last + 1) * SEGMENT_SIZE <= boundary) return new WalStore(dir, boundary, defer);
    const segmentStart = last * SEGMENT_SIZE;
    const from = Math.max(segmentStart, boundary);
    const bytes = await fsp.readFile(path.join(dir, segmentName(last)));
    const end = findEndOfWal(bytes.subarray(from - segmentStart), from);
    return new WalStore(dir, end, defer);
  }

  get endLsn(): Lsn {
    return this.end;
  }

  /** End of the last complete record written. */
  get recordEndLsn(): Lsn {
    return this.boundaries.position;
  }

  /** An open segment; only writes create one. */
  private async handle(segno: number, create: boolean): Promise<fsp.FileHandle> {
    let h = this.handles.get(segno);
    if (!h) {
      // Neon's point before a new segment is created (zero-filled): a `return` fails the write.
      if (create && failpointsActive() && !fs.existsSync(path.join(this.dir, segmentName(segno)))) await failpoint('sk-zero-segment');
      const flags = fs.constants.O_RDWR | (create ? fs.constants.O_CREAT : 0);
      h = await fsp.open(path.join(this.dir, segmentName(segno)), flags, 0o644);
      // Segments have their full size from the start (zeros, sparse), as Postgres and Neon keep
      // them: appends then never change the file size, so fdatasync need not journal it.
      if (create && (await h.stat()).size < SEGMENT_SIZE) await h.truncate(SEGMENT_SIZE);
      this.handles.set(segno, h);
    }
    return h;
  }

  /** Writes `data` at `lsn` (the acceptor guarantees it continues the WAL). */
  async write(lsn: Lsn, data: Buffer): Promise<void> {
    if (this.deferWritesMs > 0) {
      // Each append waits its full delay: at any moment the last deferWritesMs of WAL is in memory only.
      this.deferred.push({ lsn, data: Buffer.from(data), at: Date.now() });
      this.deferTimer ??= setInterval(() => void this.writeDeferred(Date.now() - this.deferWritesMs), Math.min(100, this.deferWritesMs));
    } else {
      await this.writeNow(lsn, data);
    }
    this.end = lsn + data.length;
    this.boundaries.feed(data);
  }

  private async writeNow(lsn: Lsn, data: Buffer): Promise<void> {
    for (const { segno, offset, done, n } of segmentSpans(lsn, data.length)) {
      const h = await this.handle(segno, true);
      // Synchronous on purpose: a safekeeper has nothing else to do meanwhile, and skipping the
      // thread pool hop takes a large share off commit latency. Appends that arrive during the
      // write are batched into the next flush (group commit).
      writeFully(h.fd, data, done, n, offset);
      this.dirty.add(segno);
    }
  }

  /** Writes and flushes what the bug switch held back since before `olderThan` (default: all), in
   * order; callers await it before truncating or closing. */
  private writeDeferred(olderThan = Infinity): Promise<void> {
    let n = 0;
    while (n < this.deferred.length && this.deferred[n]!.at <= olderThan) n++;
    const batch = this.deferred.splice(0, n);
    if (this.deferred.length === 0 && this.deferTimer) {
      clearInterval(this.deferTimer);
      this.deferTimer = null;
    }
    if (batch.length === 0) return this.writingDeferred;
    this.inFlight.push(...batch); // still served from memory until written
    this.writingDeferred = this.writingDeferred.then(async () => {
      for (const d of batch) await this.writeNow(d.lsn, d.data);
      this.inFlight.splice(0, batch.length);
      await this.syncDirty();
    });
    return this.writingDeferred;
  }

  /** Makes everything written durable; returns the end of the last complete record in it. */
  async flush(): Promise<Lsn> {
    const recordEnd = this.recordEndLsn;
    if (this.deferWritesMs === 0) await this.syncDirty();
    return recordEnd; // with the bug switch, "durable" before it is even written
  }

  private async syncDirty(): Promise<void> {
    const created = [...this.dirty].some((s) => !this.synced.has(s));
    for (const s of this.dirty) fs.fdatasyncSync(this.handles.get(s)!.fd);
    for (const s of this.dirty) this.synced.add(s);
    this.dirty.clear();
    if (created) await syncDir(this.dir); // a new segment file's directory entry must be durable too
  }

  private readonly synced = new Set<number>();

  /** Cuts the WAL at `lsn`: the rest of its segment and all later segments go. Durable on return. */
  async truncate(lsn: Lsn): Promise<void> {
    await this.writeDeferred();
    const segno = Math.floor(lsn / SEGMENT_SIZE);
    for (const name of await fsp.readdir(this.dir)) {
      if (!SEGMENT_NAME.test(name) || segnoOf(name) <= segno) continue;
      await this.handles.get(segnoOf(name))?.close();
      this.handles.delete(segnoOf(name));
      this.dirty.delete(segnoOf(name));
      await fsp.rm(path.join(this.dir, name));
    }
    if (fs.existsSync(path.join(this.dir, segmentName(segno)))) {
      const h = await this.handle(segno, false);
      await h.truncate(lsn - segno * SEGMENT_SIZE); // drop the tail, then zeros back to full size
      await h.truncate(SEGMENT_SIZE);
      await h.datasync();
    }
    await syncDir(this.dir);
    this.end = lsn;
    this.boundaries = new WalReader(lsn, 0, true);
  }

  /** WAL bytes [from, to); the caller only asks for what it knows is there. */
  async read(from: Lsn, to: Lsn): Promise<Buffer> {
    const out = Buffer.alloc(to - from);
    for (const { segno, offset, done, n } of segmentSpans(from, out.length)) {
      // A segment only the bug switch's held-back WAL has reached: overlaid below.
      if (this.deferWritesMs > 0 && !this.handles.has(segno) && !fs.existsSync(path.join(this.dir, segmentName(segno)))) continue;
      const h = await this.handle(segno, false);
      const { bytesRead } = await h.read(out, done, n, offset);
      if (bytesRead < n) throw new Error(`WAL segment ${segmentName(segno)} is shorter than expected at offset ${offset + bytesRead}`);
    }
    // Held back by the bug switch: not in the files yet, but served as if it were.
    for (const d of [...this.inFlight, ...this.deferred]) {
      const start = Math.max(from, d.lsn);
      const end = Math.min(to, d.lsn + d.data.length);
      if (start < end) d.data.copy(out, start - from, start - d.lsn, end - d.lsn);
    }
    return out;
  }

  /** Removes segments that lie entirely below `lsn` (already on the pageservers and backed up). */
  async removeBelow(lsn: Lsn): Promise<number> {
    let removed = 0;
    for (const name of await fsp.readdir(this.dir)) {
      const segno = SEGMENT_NAME.test(name) ? segnoOf(name) : -1;
      if (segno < 0 || (segno + 1) * SEGMENT_SIZE > lsn) continue;
      await this.handles.get(segno)?.close();
      this.handles.delete(segno);
      await fsp.rm(path.join(this.dir, name));
      removed++;
    }
    return removed;
  }

  async close(): Promise<void> {
    await this.writeDeferred();
    await Promise.all([...this.handles.values()].map((h) => h.close()));
    this.handles.clear();
  }
}
