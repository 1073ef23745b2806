// The compute's walproposer as a deterministic state machine: connections are indexes, time and
// sockets belong to the shell. It collects greetings, campaigns for a term, picks the donor,
// tells each safekeeper where to stream from, and computes the commit LSN from acknowledgements.
// Rules follow neon pgxn/neon/walproposer.c (neon-reference.md §5.4, concepts.md §3.2-3.3).

import { formatConfiguration, hasQuorum, INVALID_GENERATION, quorumOf, type Configuration } from '../../../protocol/membership.ts';
import type { TermHistory } from '../../../protocol/term-history.ts';
import type { AcceptorGreeting, AcceptorMessage, AppendResponse, ProposerMessage, VoteResponse } from '../../../protocol/wal-service.ts';
import { formatLsn, type Lsn } from '../../../wal/lsn.ts';

export interface ProposerConfig {
  tenantId: string;
  timelineId: string;
  pgVersion: number;
  systemId: number;
  walSegSize: number;
  /** How many safekeeper addresses there are (connections are numbered 0..n-1). */
  safekeeperCount: number;
  /** g#N in neon.safekeepers: generations (membership configurations) are in use. */
  generationsEnabled: boolean;
  /** Largest AppendRequest payload. */
  maxSendBytes: number;
  /** Bug switch wp-ack-single-flush: count a commit once any one safekeeper flushed it. */
  ackSingleFlush?: boolean;
}

export type Phase = 'collecting-terms' | 'campaign' | 'elected';

type SkState = 'offline' | 'wait-greeting' | 'wait-voting' | 'wait-verdict' | 'wait-elected' | 'active';

interface SkView {
  state: SkState;
  nodeId: number | null;
  greeting: AcceptorGreeting | null;
  vote: VoteResponse | null;
  /** Last acknowledged flush LSN; kept across reconnections, as walproposer does. */
  ackedFlushLsn: Lsn;
  ackedCommitLsn: Lsn;
  streamingAt: Lsn;
}

export type ProposerEffect =
  | { kind: 'send'; sk: number; message: ProposerMessage }
  /** Send WAL [beginLsn, endLsn) to `sk` in one AppendRequest (the shell supplies the bytes). */
  | { kind: 'append'; sk: number; generation: number; term: number; beginLsn: Lsn; endLsn: Lsn; commitLsn: Lsn; truncateLsn: Lsn }
  | { kind: 'elected'; term: number; startLsn: Lsn; donor: number; termHistory: TermHistory }
  | { kind: 'commit'; lsn: Lsn }
  /** The walproposer must start over (new election); `reason` explains why. */
  | { kind: 'restart'; reason: string };

export class Proposer {
  readonly sks: SkView[];
  phase: Phase = 'collecting-terms';
  mconf: Configuration = { generation: INVALID_GENERATION, members: [], new_members: null };
  term = 0;
  termHistory: TermHistory = [];
  termStartLsn: Lsn = 0;
  truncateLsn: Lsn = 0;
  commitLsn: Lsn = 0;
  donor = -1;
  /** End of the WAL this proposer can send: the term start, then whatever it generates. */
  availableLsn: Lsn = 0;
  private restarting = false;

  constructor(readonly config: ProposerConfig) {
    this.sks = Array.from({ length: config.safekeeperCount }, () => ({
      state: 'offline' as SkState, nodeId: null, greeting: null, vote: null, ackedFlushLsn: 0, ackedCommitLsn: 0, streamingAt: 0,
    }));
  }

  private restart(reason: string): ProposerEffect[] {
    this.restarting = true;
    return [{ kind: 'restart', reason }];
  }

  connected(sk: number): ProposerEffect[] {
    const view = this.sks[sk]!;
    view.state = 'wait-greeting';
    view.greeting = null;
    view.vote = null;
    const { tenantId, timelineId, pgVersion, systemId, walSegSize } = this.config;
    return [{ kind: 'send', sk, message: { tag: 'g', tenantId, timelineId, mconf: this.mconf, pgVersion, systemId, walSegSize } }];
  }

  disconnected(sk: number): ProposerEffect[] {
    const view = this.sks[sk]!;
    view.state = 'offline';
    view.greeting = null;
    view.vote = null;
    return [];
  }

  received(sk: number, msg: AcceptorMessage): ProposerEffect[] {
    if (this.restarting) return [];
    const view = this.sks[sk]!;
    if (msg.tag === 'g' && view.state === 'wait-greeting') return this.onGreeting(sk, msg);
    if (msg.tag === 'v' && view.state === 'wait-verdict') return this.onVote(sk, msg);
    if (msg.tag === 'a' && view.state === 'active') return this.onAppendResponse(sk, msg);
    return this.restart(`unexpected '${msg.tag}' message from safekeeper connection ${sk} in state ${view.state}`);
  }

