// The walproposer shell against real safekeeper processes: election, commit on a majority,
// blocking without one, recovery of a lagging safekeeper, identical WAL, restart on a newer term,
// and WAL streamed to a replication client.

import t from 'tap';
import { WalProposer, type ElectedInfo } from '../../cluster/emulated/compute/walproposer/walproposer.ts';
import { connectFramed } from '../../cluster/protocol/framed-socket.ts';
import { decodeWalData, WAL_SERVICE_PROTOCOL } from '../../cluster/protocol/wal-service.ts';
import { INITDB_LSN } from '../../cluster/wal/format.ts';
import { formatLsn, parseLsn } from '../../cluster/wal/lsn.ts';
import { WalReader } from '../../cluster/wal/reader.ts';
import { WalWriter } from '../../cluster/wal/writer.ts';
import { newHexId } from '../../cluster/api/ids.ts';
import { startTestCluster } from '../../fixtures/tap.ts';
import { waitUntil } from '../helpers/processes.ts';

t.test('walproposer and safekeepers', async (t) => {
  const cluster = await startTestCluster(t, { safekeepers: 3 });
  const tenantId = newHexId();
  const timelineId = newHexId();
  const members = cluster.config.safekeepers.map((sk) => ({ id: sk.id, host: sk.listenAddr, pg_port: sk.pgPort }));
  for (const sk of cluster.safekeepers) {
    await sk.post('/v1/tenant/timeline', { tenant_id: tenantId, timeline_id: timelineId, mconf: { generation: 1, members, new_members: null }, pg_version: 170000, start_lsn: formatLsn(INITDB_LSN) });
  }
  t.same((await cluster.safekeeper(1).get<unknown[]>('/v1/tenant/timeline')), [{ tenant_id: tenantId, timeline_id: timelineId }]);

  let elected: ElectedInfo | null = null;
  let committed = 0;
  const restarts: string[] = [];
  const wp = new WalProposer(
    { tenantId, timelineId, pgVersion: 170004, generationsEnabled: true, reconnectMs: 100, safekeepers: members.map((m) => ({ host: m.host, port: m.pg_port })) },
    { elected: (e) => (elected = e), committed: (lsn) => (committed = lsn), restarting: (r) => restarts.push(r) },
  );
  t.teardown(() => wp.stop());
  wp.start();
  await waitUntil('election', () => elected !== null, 10_000);
  t.match(elected, { term: 1, startLsn: INITDB_LSN });
  const writer = new WalWriter(INITDB_LSN, 0);
  const write = (i: number) => {
    const a = writer.appendTransaction(i, [{ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) }]);
    wp.appendWal(a.bytesStart, a.bytes);
    return a.endLsn;
  };
  let end = 0;
  for (let i = 1; i <= 100; i++) end = write(i);
  await waitUntil('commit of 100 records', () => committed >= end, 10_000);
  t.pass('100 transactions committed');

  await cluster.stopComponent('sk1', 'immediate');
  end = write(101);
  await waitUntil('commit with 2 of 3', () => committed >= end, 10_000);
  t.pass('commits continue with one safekeeper down');

  await cluster.stopComponent('sk2', 'immediate');
  end = write(102);
  await new Promise((r) => setTimeout(r, 500));
  t.ok(committed < end, 'no commit with 1 of 3');
  await cluster.startComponent('sk1');
  await waitUntil('commit once a second safekeeper returns', () => committed >= end, 15_000);
  t.pass('the write blocked, then completed when sk1 came back (after catching up on what it missed)');
  await cluster.startComponent('sk2');
  await waitUntil('all safekeepers at the end', async () => {
    const st = await Promise.all(cluster.safekeepers.map((sk) => sk.get<{ flush_lsn: string }>(`/v1/tenant/${tenantId}/timeline/${timelineId}`)));
    return st.every((s) => parseLsn(s.flush_lsn) === end);
  }, 15_000);
  const status = await cluster.safekeeper(2).get<Record<string, unknown>>(`/v1/tenant/${tenantId}/timeline/${timelineId}`);
  t.match(status, { commit_lsn: formatLsn(end), acceptor_state: { term: 1, epoch: 1, term_history: [{ term: 1, lsn: formatLsn(INITDB_LSN) }] }, mconf: { generation: 1 } });

  // A replication client gets exactly the committed WAL, which decodes into our 102 transactions.
  const replicated: Buffer[] = [];
  let got = INITDB_LSN;
  const conn = await connectFramed('127.0.0.1', cluster.config.safekeepers[2]!.pgPort, (frames) => {
    for (const f of frames) if (f.tag === 'w') {
      const d = decodeWalData(f.body);
      replicated.push(d.data);
      got = d.startLsn + d.data.length;
    }
  });
  conn.sendJson('H', { protocol: WAL_SERVICE_PROTOCOL, mode: 'replication', tenant_id: tenantId, timeline_id: timelineId, start_lsn: formatLsn(INITDB_LSN), consumer: 'test' });
  await waitUntil('replication to reach the end', () => got >= end, 10_000);
  conn.end();
  const records = new WalReader(INITDB_LSN).feed(Buffer.concat(replicated));
  t.equal(records.length, 102);
  t.same(records[101]!.mutations[0]!.key.toString(), 'k102');

  // A second proposer wins a newer term: the first must step down.
  let elected2: ElectedInfo | null = null;
  const wp2 = new WalProposer(
    { tenantId, timelineId, pgVersion: 170004, generationsEnabled: true, reconnectMs: 100, safekeepers: members.map((m) => ({ host: m.host, port: m.pg_port })) },
    { elected: (e) => (elected2 = e), committed: () => {}, restarting: () => {} },
  );
  t.teardown(() => wp2.stop());
  wp2.start();
  await waitUntil('second election', () => elected2 !== null, 10_000);
  t.match(elected2, { term: 2, startLsn: end }, 'term 2 starts where the committed WAL ends');
  write(103);
  await waitUntil('the old proposer to notice', () => restarts.length > 0, 10_000);
  t.match(restarts[0], /higher than ours|rejects/);
});
