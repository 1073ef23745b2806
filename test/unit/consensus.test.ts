// The consensus cores (safekeeper acceptor, compute walproposer) without I/O: elections, term
// history truncation, commit rules, and the acceptor's protocol checks.

import t from 'tap';
import { AcceptorError } from '../../cluster/emulated/safekeeper/core/acceptor.ts';
import { Proposer, type ProposerEffect } from '../../cluster/emulated/compute/core/proposer.ts';
import { findHighestCommonPoint, historyUpTo, lastLogTerm } from '../../cluster/protocol/term-history.ts';
import type { Configuration } from '../../cluster/protocol/membership.ts';
import type { AppendResponse, VoteResponse } from '../../cluster/protocol/wal-service.ts';
import { initialControl, MemoryAcceptor, TENANT, TIMELINE } from '../helpers/memory-acceptor.ts';

const START = 0x1000000;
const mconf = (ids: number[], newIds?: number[]): Configuration => ({
  generation: 1,
  members: ids.map((id) => ({ id, host: '127.0.0.1', pg_port: 5000 + id })),
  new_members: newIds ? newIds.map((id) => ({ id, host: '127.0.0.1', pg_port: 5000 + id })) : null,
});

t.test('term history: common point, up_to and last_log_term', async (t) => {
  const h = [{ term: 1, lsn: 100 }, { term: 3, lsn: 200 }, { term: 5, lsn: 300 }];
  t.same(historyUpTo(h, 250), [{ term: 1, lsn: 100 }, { term: 3, lsn: 200 }]);
  t.equal(lastLogTerm(h, 250), 3);
  t.equal(lastLogTerm(h, 50), 0);
  // Same history: the common point is where the safekeeper's WAL ends.
  t.same(findHighestCommonPoint(h, h, 350), { term: 5, lsn: 350 });
  // The safekeeper is behind in an older term: common up to its flush.
  t.same(findHighestCommonPoint(h, [{ term: 1, lsn: 100 }], 150), { term: 1, lsn: 150 });
  // It went past where the proposer's history switched term: cut at the switch (its tail is stale).
  t.same(findHighestCommonPoint(h, [{ term: 1, lsn: 100 }], 260), { term: 1, lsn: 200 });
  // It has a term the proposer never saw (a deposed leader's WAL): cut where the next proposer term starts.
  t.same(findHighestCommonPoint(h, [{ term: 1, lsn: 100 }, { term: 2, lsn: 180 }], 400), { term: 1, lsn: 180 });
  t.equal(findHighestCommonPoint(h, [{ term: 2, lsn: 100 }], 150), null, 'no shared term');
  t.throws(() => findHighestCommonPoint(h, [{ term: 1, lsn: 90 }], 150), /term 1 starts at different LSNs/);
  t.throws(() => findHighestCommonPoint(h, [{ term: 1, lsn: 100 }], 50), /beyond its WAL end/);
});

t.test('acceptor: greeting checks and membership adoption', async (t) => {
  const sk = new MemoryAcceptor(1, { ...initialControl({ generation: 0, members: [], new_members: null }, START) });
  const greet = { tag: 'g' as const, tenantId: TENANT, timelineId: TIMELINE, mconf: mconf([1, 2, 3]), pgVersion: 170004, systemId: 7, walSegSize: 16 * 1024 * 1024 };
  const [reply] = sk.handle(greet);
  t.match(reply, { tag: 'g', nodeId: 1, term: 0, mconf: { generation: 1 } }, 'adopts the higher configuration');
  t.equal(sk.persisted.server.systemId, 7, 'adopts the system id');
  t.throws(() => sk.handle({ ...greet, tenantId: '33333333333333333333333333333333' }), AcceptorError);
  t.throws(() => sk.handle({ ...greet, pgVersion: 160000 }), /incompatible server version/);
  t.throws(() => sk.handle({ ...greet, mconf: { ...mconf([2, 3, 4]), generation: 2 } }), /node 1 is not a member/);
  t.throws(() => sk.handle({ ...greet, walSegSize: 1 }), /invalid wal_seg_size/);
});

t.test('acceptor: votes once per term, persisted before the reply', async (t) => {
  const sk = new MemoryAcceptor(1, initialControl(mconf([1, 2, 3]), START));
  sk.log = [];
  const [yes] = sk.handle({ tag: 'v', generation: 1, term: 5 }) as VoteResponse[];
  t.match(yes, { voteGiven: true, term: 5, flushLsn: START });
  t.same(sk.log, ['flush-wal', 'then', 'persist', 'reply'], 'WAL flushed, vote persisted, then answered');
  t.equal(sk.persisted.acceptor.term, 5);
  const [again] = sk.handle({ tag: 'v', generation: 1, term: 5 }) as VoteResponse[];
  t.match(again, { voteGiven: false, term: 5 }, 'no second vote in the same term');
  const [lower] = sk.handle({ tag: 'v', generation: 1, term: 3 }) as VoteResponse[];
  t.match(lower, { voteGiven: false, term: 5 });
  t.throws(() => sk.handle({ tag: 'v', generation: 2, term: 9 }), /generation mismatch/);
  sk.crash();
  const [afterCrash] = sk.handle({ tag: 'v', generation: 1, term: 5 }) as VoteResponse[];
  t.equal(afterCrash!.voteGiven, false, 'the vote survives a crash: no double voting');
});

