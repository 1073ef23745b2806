// The safekeeper's side of the consensus (an acceptor), as a deterministic state machine. It turns
// each proposer message into steps for the shell to carry out in order — write or truncate WAL,
// make WAL durable, persist the control file, reply — and never touches a disk or socket itself.
// Rules follow neon safekeeper/src/safekeeper.rs (neon-reference.md §5.3, concepts.md §3).

import { contains, formatConfiguration, type Configuration } from '../../../protocol/membership.ts';
import { findHighestCommonPoint, historyUpTo, lastLogTerm, type TermHistory } from '../../../protocol/term-history.ts';
import type {
  AcceptorMessage, AppendRequest, AppendResponse, ProposerElected, ProposerGreeting, ProposerMessage, VoteRequest,
} from '../../../protocol/wal-service.ts';
import { formatLsn, type Lsn } from '../../../wal/lsn.ts';

/** The durable part of a timeline on a safekeeper: its control file. */
export interface ControlState {
  tenantId: string;
  timelineId: string;
  mconf: Configuration;
  acceptor: { term: number; termHistory: TermHistory };
  server: { pgVersion: number; systemId: number; walSegSize: number };
  timelineStartLsn: Lsn;
  localStartLsn: Lsn;
  commitLsn: Lsn;
  backupLsn: Lsn;
  peerHorizonLsn: Lsn;
  remoteConsistentLsn: Lsn;
}

export type Step =
  | { kind: 'write-wal'; lsn: Lsn; data: Buffer }
  | { kind: 'truncate-wal'; lsn: Lsn }
  /** Make everything written durable; the shell then calls walFlushed(record end). */
  | { kind: 'flush-wal' }
  /** Write the control file durably before going on. */
  | { kind: 'persist'; control: ControlState }
  | { kind: 'reply'; message: AcceptorMessage }
  /** Decide the next steps only once the steps before have run (e.g. after a flush). */
  | { kind: 'then'; next: () => Step[] };

/** A proposer broke the protocol: the shell reports it and closes the connection. */
export class AcceptorError extends Error {
  override name = 'AcceptorError';
}

const UNKNOWN_PG_VERSION = 0;

export class Acceptor {
  private control: ControlState;
  /** In memory: may run ahead of the persisted values, which are flushed lazily. */
  private commitLsn: Lsn;
  private peerHorizonLsn: Lsn;
  private writeLsn: Lsn;
  private flushLsnOnDisk: Lsn;
  /** Where the current proposer's term starts; reaching it with commit_lsn forces a control flush. */
  private termStartLsn: Lsn = 0;

  constructor(
    readonly nodeId: number,
    control: ControlState,
    /** End of the WAL found on disk at startup (everything on disk is durable then). */
    walEnd: Lsn,
  ) {
    this.control = structuredClone(control);
    this.commitLsn = control.commitLsn;
    this.peerHorizonLsn = control.peerHorizonLsn;
    this.writeLsn = walEnd;
    this.flushLsnOnDisk = walEnd;
  }

  get state(): Readonly<ControlState> {
    return this.control;
  }

  /** End of durable WAL; never below the timeline start (there may be no WAL yet). */
  flushLsn(): Lsn {
    return Math.max(this.flushLsnOnDisk, this.control.timelineStartLsn);
  }

  currentCommitLsn(): Lsn {
    return this.commitLsn;
  }

  currentPeerHorizonLsn(): Lsn {
    return this.peerHorizonLsn;
  }

  lastLogTerm(): number {
    return lastLogTerm(this.control.acceptor.termHistory, this.flushLsn());
  }

  /** The term history covering the WAL we actually have. */
  termHistory(): TermHistory {
    return historyUpTo(this.control.acceptor.termHistory, this.flushLsn());
  }

  /** The control file as it should be persisted now (with the in-memory LSNs folded in). */
  snapshot(): ControlState {
    return { ...structuredClone(this.control), commitLsn: this.commitLsn, peerHorizonLsn: this.peerHorizonLsn };
  }

  /**
   * The shell made all written WAL durable; `recordEnd` is where the last complete record among it
   * ends. flush_lsn only ever points at record boundaries, so a new term never starts mid-record.
   */
  walFlushed(recordEnd: Lsn): void {
    this.flushLsnOnDisk = recordEnd;
  }

  /**
   * A write-wal step failed: the WAL ends at `walEnd` after all. A proposer carrying on from the
   * lost append then makes a gap and is refused; the next election truncates back to agreement.
   */
  walWriteFailed(walEnd: Lsn): void {
    this.writeLsn = walEnd;
  }

