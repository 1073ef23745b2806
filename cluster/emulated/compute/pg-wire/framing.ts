// Cuts the incoming byte stream into protocol messages, whatever the TCP chunking. A connection
// starts with untyped startup-phase packets (length, then a request code) and switches to typed
// messages (type byte, length) once a startup message has been framed — at framing time, so a
// client that pipelines its first query behind the startup message is framed correctly.

import { protocolViolation } from './errors.ts';

/** A sane PostgreSQL rejects bigger messages too (PG_MAX_ALLOC is 1 GiB; we are an emulator). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
const MAX_STARTUP_BYTES = 10_000;

export const PROTOCOL_3 = 3;
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

export type FramedMessage =
  /** `code` is the protocol version (major << 16 | minor) or a special request code. */
  | { phase: 'startup'; code: number; body: Buffer }
  | { phase: 'typed'; type: string; body: Buffer };

export class MessageFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private inStartup = true;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete message, or null until more bytes arrive. Throws PgError (FATAL 08P01). */
  next(): FramedMessage | null {
    return this.inStartup ? this.nextStartup() : this.nextTyped();
  }

  private nextStartup(): FramedMessage | null {
    const head = this.peek(8);
    if (!head) return null;
    const length = head.readInt32BE(0);
    if (length < 8 || length > MAX_STARTUP_BYTES) throw protocolViolation('invalid length of startup packet');
    const packet = this.take(length);
    if (!packet) return null;
    const code = packet.readInt32BE(4);
    if (code >> 16 === PROTOCOL_3) this.inStartup = false;
    return { phase: 'startup', code, body: packet.subarray(8) };
  }

  private nextTyped(): FramedMessage | null {
    const head = this.peek(5);
    if (!head) return null;
    const length = head.readInt32BE(1);
    if (length < 4) throw protocolViolation(`invalid message length ${length}`);
    if (length > MAX_MESSAGE_BYTES) throw protocolViolation(`message of ${length} bytes exceeds the limit of ${MAX_MESSAGE_BYTES}`);
    const message = this.take(1 + length);
    if (!message) return null;
    return { phase: 'typed', type: String.fromCharCode(message[0]!), body: message.subarray(5) };
  }

  /** The first `n` buffered bytes without consuming them (merging small leading chunks only). */
  private peek(n: number): Buffer | null {
    if (this.buffered < n) return null;
    if (this.chunks[0]!.length < n) this.merge(n);
    return this.chunks[0]!;
  }

  /** Consumes `n` bytes; copies once, when the whole message is there (no quadratic re-concat). */
  private take(n: number): Buffer | null {
    if (this.buffered < n) return null;
    if (this.chunks[0]!.length < n) this.merge(n);
    const first = this.chunks[0]!;
    const message = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return message;
  }

  /** Joins leading chunks until the first holds at least `n` bytes. */
  private merge(n: number): void {
    let count = 0;
    let size = 0;
    while (size < n) size += this.chunks[count++]!.length;
    this.chunks.splice(0, count, Buffer.concat(this.chunks.slice(0, count), size));
  }
}
