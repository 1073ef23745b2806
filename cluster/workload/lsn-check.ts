// The stronger, LSN-aware check against a running cluster: for every acknowledged write, read its
// key from the pageserver's page service as of the write's commit LSN. The record ending at that
// LSN is that write, so the value there must be exactly the one it wrote — a wrong LSN, a lost
// record or a pageserver that mis-ingested WAL all show up. Keys are encoded as the compute does,
// with the table's definition read from the catalog at the same LSN.
// LSNs below the timeline's GC cutoff can no longer be read; they are counted as skipped.

import { PageserverClient } from '../clients/pageserver.ts';
import { Table, type TableDef } from '../emulated/compute/data/catalog.ts';
import { catalogKey } from '../emulated/compute/data/keys.ts';
import { exactly, PageClient, PageServiceError } from '../emulated/compute/storage/page-client.ts';
import { NeonLocalError } from '../util/errors.ts';
import { formatLsn, parseLsn, type Lsn } from '../wal/lsn.ts';
import { operations, type Op, type Violation } from './checker.ts';
import type { HistoryEvent } from './history.ts';

export interface LsnCheckOptions {
  /** The pageserver's page service (its pg port). */
  pageserver: { host: string; port: number };
  /** Its HTTP API, to learn the GC cutoff up front (reads below it are skipped either way). */
  pageserverHttpUrl?: string;
  table: string;
  timeoutMs?: number;
  concurrency?: number;
  /** How long to wait for the pageserver to ingest up to the newest acknowledged write (default 10 s). */
  catchUpMs?: number;
}

export interface LsnCheckResult {
  ok: boolean;
  /** Acknowledged writes read back at their LSN. */
  checked: number;
  /** Acknowledged writes whose LSN is below the GC cutoff. */
  skipped: number;
  violations: Violation[];
}

export async function lsnCheck(events: HistoryEvent[], options: LsnCheckOptions): Promise<LsnCheckResult> {
  const acked = operations(events).filter((o) => o.op === 'write' && o.status === 'ok' && o.lsn !== null);
  const byTimeline = new Map<string, Op[]>();
  for (const w of acked) {
    const e = w.events[0]!;
    const id = `${e.tenant}/${e.timeline}`;
    byTimeline.set(id, [...(byTimeline.get(id) ?? []), w]);
  }
  const result: LsnCheckResult = { ok: true, checked: 0, skipped: 0, violations: [] };
  for (const [id, writes] of byTimeline) {
    const [tenantId, timelineId] = id.split('/') as [string, string];
    await checkTimeline(tenantId, timelineId, writes, options, result);
  }
  result.ok = result.violations.length === 0;
  return result;
}

async function checkTimeline(tenantId: string, timelineId: string, writes: Op[], options: LsnCheckOptions, result: LsnCheckResult): Promise<void> {
  let cutoff: Lsn = 0;
  /** Where the pageserver's timeline ends, once it stopped advancing towards the newest write. */
  let end: Lsn = Infinity;
  if (options.pageserverHttpUrl) {
    const ps = new PageserverClient(options.pageserverHttpUrl, 0);
    const newest = Math.max(...writes.map((w) => w.lsn!));
    const deadline = Date.now() + (options.catchUpMs ?? 10_000);
    for (;;) {
      const info = await ps.timeline(tenantId, timelineId);
      cutoff = parseLsn(info.applied_gc_cutoff_lsn);
      end = parseLsn(info.last_record_lsn);
      if (end >= newest || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const pages = new PageClient(options.pageserver, { tenantId, timelineId }, options.timeoutMs ?? 30_000);
  const tables = new Map<string, Table>(); // by definition text: the table as of an LSN
  const tableAt = async (lsn: Lsn): Promise<Table | null> => {
    const def = await pages.get(catalogKey(options.table), exactly(lsn));
    if (!def) return null;
    const text = def.toString('utf8');
    let table = tables.get(text);
    if (!table) tables.set(text, (table = new Table(JSON.parse(text) as TableDef)));
    return table;
  };
  const checkOne = async (w: Op): Promise<void> => {
    const lsn = w.lsn!;
    if (lsn < cutoff) {
      result.skipped++;
      return;
    }
    if (lsn > end) {
      // Acknowledged WAL the pageserver never got: it was lost, or lies on WAL the safekeepers replaced.
      result.checked++;
      result.violations.push(violation(w, `the pageserver's timeline ends at ${formatLsn(end)}, before this acknowledged write's commit LSN ${formatLsn(lsn)}`));
      return;
    }
    let found: string | null;
    try {
      const table = await tableAt(lsn);
      if (!table) {
        result.checked++;
        result.violations.push(violation(w, `table ${options.table} does not exist at LSN ${formatLsn(lsn)}`));
        return;
      }
      const row = await pages.get(table.key(w.key), exactly(lsn));
      const v = row ? table.decode(row)[table.column('v')] : null;
      found = v === null || v === undefined ? null : String(v);
    } catch (err) {
      if (err instanceof PageServiceError && err.code === 'lsn-out-of-range') {
        result.skipped++; // collected meanwhile
        return;
      }
      if (err instanceof PageServiceError && err.code === 'lsn-timeout') {
        result.checked++;
        result.violations.push(violation(w, `the pageserver cannot serve its commit LSN ${formatLsn(lsn)}: ${err.message}`));
        return;
      }
      throw new NeonLocalError('http', `LSN check: cannot read ${w.key} at ${formatLsn(lsn)} from pageserver ${options.pageserver.host}:${options.pageserver.port}: ${(err as Error).message}`, {
        hint: 'is the pageserver running? see `neon-local status`',
      });
    }
    result.checked++;
    if (found !== w.value) result.violations.push(violation(w, `at its commit LSN ${formatLsn(lsn)} the pageserver has ${JSON.stringify(found)}, not the value written, ${JSON.stringify(w.value)}`));
  };
  try {
    const queue = [...writes];
    const worker = async () => {
      for (let w = queue.shift(); w; w = queue.shift()) await checkOne(w);
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 32 }, worker));
  } finally {
    pages.close();
  }
}

function violation(w: Op, message: string): Violation {
  return { kind: 'LSN read', key: w.key, message: `key ${w.key}: ${message}`, ops: w.events };
}
