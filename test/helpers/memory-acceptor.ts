// An acceptor core driven in memory, for consensus unit tests: WAL is a byte array per LSN range,
// the control file a variable; steps run exactly as the safekeeper shell runs them.

import { Acceptor, type ControlState, type Step } from '../../cluster/emulated/safekeeper/core/acceptor.ts';
import type { Configuration } from '../../cluster/protocol/membership.ts';
import type { AcceptorMessage, ProposerMessage } from '../../cluster/protocol/wal-service.ts';

export const TENANT = '11111111111111111111111111111111';
export const TIMELINE = '22222222222222222222222222222222';

export function initialControl(mconf: Configuration, startLsn: number): ControlState {
  return {
    tenantId: TENANT, timelineId: TIMELINE, mconf,
    acceptor: { term: 0, termHistory: [] },
    server: { pgVersion: 170000, systemId: 0, walSegSize: 16 * 1024 * 1024 },
    timelineStartLsn: startLsn, localStartLsn: startLsn,
    commitLsn: startLsn, backupLsn: startLsn, peerHorizonLsn: startLsn, remoteConsistentLsn: startLsn,
  };
}

export class MemoryAcceptor {
  core: Acceptor;
  /** WAL bytes from `walStart`; written but maybe not flushed. */
  wal: Buffer = Buffer.alloc(0);
  walStart: number;
  flushed = 0;
  persisted: ControlState;
  persistCount = 0;
  /** Steps run, in order, for assertions on ordering (persist before reply, ...). */
  log: string[] = [];

  constructor(readonly id: number, control: ControlState) {
    this.walStart = control.timelineStartLsn;
    this.persisted = structuredClone(control);
    this.core = new Acceptor(id, control, control.timelineStartLsn);
  }

  get walEnd(): number {
    return this.walStart + this.wal.length;
  }

  /** Simulates kill -9 and restart: unflushed WAL is lost, the control file survives. */
  crash(): void {
    this.wal = this.wal.subarray(0, this.flushed);
    this.core = new Acceptor(this.id, this.persisted, this.walEnd);
  }

  walBetween(from: number, to: number): Buffer {
    return this.wal.subarray(from - this.walStart, to - this.walStart);
  }

  handle(msg: ProposerMessage, flush = true): AcceptorMessage[] {
    return this.run(this.core.handle(msg, { flush }));
  }

  flush(): AcceptorMessage[] {
    return this.run(this.core.flush());
  }

  private run(steps: Step[]): AcceptorMessage[] {
    const replies: AcceptorMessage[] = [];
    for (const step of steps) {
      this.log.push(step.kind);
      switch (step.kind) {
        case 'write-wal':
          if (step.lsn !== this.walEnd) throw new Error(`non-contiguous write at ${step.lsn}, end ${this.walEnd}`);
          this.wal = Buffer.concat([this.wal, step.data]);
          break;
        case 'truncate-wal':
          if (step.lsn < this.walStart) {
            this.walStart = step.lsn;
            this.wal = Buffer.alloc(0);
          } else {
            this.wal = this.wal.subarray(0, Math.min(this.wal.length, step.lsn - this.walStart));
            if (step.lsn > this.walEnd) this.walStart = step.lsn - this.wal.length; // no WAL yet: begins there
          }
          this.flushed = Math.min(this.flushed, this.wal.length);
          break;
        case 'flush-wal':
          this.flushed = this.wal.length;
          this.core.walFlushed(this.walEnd); // test WAL has no record structure: every byte counts
          break;
        case 'persist':
          this.persisted = structuredClone(step.control);
          this.persistCount++;
          break;
        case 'reply':
          replies.push(step.message);
          break;
        case 'then':
          replies.push(...this.run(step.next()));
          break;
      }
    }
    return replies;
  }
}