  /** New WAL was generated up to `endLsn`. */
  walAvailable(endLsn: Lsn): ProposerEffect[] {
    if (this.phase !== 'elected' || endLsn <= this.availableLsn) return [];
    this.availableLsn = endLsn;
    return this.sks.flatMap((_, i) => this.appendsFor(i, false));
  }

  // --- election -------------------------------------------------------------------------------

  /** Greeted connections per member, as node ids (legacy mode: connection indexes). */
  private idsIn(states: SkState[]): Set<number> {
    const ids = new Set<number>();
    this.sks.forEach((v, i) => {
      if (!states.includes(v.state)) return;
      ids.add(this.config.generationsEnabled ? v.nodeId! : i);
    });
    return ids;
  }

  private quorumOf(states: SkState[]): boolean {
    const ids = this.idsIn(states);
    if (!this.config.generationsEnabled) return ids.size >= quorumOf(this.config.safekeeperCount);
    if (this.mconf.generation === INVALID_GENERATION) return false;
    return hasQuorum(this.mconf, ids);
  }

  private onGreeting(sk: number, msg: AcceptorGreeting): ProposerEffect[] {
    const view = this.sks[sk]!;
    if (this.config.generationsEnabled && msg.mconf.generation > this.mconf.generation) {
      if (this.phase !== 'collecting-terms') {
        return this.restart(`restarting to adopt membership configuration ${formatConfiguration(msg.mconf)}`);
      }
      this.mconf = structuredClone(msg.mconf);
    }
    view.greeting = msg;
    view.nodeId = msg.nodeId;
    view.state = 'wait-voting';
    if (this.phase === 'collecting-terms') {
      this.term = Math.max(this.term, msg.term);
      if (!this.quorumOf(['wait-voting'])) return [];
      this.term += 1;
      this.phase = 'campaign';
      return this.sks.flatMap((v, i) => (v.state === 'wait-voting' ? this.requestVote(i) : []));
    }
    if (msg.term > this.term) {
      return this.restart(`safekeeper ${msg.nodeId} has term ${msg.term}, higher than ours (${this.term}): another compute is running`);
    }
    return this.requestVote(sk);
  }

  private requestVote(sk: number): ProposerEffect[] {
    this.sks[sk]!.state = 'wait-verdict';
    return [{ kind: 'send', sk, message: { tag: 'v', generation: this.mconf.generation, term: this.term } }];
  }

  private onVote(sk: number, msg: VoteResponse): ProposerEffect[] {
    const view = this.sks[sk]!;
    if (!msg.voteGiven && (msg.term > this.term || this.phase === 'campaign')) {
      return this.restart(`safekeeper ${view.nodeId} with term ${msg.term} rejects our vote request for term ${this.term}`);
    }
    view.vote = msg;
    view.state = 'wait-elected';
    if (this.phase === 'elected') return this.sendElected(sk);
    if (!this.quorumOf(['wait-elected'])) return [];
    return this.becomeElected();
  }

  private lastLogTermOf(v: SkView): number {
    const h = v.vote!.termHistory;
    return h.length ? h[h.length - 1]!.term : 0;
  }

  private becomeElected(): ProposerEffect[] {
    // Donor: the voter with the highest (last_log_term, flush_lsn).
    let donor = -1;
    this.truncateLsn = 0;
    this.sks.forEach((v, i) => {
      if (v.state !== 'wait-elected') return;
      if (!this.inMembers(v)) return;
      const d = donor >= 0 ? this.sks[donor]! : null;
      if (!d || this.lastLogTermOf(v) > this.lastLogTermOf(d) || (this.lastLogTermOf(v) === this.lastLogTermOf(d) && v.vote!.flushLsn > d.vote!.flushLsn)) donor = i;
      this.truncateLsn = Math.max(this.truncateLsn, v.vote!.truncateLsn);
    });
    const d = this.sks[donor]!;
    if (d.vote!.flushLsn === 0) return this.restart('no safekeeper knows where the timeline starts (flush_lsn 0/0 everywhere)');
    this.phase = 'elected';
    this.donor = donor;
    this.termStartLsn = d.vote!.flushLsn;
    this.availableLsn = this.termStartLsn;
    this.termHistory = [...structuredClone(d.vote!.termHistory), { term: this.term, lsn: this.termStartLsn }];
    const effects: ProposerEffect[] = [{ kind: 'elected', term: this.term, startLsn: this.termStartLsn, donor, termHistory: this.termHistory }];
    this.sks.forEach((v, i) => {
      if (v.state === 'wait-elected') effects.push(...this.sendElected(i));
    });
    return effects;
  }

