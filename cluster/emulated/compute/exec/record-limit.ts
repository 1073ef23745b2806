// How much one transaction may change. A transaction commits as one WAL record, and the WAL writer
// refuses a record whose payload is over MAX_PAYLOAD (cluster/wal/format.ts), well inside a 16 MiB
// segment. Measured here, before the engine sees the transaction, so that an oversized one fails
// as a SQL error (54000) and nothing is sent to the safekeepers.

import { MAX_PAYLOAD, type Mutation } from '../../../wal/format.ts';
import { PgError } from '../pg-wire/index.ts';
import { ExecState } from './sqlstate.ts';

const MIB = 1024 * 1024;
export const TRANSACTION_LIMIT_MIB = MAX_PAYLOAD / MIB;

/** The payload's mutation count. */
const PAYLOAD_HEADER_BYTES = 4;

/**
 * The fewest bytes a new row adds to a record: op (1), key length (4), a key of a 5-byte table
 * prefix and at least one byte of primary key, value length (4), and a JSON row of at least 3
 * bytes (`[1]`). No more rows than MAX_PAYLOAD / this can fit in one transaction.
 */
const MIN_ROW_BYTES = 1 + 4 + 6 + 4 + 3;
export const MAX_ROWS_PER_TRANSACTION = Math.floor(MAX_PAYLOAD / MIN_ROW_BYTES);

/** Bytes a mutation adds to its record's payload (the layout of encodeTransactionPayload). */
export function mutationBytes(m: Mutation): number {
  return 1 + 4 + m.key.length + (m.value ? 4 + m.value.length : 0);
}

/** Fails unless mutations of `bytes` in all (mutationBytes summed) fit in one record. */
export function checkTransactionSize(bytes: number): void {
  const payload = PAYLOAD_HEADER_BYTES + bytes;
  if (payload <= MAX_PAYLOAD) return;
  throw tooLarge(`transaction too large: its changes take ${Math.ceil((payload / MIB) * 10) / 10} MiB, more than the ${TRANSACTION_LIMIT_MIB} MiB one WAL record holds`);
}

export function tooLarge(message: string): PgError {
  return new PgError(ExecState.programLimitExceeded, message, {
    hint: 'Commit in smaller transactions, e.g. insert fewer rows per statement and per transaction.',
  });
}
