/**
 * A growable output buffer for the encoder: values are written in place instead of as one small
 * Buffer each, so encoding a message allocates its result and little else (at a million messages
 * the small Buffers were a quarter of the drainer's CPU, mostly garbage collection).
 *
 * Writers are reused: `withWriter` lends one from a free list (encoders may nest, e.g. an array
 * plan encoding its descriptor) and `take()` copies the bytes out, so nothing handed to a caller
 * aliases the scratch space.
 */
export class ByteWriter {
  buf: Buffer;
  length = 0;

  constructor(initialSize = 4096) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(x: number): void {
    this.ensure(1);
    this.buf[this.length++] = x;
  }

  u16(x: number): void {
    this.ensure(2);
    this.length = this.buf.writeUInt16BE(x, this.length);
  }

  i16(x: number): void {
    this.ensure(2);
    this.length = this.buf.writeInt16BE(x, this.length);
  }

  u32(x: number): void {
    this.ensure(4);
    this.length = this.buf.writeUInt32BE(x, this.length);
  }

  i32(x: number): void {
    this.ensure(4);
    this.length = this.buf.writeInt32BE(x, this.length);
  }

  f32(x: number): void {
    this.ensure(4);
    this.length = this.buf.writeFloatBE(x, this.length);
  }

  f64(x: number): void {
    this.ensure(8);
    this.length = this.buf.writeDoubleBE(x, this.length);
  }

  u64(x: bigint): void {
    this.ensure(8);
    this.length = this.buf.writeBigUInt64BE(x, this.length);
  }

  i64(x: bigint): void {
    this.ensure(8);
    this.length = this.buf.writeBigInt64BE(x, this.length);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** `s` as UTF-8; `byteLength` is Buffer.byteLength(s), which the caller needed for the size prefix. */
  utf8(s: string, byteLength: number): void {
    this.ensure(byteLength);
    this.length += this.buf.write(s, this.length, byteLength, 'utf8');
  }

  /** A copy of everything written since `from`. */
  take(from = 0): Buffer {
    const out = Buffer.allocUnsafe(this.length - from);
    this.buf.copy(out, 0, from, this.length);
    return out;
  }
}

const free: ByteWriter[] = [];

/** Runs `fn` with an empty writer and returns a copy of what it wrote. */
export function withWriter(fn: (w: ByteWriter) => void): Buffer {
  const w = free.pop() ?? new ByteWriter();
  w.length = 0;
  try {
    fn(w);
    return w.take();
  } finally {
    // A writer grown for a huge value is not kept: the scratch space stays small.
    if (w.buf.length <= 1024 * 1024) free.push(w);
  }
}
