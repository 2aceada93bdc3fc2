/**
 * A bounds-checked big-endian cursor over a Buffer: every Artemis encoding is read through it.
 *
 * Reading past the end, or a length field that does not fit what is left, throws a DecodeError.
 * Decoders let it propagate; the journal/page readers catch it at record level and turn it into a
 * diagnostic with file and offset, so a damaged record never crashes the reader and never yields
 * a half-decoded value.
 */
export class DecodeError extends Error {
  constructor(
    message: string,
    /** Offset inside the buffer being decoded (relative to the reader's buffer start). */
    readonly at: number,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

export class BufferReader {
  private pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get position(): number {
    return this.pos;
  }

  set position(p: number) {
    if (p < 0 || p > this.end) throw new DecodeError(`seek to ${p} outside 0..${this.end}`, this.pos);
    this.pos = p;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get limit(): number {
    return this.end;
  }

  /** Throws unless `n` more bytes are available. `n` may come from untrusted data. */
  need(n: number, what = 'field'): void {
    if (!Number.isInteger(n) || n < 0) throw new DecodeError(`invalid length ${n} for ${what}`, this.pos);
    if (this.pos + n > this.end) {
      throw new DecodeError(`${what} needs ${n} bytes, only ${this.end - this.pos} left`, this.pos);
    }
  }

  u8(): number {
    this.need(1, 'u8');
    return this.buf[this.pos++]!;
  }

  i8(): number {
    this.need(1, 'i8');
    return this.buf.readInt8(this.pos++);
  }

  /** Artemis booleans: any non-zero byte is true (both 0x01 and 0xFF writers exist). */
  bool(): boolean {
    return this.u8() !== 0;
  }

  i16(): number {
    this.need(2, 'i16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u16(): number {
    this.need(2, 'u16');
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  i32(): number {
    this.need(4, 'i32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u32(): number {
    this.need(4, 'u32');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  i64(): bigint {
    this.need(8, 'i64');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  u64(): bigint {
    this.need(8, 'u64');
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  f32(): number {
    this.need(4, 'f32');
    const v = this.buf.readFloatBE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8, 'f64');
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A view (no copy) of the next `n` bytes. Copy it if it must outlive the underlying buffer. */
  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** `i32` length followed by that many bytes (a view). */
  lengthPrefixedBytes(what = 'bytes'): Buffer {
    const n = this.i32();
    return this.bytes(n, what);
  }

  skip(n: number, what = 'skip'): void {
    this.need(n, what);
    this.pos += n;
  }

  /** A reader over the next `n` bytes, advancing this one past them. */
  sub(n: number, what = 'section'): BufferReader {
    this.need(n, what);
    const r = new BufferReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  fail(message: string): never {
    throw new DecodeError(message, this.pos);
  }
}