  private change(mutate: (c: ControlState) => void): Step {
    mutate(this.control);
    this.control.commitLsn = this.commitLsn;
    this.control.peerHorizonLsn = this.peerHorizonLsn;
    return { kind: 'persist', control: structuredClone(this.control) };
  }

  handle(msg: ProposerMessage, options: { flush: boolean } = { flush: true }): Step[] {
    switch (msg.tag) {
      case 'g': return this.onGreeting(msg);
      case 'v': return this.onVoteRequest(msg);
      case 'e': return this.onElected(msg);
      case 'a': return this.onAppend(msg, options.flush);
    }
  }

  private onGreeting(msg: ProposerGreeting): Step[] {
    const c = this.control;
    const major = (v: number) => Math.floor(v / 10000);
    if (c.server.pgVersion !== UNKNOWN_PG_VERSION && major(msg.pgVersion) !== major(c.server.pgVersion)) {
      throw new AcceptorError(`incompatible server version ${msg.pgVersion}, expected ${c.server.pgVersion}`);
    }
    if (msg.tenantId !== c.tenantId) throw new AcceptorError(`invalid tenant ID, got ${msg.tenantId}, expected ${c.tenantId}`);
    if (msg.timelineId !== c.timelineId) throw new AcceptorError(`invalid timeline ID, got ${msg.timelineId}, expected ${c.timelineId}`);
    if (msg.walSegSize !== c.server.walSegSize) throw new AcceptorError(`invalid wal_seg_size, got ${msg.walSegSize}, expected ${c.server.walSegSize}`);
    const steps: Step[] = [];
    if (msg.systemId !== 0 && msg.systemId !== c.server.systemId) {
      steps.push(this.change((s) => {
        s.server.systemId = msg.systemId;
        if (msg.pgVersion !== UNKNOWN_PG_VERSION) s.server.pgVersion = msg.pgVersion;
      }));
    }
    if (msg.mconf.generation > c.mconf.generation) {
      if (!contains(msg.mconf, this.nodeId)) {
        throw new AcceptorError(`refused to switch into ${formatConfiguration(msg.mconf)}, node ${this.nodeId} is not a member of it`);
      }
      steps.push(this.change((s) => (s.mconf = structuredClone(msg.mconf))));
    }
    steps.push({ kind: 'reply', message: { tag: 'g', nodeId: this.nodeId, mconf: structuredClone(this.control.mconf), term: this.control.acceptor.term } });
    return steps;
  }

  private checkGeneration(generation: number, what: string): void {
    if (generation !== this.control.mconf.generation) {
      throw new AcceptorError(`refusing ${what} due to generation mismatch: request ${generation}, sk generation ${this.control.mconf.generation}`);
    }
  }

  private onVoteRequest(msg: VoteRequest): Step[] {
    this.checkGeneration(msg.generation, `vote request for term ${msg.term}`);
    // Flush first, so the position we report is durable and the new proposer streams from its end.
    return [
      { kind: 'flush-wal' },
      {
        kind: 'then',
        next: () => {
          const granted = this.control.acceptor.term < msg.term;
          // The vote is persisted before it is sent.
          const persist = granted ? [this.change((s) => (s.acceptor.term = msg.term))] : [];
          const reply: AcceptorMessage = {
            tag: 'v',
            generation: this.control.mconf.generation,
            term: this.control.acceptor.term,
            voteGiven: granted,
            flushLsn: this.flushLsn(),
            truncateLsn: this.peerHorizonLsn,
            termHistory: this.termHistory(),
          };
          return [...persist, { kind: 'reply', message: reply }];
        },
      },
    ];
  }