  private inMembers(v: SkView): boolean {
    if (!this.config.generationsEnabled) return true;
    const id = v.nodeId!;
    return this.mconf.members.some((m) => m.id === id) || (this.mconf.new_members?.some((m) => m.id === id) ?? false);
  }

  /** Where this safekeeper's WAL leaves our history: it streams from there. */
  private startStreamingAt(v: SkView): Lsn {
    const ours = this.termHistory;
    const theirs = v.vote!.termHistory;
    let idx = 0;
    while (idx < Math.min(ours.length, theirs.length) && ours[idx]!.term === theirs[idx]!.term) idx++;
    idx -= 1;
    if (idx < 0) return ours[0]!.lsn; // no common term: stream from the start of our history
    if (ours[idx]!.term === this.term) return v.vote!.flushLsn;
    const oursEnd = ours[idx + 1]!.lsn;
    const theirsEnd = idx + 1 < theirs.length ? theirs[idx + 1]!.lsn : v.vote!.flushLsn;
    return Math.min(oursEnd, theirsEnd);
  }

  private sendElected(sk: number): ProposerEffect[] {
    const view = this.sks[sk]!;
    const start = this.startStreamingAt(view);
    if (start > this.availableLsn) return this.restart(`start point ${formatLsn(start)} for safekeeper ${view.nodeId} is beyond available WAL ${formatLsn(this.availableLsn)}`);
    view.state = 'active';
    view.streamingAt = start;
    return [
      { kind: 'send', sk, message: { tag: 'e', generation: this.mconf.generation, term: this.term, startStreamingAt: start, termHistory: this.termHistory } },
      ...this.appendsFor(sk, true),
    ];
  }

  // --- streaming ------------------------------------------------------------------------------

  /** AppendRequests for everything `sk` has not been sent yet; with `heartbeat`, at least one. */
  private appendsFor(sk: number, heartbeat: boolean): ProposerEffect[] {
    const view = this.sks[sk]!;
    if (view.state !== 'active') return [];
    const effects: ProposerEffect[] = [];
    while (view.streamingAt < this.availableLsn || (heartbeat && effects.length === 0)) {
      const end = Math.min(this.availableLsn, view.streamingAt + this.config.maxSendBytes);
      effects.push({
        kind: 'append', sk, generation: this.mconf.generation, term: this.term,
        beginLsn: view.streamingAt, endLsn: end, commitLsn: this.commitLsn, truncateLsn: this.truncateLsn,
      });
      view.streamingAt = end;
    }
    return effects;
  }

  private onAppendResponse(sk: number, msg: AppendResponse): ProposerEffect[] {
    const view = this.sks[sk]!;
    if (msg.generation !== this.mconf.generation) {
      return this.restart(`safekeeper ${view.nodeId} answered in generation ${msg.generation}, expected ${this.mconf.generation}`);
    }
    if (msg.term > this.term) {
      return this.restart(`safekeeper ${view.nodeId} has term ${msg.term}, higher than ours (${this.term}): another compute is running`);
    }
    view.ackedFlushLsn = msg.flushLsn;
    view.ackedCommitLsn = msg.commitLsn;
    const effects: ProposerEffect[] = [];
    const committed = this.quorumCommitLsn();
    if (committed > this.commitLsn) {
      this.commitLsn = committed;
      effects.push({ kind: 'commit', lsn: committed });
      // Tell every safekeeper the new commit LSN (an empty append if there is no new WAL).
      this.sks.forEach((_, i) => effects.push(...this.appendsFor(i, true)));
    }
    const minFlush = Math.min(...this.sks.map((v) => v.ackedFlushLsn));
    this.truncateLsn = Math.max(this.truncateLsn, Math.min(minFlush, this.commitLsn));
    return effects;
  }

  /** Per member set: sort acknowledged flush LSNs (those below the term start count as 0) and take
   * the value a quorum holds; in a joint configuration, the lower of the two sets. */
  quorumCommitLsn(): Lsn {
    const acked = (v: SkView | undefined) => (v && v.ackedFlushLsn >= this.termStartLsn ? v.ackedFlushLsn : 0);
    const committedIn = (values: Lsn[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted[sorted.length - (this.config.ackSingleFlush ? 1 : quorumOf(sorted.length))]!;
    };
    if (!this.config.generationsEnabled) return committedIn(this.sks.map(acked));
    const byNode = (id: number) => this.sks.find((v) => v.nodeId === id);
    const members = committedIn(this.mconf.members.map((m) => acked(byNode(m.id))));
    if (!this.mconf.new_members) return members;
    return Math.min(members, committedIn(this.mconf.new_members.map((m) => acked(byNode(m.id)))));
  }
}
