// The history file: written line by line (a crash leaves a readable prefix), read back with
// validation that names the file and line of anything that is not ours.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { HISTORY_FORMAT, HistoryWriter, parseHistory, readHistory, type HistoryEvent, type HistoryHeader } from '../../cluster/workload/history.ts';
import type { DurabilitySnapshot } from '../../cluster/workload/durability.ts';
import { Prng } from '../../cluster/util/prng.ts';
import { percentile } from '../../cluster/workload/stats.ts';
import { isNeonLocalError } from '../../cluster/util/errors.ts';

const header: HistoryHeader = {
  type: 'header', format: HISTORY_FORMAT, startedAt: new Date(0).toISOString(), endpoint: 'ep-main',
  tenant: 'a'.repeat(32), timeline: 'b'.repeat(32), table: 'workload_kv', keys: 4, clients: 2,
};
const ids = { endpoint: 'ep-main', tenant: 'a'.repeat(32), timeline: 'b'.repeat(32) };
const invoke: HistoryEvent = { type: 'invoke', op: 'write', process: 0, time: 1.5, key: 'k1', value: '0-1', lsn: null, ...ids };
const ok: HistoryEvent = { ...invoke, type: 'ok', time: 3.25, lsn: '0/1000128' };
const durable: DurabilitySnapshot = { type: 'durability', time: 4, tenant: ids.tenant, timeline: ids.timeline, safekeepers: { sk1: '0/1000128', sk2: null } };

function tempFile(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'history-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'history.jsonl');
}

/** The error message reading `text` fails with. */
function refusal(text: string): string {
  try {
    parseHistory(text, 'h.jsonl');
  } catch (err) {
    if (!isNeonLocalError(err)) throw err;
    return err.message;
  }
  throw new Error(`accepted: ${text}`);
}

t.test('written as it happens, read back whole', async (t) => {
  const file = tempFile(t);
  const writer = new HistoryWriter(file, header);
  writer.append(invoke);
  t.equal(fs.readFileSync(file, 'utf8').split('\n').length, 3, 'each line is on disk at once');
  t.same(readHistory(file), { header, events: [invoke], durability: [] }, 'a prefix (an open invoke) is readable');
  writer.append(ok);
  writer.append(durable);
  writer.close();
  t.same(readHistory(file), { header, events: [invoke, ok], durability: [durable] }, 'durability snapshots apart from the events');

  fs.appendFileSync(file, '{"type":"ok","op":"wr');
  t.same(readHistory(file).events, [invoke, ok], 'a last line cut short by a crash is dropped');
});

t.test('anything that is not a history is refused with file and line', async (t) => {
  const h = JSON.stringify(header);
  t.match(refusal(''), /^h\.jsonl:1: empty file/);
  t.match(refusal('hello world\n'), /^h\.jsonl:1: not a JSON line/);
  t.match(refusal('{"some":"json"}\n'), /^h\.jsonl:1: expected a header line/);
  t.match(refusal(JSON.stringify({ ...header, format: 'jepsen/edn' }) + '\n'), /^h\.jsonl:1: unknown history format "jepsen\/edn"/);
  t.match(refusal(`${h}\n${JSON.stringify(invoke)}\nnot json\n${JSON.stringify(ok)}\n`), /^h\.jsonl:3: not a JSON line/);
  t.match(refusal(`${h}\n${JSON.stringify({ ...invoke, type: 'begin' })}\n`), /^h\.jsonl:2: unknown event type "begin"/);
  t.match(refusal(`${h}\n${JSON.stringify({ ...invoke, time: 'soon' })}\n`), /^h\.jsonl:2: time must be a number/);
  t.match(refusal(`${h}\n${JSON.stringify(invoke)}\n${JSON.stringify({ ...ok, lsn: '12' })}\n`), /^h\.jsonl:3: "12" is not an LSN/);
  t.match(refusal(`${h}\n${JSON.stringify(ok)}\n`), /^h\.jsonl:2: ok of process 0 without an invoke/);
  t.match(refusal(`${h}\n${JSON.stringify(invoke)}\n${JSON.stringify(invoke)}\n`), /^h\.jsonl:3: process 0 invokes a write while its previous operation is still open/);
  t.match(refusal(`${h}\n${JSON.stringify(invoke)}\n${JSON.stringify({ ...ok, key: 'k2' })}\n`), /^h\.jsonl:3: ok write of k2 does not complete process 0's write of k1/);
  t.match(refusal(`${h}\n${h}\n`), /^h\.jsonl:2: a second header/);
  t.match(refusal(`${h}\n${JSON.stringify({ ...durable, safekeepers: {} })}\n`), /^h\.jsonl:2: durability: safekeepers must be an object/);
  t.match(refusal(`${h}\n${JSON.stringify({ ...durable, safekeepers: { sk1: 12 } })}\n`), /^h\.jsonl:2: durability: the flush LSN of sk1 must be "X\/Y" or null/);
  t.match(refusal(`${h}\n${JSON.stringify({ ...durable, safekeepers: { sk1: 'x' } })}\n`), /^h\.jsonl:2: durability: sk1: "x" is not an LSN/);
  t.match(refusal(`${h}\n${JSON.stringify({ ...durable, time: null })}\n`), /^h\.jsonl:2: durability: time must be a number/);

  try {
    readHistory('/nonexistent/history.jsonl');
    t.fail('read a missing file');
  } catch (err) {
    t.match(err, { code: 'usage', message: /cannot read history \/nonexistent\/history\.jsonl/ });
  }
});

t.test('seeded choices repeat; percentiles by nearest rank', async (t) => {
  const draw = (seed: number, stream: number) => {
    const prng = Prng.stream(seed, stream);
    return Array.from({ length: 5 }, () => prng.next());
  };
  t.same(draw(7, 0), draw(7, 0), 'same seed and client: same choices');
  t.not(JSON.stringify(draw(7, 0)), JSON.stringify(draw(7, 1)), 'each client its own stream');
  t.ok(draw(7, 3).every((x) => x >= 0 && x < 1));
  t.equal(percentile([], 0.5), null);
  t.equal(percentile([5, 1, 3, 2, 4], 0.5), 3);
  t.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 0.99), 99);
});
