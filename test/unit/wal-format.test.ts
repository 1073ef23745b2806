// The WAL format: records round-trip, never cross a segment, padding and gaps keep the stream
// contiguous, and the end of valid WAL is found after torn writes and stale bytes.

import zlib from 'node:zlib';
import t from 'tap';
import { checkRecord, HEADER_SIZE, INITDB_LSN, MAX_PAYLOAD, recordStartAt, SEGMENT_SIZE } from '../../cluster/wal/format.ts';
import { formatLsn, parseLsn } from '../../cluster/wal/lsn.ts';
import { findEndOfWal, WalReader } from '../../cluster/wal/reader.ts';
import { WalWriter } from '../../cluster/wal/writer.ts';

const put = (k: string, v: string | null) => ({ key: Buffer.from(k), value: v === null ? null : Buffer.from(v) });

t.test('LSNs print and parse as X/Y', async (t) => {
  t.equal(formatLsn(0x16b3748), '0/16B3748');
  t.equal(formatLsn(2 ** 32 + 5), '1/5');
  t.equal(parseLsn('0/16B3748'), 0x16b3748);
  t.equal(parseLsn('1/5'), 2 ** 32 + 5);
  t.throws(() => parseLsn('16B3748'), /not an LSN; LSNs look like 0\/16B3748/);
  t.throws(() => parseLsn('FFFFFFFF/0'), /beyond what neon-local supports/);
});

t.test('records round-trip through writer and reader, split anywhere', async (t) => {
  const writer = new WalWriter(INITDB_LSN, 0);
  const txs = [[put('a', '1'), put('b', null)], [put('c', 'x'.repeat(1000))], [], [put('d', '')]];
  const stream: Buffer[] = [];
  const ends: number[] = [];
  txs.forEach((m, i) => {
    const a = writer.appendTransaction(i + 1, m);
    stream.push(a.bytes);
    ends.push(a.endLsn);
    t.equal(a.endLsn % 8, 0, 'records end 8-aligned');
  });
  const all = Buffer.concat(stream);
  for (const cut of [1, 7, 24, 100, all.length - 1]) {
    const reader = new WalReader(INITDB_LSN);
    const records = [...reader.feed(all.subarray(0, cut)), ...reader.feed(all.subarray(cut))];
    t.same(records.map((r) => r.endLsn), ends, `split at ${cut}`);
    t.same(records.map((r) => r.mutations), txs);
    t.same(records.map((r) => r.xid), [1, 2, 3, 4]);
  }
  t.equal(findEndOfWal(all, INITDB_LSN), ends[3]);
  t.equal(findEndOfWal(all.subarray(0, all.length - 3), INITDB_LSN), ends[2], 'a torn last record is not part of the WAL');
  const corrupt = Buffer.from(all);
  corrupt[ends[0]! - INITDB_LSN + 30]! ^= 0xff;
  t.equal(findEndOfWal(corrupt, INITDB_LSN), ends[0], 'a CRC mismatch ends the WAL');
  t.throws(() => new WalReader(INITDB_LSN).feed(corrupt), /invalid WAL record at 0\/1000\w+: CRC mismatch/);
});