  private onElected(msg: ProposerElected): Step[] {
    this.checkGeneration(msg.generation, `elected message for term ${msg.term}`);
    const steps: Step[] = [];
    if (this.control.acceptor.term < msg.term) steps.push(this.change((s) => (s.acceptor.term = msg.term)));
    // A newer term won meanwhile: ignore; our next reply tells the proposer.
    if (this.control.acceptor.term > msg.term) return steps;
    const first = msg.termHistory[0];
    if (!first) throw new AcceptorError('proposer elected with an empty term history');
    const common = findHighestCommonPoint(msg.termHistory, this.termHistory(), this.flushLsn()) ?? first;
    if (common.lsn !== msg.startStreamingAt) {
      throw new AcceptorError(
        `refusing ProposerElected with unexpected truncation point: common point ${formatLsn(common.lsn)}, start_streaming_at ${formatLsn(msg.startStreamingAt)}`,
      );
    }
    if (msg.startStreamingAt < this.commitLsn) {
      // Committed WAL is never cut: a proposer asking for it is broken.
      throw new AcceptorError(`attempt to truncate committed WAL: start_streaming_at ${formatLsn(msg.startStreamingAt)} < commit_lsn ${formatLsn(this.commitLsn)}`);
    }
    steps.push({ kind: 'truncate-wal', lsn: msg.startStreamingAt });
    this.writeLsn = msg.startStreamingAt;
    this.flushLsnOnDisk = msg.startStreamingAt;
    steps.push(this.change((s) => {
      if (s.timelineStartLsn === 0) s.timelineStartLsn = first.lsn;
      if (s.localStartLsn === 0) s.localStartLsn = msg.startStreamingAt;
      this.peerHorizonLsn = this.peerHorizonLsn || s.timelineStartLsn;
      this.commitLsn = Math.max(this.commitLsn, s.timelineStartLsn);
      s.backupLsn = Math.max(s.backupLsn, s.timelineStartLsn);
      s.remoteConsistentLsn = Math.max(s.remoteConsistentLsn, s.timelineStartLsn);
      s.acceptor.termHistory = structuredClone(msg.termHistory);
    }));
    this.termStartLsn = msg.termHistory[msg.termHistory.length - 1]!.lsn;
    return steps;
  }

  private onAppend(msg: AppendRequest, flush: boolean): Step[] {
    this.checkGeneration(msg.generation, 'append request');
    const term = this.control.acceptor.term;
    if (term < msg.term) throw new AcceptorError('got AppendRequest before ProposerElected');
    if (term > msg.term) {
      // A newer term: answer with the term only; the proposer must step down.
      return [{ kind: 'reply', message: { tag: 'a', generation: this.control.mconf.generation, term, flushLsn: 0, commitLsn: 0, pageserverFeedback: null } }];
    }
    if (this.writeLsn > msg.beginLsn) {
      throw new AcceptorError(`append request rewrites WAL written before, write_lsn=${formatLsn(this.writeLsn)}, msg lsn=${formatLsn(msg.beginLsn)}`);
    }
    if (this.writeLsn < msg.beginLsn && this.writeLsn !== 0) {
      throw new AcceptorError(`append request creates gap in written WAL, write_lsn=${formatLsn(this.writeLsn)}, msg lsn=${formatLsn(msg.beginLsn)}`);
    }
    const steps: Step[] = [];
    if (msg.walData.length > 0) {
      steps.push({ kind: 'write-wal', lsn: msg.beginLsn, data: msg.walData });
      this.writeLsn = msg.endLsn;
    }
    this.peerHorizonLsn = Math.max(this.peerHorizonLsn, msg.truncateLsn);
    this.commitCandidate = Math.max(this.commitCandidate, msg.commitLsn);
    return flush ? [...steps, ...this.flush()] : steps;
  }

  /** The proposer's commit_lsn not yet folded in (it needs a flush first). */
  private commitCandidate: Lsn = 0;

  /** Makes written WAL durable, then folds in commit_lsn and answers with the new position. */
  flush(): Step[] {
    return [
      { kind: 'flush-wal' },
      {
        kind: 'then',
        next: () => {
          const persist = this.advanceCommitLsn(this.commitCandidate);
          this.commitCandidate = 0;
          return [...persist, { kind: 'reply', message: this.appendResponse() }];
        },
      },
    ];
  }

  /** commit_lsn = min(max(candidate, own), flush_lsn): it never goes backwards. */
  private advanceCommitLsn(candidate: Lsn): Step[] {
    const next = Math.min(Math.max(candidate, this.commitLsn), this.flushLsn());
    if (next <= this.commitLsn) return [];
    const crossedTermStart = this.termStartLsn !== 0 && next >= this.termStartLsn && this.control.commitLsn < this.termStartLsn;
    this.commitLsn = next;
    // Reaching the term start is worth a durable control file: a restart then knows it is committed.
    return crossedTermStart ? [this.change(() => {})] : [];
  }

  appendResponse(): AppendResponse {
    return {
      tag: 'a',
      generation: this.control.mconf.generation,
      term: this.control.acceptor.term,
      flushLsn: this.flushLsn(),
      commitLsn: this.commitLsn,
      pageserverFeedback: null,
    };
  }

  /** commit_lsn learned from a peer safekeeper (through the broker), if our history agrees. */
  peerCommitLsn(commitLsn: Lsn, peerLastLogTerm: number): void {
    if (commitLsn !== 0 && peerLastLogTerm === this.lastLogTerm()) {
      this.commitLsn = Math.max(this.commitLsn, Math.min(commitLsn, this.flushLsn()));
    }
  }
}