t.test('acceptor: append rules', async (t) => {
  const sk = new MemoryAcceptor(1, initialControl(mconf([1]), START));
  const data = (n: number) => Buffer.alloc(n, 7);
  t.throws(() => sk.handle({ tag: 'a', generation: 1, term: 1, beginLsn: START, endLsn: START + 8, commitLsn: 0, truncateLsn: 0, walData: data(8) }), /before ProposerElected/);
  sk.handle({ tag: 'v', generation: 1, term: 2 });
  sk.handle({ tag: 'e', generation: 1, term: 2, startStreamingAt: START, termHistory: [{ term: 2, lsn: START }] });
  const [ok] = sk.handle({ tag: 'a', generation: 1, term: 2, beginLsn: START, endLsn: START + 16, commitLsn: START + 64, truncateLsn: 0, walData: data(16) }) as AppendResponse[];
  t.match(ok, { flushLsn: START + 16, commitLsn: START + 16 }, 'commit_lsn is capped at what is flushed');
  t.throws(() => sk.handle({ tag: 'a', generation: 1, term: 2, beginLsn: START + 8, endLsn: START + 16, commitLsn: 0, truncateLsn: 0, walData: data(8) }), /rewrites WAL/);
  t.throws(() => sk.handle({ tag: 'a', generation: 1, term: 2, beginLsn: START + 24, endLsn: START + 32, commitLsn: 0, truncateLsn: 0, walData: data(8) }), /creates gap/);
  const [old] = sk.handle({ tag: 'a', generation: 1, term: 1, beginLsn: START + 16, endLsn: START + 24, commitLsn: 0, truncateLsn: 0, walData: data(8) }) as AppendResponse[];
  t.match(old, { term: 2, flushLsn: 0 }, 'an older term gets a term-only answer');
  // Unflushed appends are batched: nothing is answered until the flush.
  t.same(sk.handle({ tag: 'a', generation: 1, term: 2, beginLsn: START + 16, endLsn: START + 24, commitLsn: START + 24, truncateLsn: 0, walData: data(8) }, false), []);
  t.equal(sk.flushed, 16, 'not flushed yet');
  const [batch] = sk.flush() as AppendResponse[];
  t.match(batch, { flushLsn: START + 24, commitLsn: START + 24 });
  const [lowerCommit] = sk.handle({ tag: 'a', generation: 1, term: 2, beginLsn: START + 24, endLsn: START + 24, commitLsn: START, truncateLsn: 0, walData: data(0) }) as AppendResponse[];
  t.equal(lowerCommit!.commitLsn, START + 24, 'commit_lsn never goes back');
  t.throws(
    () => sk.handle({ tag: 'e', generation: 1, term: 2, startStreamingAt: START + 8, termHistory: [{ term: 2, lsn: START }] }),
    /unexpected truncation point/,
  );
});

// ---- a proposer talking to in-memory acceptors ----

class Sim {
  proposer: Proposer;
  wal = new Map<number, Buffer>(); // proposer-generated WAL by start LSN
  generatedEnd = 0;
  commits: number[] = [];
  elected: Extract<ProposerEffect, { kind: 'elected' }> | null = null;
  restarts: string[] = [];
  connected = new Set<number>();

  constructor(readonly sks: MemoryAcceptor[], generations = true) {
    this.proposer = new Proposer({ tenantId: TENANT, timelineId: TIMELINE, pgVersion: 170004, systemId: 0, walSegSize: 16 * 1024 * 1024, safekeeperCount: sks.length, generationsEnabled: generations, maxSendBytes: 64 });
  }

  connect(...idx: number[]): void {
    for (const i of idx) {
      this.connected.add(i);
      this.apply(this.proposer.connected(i));
    }
  }

  disconnect(i: number): void {
    this.connected.delete(i);
    this.apply(this.proposer.disconnected(i));
  }

  /** WAL bytes for [from, to): the donor's before the term start, ours after. */
  walFor(from: number, to: number): Buffer {
    const start = this.proposer.termStartLsn;
    const parts: Buffer[] = [];
    if (from < start) parts.push(this.sks[this.elected!.donor]!.walBetween(from, Math.min(to, start)));
    for (let lsn = Math.max(from, start); lsn < to; ) {
      const chunkStart = [...this.wal.keys()].filter((k) => k <= lsn).sort((a, b) => b - a)[0]!;
      const chunk = this.wal.get(chunkStart)!;
      const piece = chunk.subarray(lsn - chunkStart, Math.min(chunk.length, to - chunkStart));
      parts.push(piece);
      lsn += piece.length;
    }
    return Buffer.concat(parts);
  }

