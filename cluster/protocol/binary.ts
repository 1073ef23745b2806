// Big-endian field encoding for the binary protocols (the layouts of Neon's walproposer protocol v3).

export class BinaryWriter {
  private chunks: Buffer[] = [];

  u8(v: number): this { const b = Buffer.alloc(1); b.writeUInt8(v); this.chunks.push(b); return this; }
  u16(v: number): this { const b = Buffer.alloc(2); b.writeUInt16BE(v); this.chunks.push(b); return this; }
  u32(v: number): this { const b = Buffer.alloc(4); b.writeUInt32BE(v); this.chunks.push(b); return this; }
  /** u64 from a safe integer (LSNs, terms, node ids). */
  u64(v: number): this { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(v)); this.chunks.push(b); return this; }
  i64(v: number): this { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(v)); this.chunks.push(b); return this; }
  cstr(s: string): this { this.chunks.push(Buffer.from(s + '\0', 'utf8')); return this; }
  bytes(b: Buffer): this { this.chunks.push(b); return this; }
  done(): Buffer { return Buffer.concat(this.chunks); }
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export class BinaryReader {
  private offset = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number, what: string): void {
    if (this.offset + n > this.buf.length) throw new ProtocolError(`message too short reading ${what}`);
  }

  u8(what = 'u8'): number { this.need(1, what); return this.buf.readUInt8(this.offset++); }
  u16(what = 'u16'): number { this.need(2, what); const v = this.buf.readUInt16BE(this.offset); this.offset += 2; return v; }
  u32(what = 'u32'): number { this.need(4, what); const v = this.buf.readUInt32BE(this.offset); this.offset += 4; return v; }
  u64(what = 'u64'): number {
    this.need(8, what);
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtocolError(`${what} ${v} is beyond 2^53`);
    return Number(v);
  }
  i64(what = 'i64'): number { this.need(8, what); const v = this.buf.readBigInt64BE(this.offset); this.offset += 8; return Number(v); }
  cstr(what = 'string'): string {
    const end = this.buf.indexOf(0, this.offset);
    if (end < 0) throw new ProtocolError(`unterminated ${what}`);
    const s = this.buf.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }
  bytes(n: number, what = 'bytes'): Buffer { this.need(n, what); const b = this.buf.subarray(this.offset, this.offset + n); this.offset += n; return b; }
  rest(): Buffer { const b = this.buf.subarray(this.offset); this.offset = this.buf.length; return b; }
  remaining(): number { return this.buf.length - this.offset; }
}
