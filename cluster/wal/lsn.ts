// LSNs: byte positions in a timeline's WAL. Written as Neon writes them, "X/Y" with the high and
// low 32 bits in uppercase hex (0/16B3748). Held as JS numbers: exact up to 2^53 bytes (8 PiB of
// WAL), far beyond anything a local cluster writes; larger values are refused, not rounded.

export type Lsn = number;

export const INVALID_LSN: Lsn = 0;

export function formatLsn(lsn: Lsn): string {
  const high = Math.floor(lsn / 2 ** 32);
  const low = lsn % 2 ** 32;
  return `${high.toString(16).toUpperCase()}/${low.toString(16).toUpperCase()}`;
}

export class LsnError extends Error {
  override name = 'LsnError';
}

export function parseLsn(text: string): Lsn {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!m) throw new LsnError(`"${text}" is not an LSN; LSNs look like 0/16B3748`);
  const lsn = parseInt(m[1]!, 16) * 2 ** 32 + parseInt(m[2]!, 16);
  if (!Number.isSafeInteger(lsn)) throw new LsnError(`LSN ${text} is beyond what neon-local supports (2^53 bytes)`);
  return lsn;
}

/** u64 from a buffer (big-endian) as an LSN. */
export function readLsn(buf: Buffer, offset: number): Lsn {
  const value = buf.readBigUInt64BE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new LsnError(`LSN ${value} is beyond what neon-local supports (2^53 bytes)`);
  return Number(value);
}

export function writeLsn(buf: Buffer, lsn: Lsn, offset: number): void {
  buf.writeBigUInt64BE(BigInt(lsn), offset);
}