t.test('no record crosses a segment boundary', async (t) => {
  // Start just before the end of a segment, in the last 16 bytes: the record moves to the next segment.
  const nearEnd = 2 * SEGMENT_SIZE - 16;
  t.equal(recordStartAt(nearEnd), 2 * SEGMENT_SIZE);
  const w = new WalWriter(nearEnd, 0);
  const a = w.appendTransaction(1, [put('k', 'v')]);
  t.equal(a.startLsn, 2 * SEGMENT_SIZE);
  t.equal(a.bytes.length, a.endLsn - nearEnd, 'the gap is part of the stream, as zeros');
  t.equal(a.bytesStart, nearEnd, 'the bytes go at the previous end of WAL, not at the record start');
  t.same([...new WalReader(nearEnd).feed(a.bytes)].map((r) => r.mutations), [[put('k', 'v')]]);

  // A record too big for the rest of the segment: a padding record fills it first.
  const tight = 3 * SEGMENT_SIZE - 4096;
  const w2 = new WalWriter(tight, 0);
  const big = w2.appendTransaction(2, [put('big', 'x'.repeat(8192))]);
  t.equal(big.startLsn, 3 * SEGMENT_SIZE);
  t.equal(big.bytesStart, tight, 'padding included: the bytes start where the WAL ended');
  const records = new WalReader(tight).feed(big.bytes);
  t.same(records.map((r) => [r.type, r.startLsn, r.endLsn]), [[0, tight, 3 * SEGMENT_SIZE], [1, 3 * SEGMENT_SIZE, big.endLsn]]);
  t.equal(records[1]!.prevLsn, tight, 'the back-pointer chain goes through the padding record');
  t.equal(findEndOfWal(big.bytes, tight), big.endLsn);
  t.match(checkRecord(Buffer.alloc(HEADER_SIZE), 0), { ok: false });
});

t.test('stale bytes after the end are not WAL: the back-pointer chain breaks', async (t) => {
  const w = new WalWriter(INITDB_LSN, 0);
  const a = w.appendTransaction(1, [put('a', '1')]);
  const b = w.appendTransaction(2, [put('b', '2')]);
  // A different history wrote a record at b's position pointing elsewhere; splice it after a.
  const other = new WalWriter(a.endLsn, 12345).appendTransaction(9, [put('z', '9')]);
  const spliced = Buffer.concat([a.bytes, other.bytes]);
  t.equal(findEndOfWal(spliced, INITDB_LSN), a.endLsn, 'a record whose back-pointer does not match ends the WAL');
  t.equal(findEndOfWal(Buffer.concat([a.bytes, b.bytes]), INITDB_LSN), b.endLsn);
});

t.test('commit times: carried by a flag and 8 bytes before the changes; records without one still decode', async (t) => {
  const w = new WalWriter(INITDB_LSN, 0);
  const stamped = w.appendTransaction(1, [put('a', '1')], 1_700_000_000_123_456);
  const plain = w.appendTransaction(2, [put('b', '2')]); // as WAL written before commit times existed
  const past = w.appendTransaction(3, [], -5_000_000); // before the epoch: signed
  const records = new WalReader(INITDB_LSN).feed(Buffer.concat([stamped.bytes, plain.bytes, past.bytes]));
  t.same(records.map((r) => r.commitTimeUs), [1_700_000_000_123_456, null, -5_000_000]);
  t.same(records.map((r) => r.mutations), [[put('a', '1')], [put('b', '2')], []], 'the changes decode after the time');
  t.equal(stamped.endLsn - stamped.startLsn, plain.endLsn - plain.startLsn + 8, 'the time takes 8 bytes');
  t.same(new WalReader(INITDB_LSN, 0, true).feed(stamped.bytes).map((r) => r.commitTimeUs), [1_700_000_000_123_456], 'boundaries-only readers see it too');

  // The writer's limit is on the changes: a transaction exactly at it still fits with its time.
  const atLimit = [{ key: Buffer.from('k'), value: Buffer.alloc(MAX_PAYLOAD - 4 - 1 - 4 - 1 - 4) }];
  t.doesNotThrow(() => new WalWriter(INITDB_LSN, 0).appendTransaction(1, atLimit, 1));
  const overLimit = [{ key: Buffer.from('k'), value: Buffer.alloc(MAX_PAYLOAD - 13) }];
  t.throws(() => new WalWriter(INITDB_LSN, 0).appendTransaction(1, overLimit, 1), /exceeds the 4194304-byte record limit/);

  // Flags the reader does not know would change what the payload means: refused, not misread.
  const unknown = Buffer.from(plain.bytes.subarray(plain.startLsn - plain.bytesStart));
  unknown.writeUInt8(0x02, 17);
  unknown.writeUInt32BE(zlib.crc32(unknown.subarray(0, 4), zlib.crc32(unknown.subarray(8))), 4);
  t.match(checkRecord(unknown, plain.startLsn), { ok: false, reason: /unknown record flags 0x2/ });
});