  generate(bytes: number): number {
    const from = Math.max(this.generatedEnd, this.proposer.termStartLsn);
    this.wal.set(from, Buffer.alloc(bytes, (from / 8) % 251));
    this.generatedEnd = from + bytes;
    this.apply(this.proposer.walAvailable(this.generatedEnd));
    return this.generatedEnd;
  }

  private queue: ProposerEffect[] = [];
  private draining = false;

  /** Effects run in order (a real shell sends on each connection in order); replies queue up behind. */
  apply(effects: ProposerEffect[]): void {
    this.queue.push(...effects);
    if (this.draining) return;
    this.draining = true;
    while (this.queue.length) {
      const e = this.queue.shift()!;
      if (e.kind === 'restart') this.restarts.push(e.reason);
      else if (e.kind === 'commit') this.commits.push(e.lsn);
      else if (e.kind === 'elected') this.elected = e;
      else if (this.connected.has(e.sk)) {
        const sk = this.sks[e.sk]!;
        const msg = e.kind === 'send' ? e.message : { tag: 'a' as const, generation: e.generation, term: e.term, beginLsn: e.beginLsn, endLsn: e.endLsn, commitLsn: e.commitLsn, truncateLsn: e.truncateLsn, walData: this.walFor(e.beginLsn, e.endLsn) };
        for (const reply of sk.handle(msg)) this.queue.push(...this.proposer.received(e.sk, reply));
      }
    }
    this.draining = false;
  }
}

const fresh = (n: number, conf = mconf(Array.from({ length: n }, (_, i) => i + 1))) =>
  Array.from({ length: n }, (_, i) => new MemoryAcceptor(i + 1, initialControl(conf, START)));

t.test('proposer: elected by a majority, commits on a majority flush', async (t) => {
  const sks = fresh(3);
  const sim = new Sim(sks);
  sim.connect(0);
  t.equal(sim.proposer.phase, 'collecting-terms', 'one greeting is not a quorum');
  sim.connect(1);
  t.match(sim.elected, { term: 1, startLsn: START });
  t.equal(sim.proposer.commitLsn, START, 'the term start is committed once a majority has it');
  const end = sim.generate(100);
  t.equal(sim.proposer.commitLsn, end);
  t.same([sks[0]!.walEnd, sks[1]!.walEnd, sks[2]!.walEnd], [end, end, START], 'the third safekeeper is not connected');
  sim.connect(2);
  t.equal(sks[2]!.walEnd, end, 'a late safekeeper catches up');
  t.same(sks[2]!.walBetween(START, end), sks[0]!.walBetween(START, end));
  sim.disconnect(0);
  sim.disconnect(1);
  const before = sim.proposer.commitLsn;
  sim.generate(40);
  t.equal(sim.proposer.commitLsn, before, 'one of three cannot commit');
  sim.connect(1);
  t.equal(sim.proposer.commitLsn, sim.generatedEnd, 'a second one back: committed');
  t.same(sim.restarts, []);
});

t.test('proposer: a new term truncates divergent WAL and keeps everything committed', async (t) => {
  const sks = fresh(3);
  // Term 1 writes to all three, commits up to c1, then writes more that only sk1 receives.
  const first = new Sim(sks);
  first.connect(0, 1, 2);
  const c1 = first.generate(64);
  first.disconnect(1);
  first.disconnect(2);
  const lonely = first.generate(48);
  t.equal(first.proposer.commitLsn, c1, 'the tail only on sk1 is not committed');
  t.equal(sks[0]!.walEnd, lonely);

  // Term 2: sk1 is down; sk2 and sk3 elect a new proposer, which writes its own WAL past c1.
  const second = new Sim(sks);
  second.connect(1, 2);
  t.match(second.elected, { term: 2, startLsn: c1 });
  const c2 = second.generate(32);
  t.equal(second.proposer.commitLsn, c2);

  // Term 3 with all: sk1's term-1 tail diverges from term 2 and must be cut at c1.
  const third = new Sim(sks);
  third.connect(0, 1, 2);
  t.match(third.elected, { term: 3, startLsn: c2 }, 'donor: the highest (last_log_term, flush_lsn) = term 2');
  t.same(third.elected!.termHistory, [{ term: 1, lsn: START }, { term: 2, lsn: c1 }, { term: 3, lsn: c2 }]);
  t.same([sks[0]!.walEnd, sks[1]!.walEnd, sks[2]!.walEnd], [c2, c2, c2], 'sk1 was truncated at c1 then given term 2\'s WAL');
  t.ok(sks[0]!.walBetween(START, c2).equals(sks[1]!.walBetween(START, c2)), 'identical WAL everywhere');
  t.ok(sks[0]!.log.includes('truncate-wal'));
  t.equal(sks[0]!.persisted.acceptor.term, 3);
  t.same(sks[0]!.core.termHistory(), third.elected!.termHistory);
  const end = third.generate(24);
  t.equal(third.proposer.commitLsn, end);
});

