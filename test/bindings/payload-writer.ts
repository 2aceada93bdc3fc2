/** Test-only big-endian writer for hand-built bindings payloads (the inverse of the §1 readers). */
export class PayloadWriter {
  private readonly parts: Buffer[] = [];

  u8(v: number): this {
    this.parts.push(Buffer.from([v & 0xff]));
    return this;
  }
  /** ActiveMQBuffer-style boolean: 0xFF for true. */
  bool(v: boolean): this {
    return this.u8(v ? 0xff : 0);
  }
  i16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  i64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }
  f64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    this.parts.push(b);
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  /** §1.1 */
  ss(s: string): this {
    const data = Buffer.from(s, 'utf16le');
    return this.i32(data.length).raw(data);
  }
  /** §1.2 */
  nss(s: string | null): this {
    return s === null ? this.u8(0) : this.u8(1).ss(s);
  }
  /** §1.6 */
  str(s: string): this {
    this.i32(s.length);
    if (s.length < 9) {
      for (let i = 0; i < s.length; i++) this.i16(s.charCodeAt(i));
      return this;
    }
    if (s.length < 0xfff) {
      const units: number[] = [];
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c < 0x80) units.push(c); // U+0000 as one 0x00 byte, as Artemis writes it
        else if (c < 0x800) units.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
        else units.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
      }
      const b = Buffer.alloc(2);
      b.writeUInt16BE(units.length);
      return this.raw(b).raw(Buffer.from(units));
    }
    return this.ss(s);
  }
  /** §1.4 nullable String */
  nstr(s: string | null): this {
    return s === null ? this.u8(0) : this.u8(1).str(s);
  }
  /** §1.4 nullable primitives (marker 0x00 / 0x01; BufferHelper style uses 0xFF, see `marker`). */
  nint(v: number | null, marker = 1): this {
    return v === null ? this.u8(0) : this.u8(marker).i32(v);
  }
  nlong(v: bigint | null, marker = 1): this {
    return v === null ? this.u8(0) : this.u8(marker).i64(v);
  }
  nbool(v: boolean | null, marker = 1): this {
    return v === null ? this.u8(0) : this.u8(marker).bool(v);
  }
  ndouble(v: number | null, marker = 0xff): this {
    return v === null ? this.u8(0) : this.u8(marker).f64(v);
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}
