// Framing for neon-local's TCP protocols (WAL service, page service): each frame is a u32 length
// (of what follows), a one-byte tag and a body. A connection opens with a JSON hello frame ('H'),
// so a Postgres client that connects by mistake is recognised and told what the port is.

import { ProtocolError } from './binary.ts';

export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export interface Frame {
  tag: string;
  body: Buffer;
}

export function encodeFrame(tag: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(body.length + 1, 0);
  header.write(tag, 4, 1, 'latin1');
  return Buffer.concat([header, body]);
}

export function encodeJsonFrame(tag: string, value: unknown): Buffer {
  return encodeFrame(tag, Buffer.from(JSON.stringify(value), 'utf8'));
}

export function parseJsonBody<T>(frame: Frame): T {
  try {
    return JSON.parse(frame.body.toString('utf8')) as T;
  } catch {
    throw new ProtocolError(`frame '${frame.tag}' does not hold JSON`);
  }
}

/** A Postgres StartupMessage/SSLRequest begins with a length and then 0x0003 0000 / 1234 5679. */
export function looksLikePostgres(chunk: Buffer): boolean {
  if (chunk.length < 8) return false;
  const code = chunk.readUInt32BE(4);
  return code === 196608 || code === 80877103 || code === 80877104;
}

export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.pending.length >= 5) {
      const length = this.pending.readUInt32BE(0);
      if (length < 1 || length > MAX_FRAME_BYTES) throw new ProtocolError(`bad frame length ${length}`);
      if (this.pending.length < 4 + length) break;
      frames.push({ tag: this.pending.toString('latin1', 4, 5), body: this.pending.subarray(5, 4 + length) });
      this.pending = this.pending.subarray(4 + length);
    }
    return frames;
  }
}