t.test('proposer: the WAL of an older term is not committed by counting copies (Raft rule)', async (t) => {
  const sks = fresh(3);
  const first = new Sim(sks);
  first.connect(0, 1, 2);
  first.generate(64);
  first.disconnect(1);
  first.disconnect(2);
  first.generate(48); // only on sk1
  // New proposer reaches sk1 (the donor) and sk2. Before sk2 acknowledges the term start it must not
  // count sk1's old-term flush.
  const next = new Sim(sks);
  next.connect(0);
  next.connect(1);
  t.equal(next.elected?.startLsn, sks[0]!.walEnd, 'term starts at the donor\'s end');
  t.equal(next.proposer.commitLsn, sks[0]!.walEnd, 'committed once sk2 has caught up to the term start');
  t.ok(sks[1]!.walBetween(START, next.proposer.commitLsn).equals(sks[0]!.walBetween(START, next.proposer.commitLsn)));
  const p = new Proposer({ tenantId: TENANT, timelineId: TIMELINE, pgVersion: 170004, systemId: 0, walSegSize: 1, safekeeperCount: 3, generationsEnabled: false, maxSendBytes: 64 });
  p.termStartLsn = 1000;
  p.sks[0]!.ackedFlushLsn = 900;
  p.sks[1]!.ackedFlushLsn = 950;
  p.sks[2]!.ackedFlushLsn = 1200;
  t.equal(p.quorumCommitLsn(), 0, 'acks below the term start count as nothing');
  p.sks[1]!.ackedFlushLsn = 1100;
  t.equal(p.quorumCommitLsn(), 1100);
});

t.test('proposer: steps down when another compute has a higher term', async (t) => {
  const sks = fresh(3);
  const a = new Sim(sks);
  a.connect(0, 1, 2);
  a.generate(16);
  const b = new Sim(sks);
  b.connect(0, 1);
  t.equal(b.elected?.term, 2);
  a.generate(16); // a's appends hit safekeepers that now live in term 2
  t.match(a.restarts[0], /higher than ours/);
  const c = new Sim(sks);
  c.proposer.term = 0;
  c.connect(2);
  c.connect(0); // collecting terms: adopts the highest seen, campaigns with term 3
  t.equal(c.elected?.term, 3);
});

t.test('proposer: a joint configuration needs a quorum of both member sets', async (t) => {
  const joint = { ...mconf([1, 2, 3], [3, 4, 5]), generation: 2 };
  const sks = Array.from({ length: 5 }, (_, i) => new MemoryAcceptor(i + 1, initialControl(joint, START)));
  const sim = new Sim(sks);
  sim.connect(0, 1, 2);
  t.equal(sim.proposer.phase, 'collecting-terms', 'a majority of the old set alone is not enough');
  sim.connect(3);
  t.equal(sim.elected?.term, 1, '{1,2,3} has 3/3, {3,4,5} has 2/3');
  const end = sim.generate(32);
  t.equal(sim.proposer.commitLsn, end);
  sim.disconnect(2);
  sim.generate(32);
  t.equal(sim.proposer.commitLsn, end, 'without sk3 the new set has only sk4 acknowledging');
  sim.connect(4);
  t.equal(sim.proposer.commitLsn, sim.generatedEnd);
});

t.test('proposer: adopts a higher membership configuration before campaigning, restarts after', async (t) => {
  const g1 = mconf([1, 2, 3]);
  const g2 = { ...mconf([1, 2, 3]), generation: 2 };
  const sks = [new MemoryAcceptor(1, initialControl(g2, START)), new MemoryAcceptor(2, initialControl(g1, START)), new MemoryAcceptor(3, initialControl(g1, START))];
  const sim = new Sim(sks);
  sim.connect(0);
  t.equal(sim.proposer.mconf.generation, 2);
  sim.connect(1);
  t.equal(sim.elected?.term, 1);
  t.equal(sks[1]!.persisted.mconf.generation, 2, 'the greeting carried generation 2 to sk2');
  const late = new Sim([new MemoryAcceptor(1, initialControl(g1, START)), new MemoryAcceptor(2, initialControl(g1, START)), new MemoryAcceptor(3, initialControl({ ...g1, generation: 3 }, START))]);
  late.connect(0, 1);
  late.connect(2);
  t.match(late.restarts[0], /adopt membership configuration g3/);
});
