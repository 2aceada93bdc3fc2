/**
 * Test-only encoders of the Artemis buffer primitives (format spec §1), the inverse of
 * journal/binary and journal/core/typed-properties, shared by the tests that hand-build records.
 */

export function i32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

export function i64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
}

/** §1.3 ActiveMQBuffer boolean: 0xFF for true. */
export function bool(v: boolean): Buffer {
  return Buffer.from([v ? 0xff : 0]);
}

/** §1.1 SimpleString: i32 byte length, UTF-16LE units. */
export function simpleString(s: string): Buffer {
  const data = Buffer.from(s, 'utf16le');
  return Buffer.concat([i32(data.length), data]);
}

/** §1.2 */
export function nullableSimpleString(s: string | null): Buffer {
  return s === null ? Buffer.from([0]) : Buffer.concat([Buffer.from([1]), simpleString(s)]);
}

/** Chained big-endian writer of the §1 primitives. */
export class Writer {
  private readonly parts: Buffer[] = [];

  raw(b: Buffer | number[]): this {
    this.parts.push(Buffer.isBuffer(b) ? b : Buffer.from(b));
    return this;
  }
  u8(v: number): this {
    return this.raw([v & 0xff]);
  }
  bool(v: boolean): this {
    return this.raw(bool(v));
  }
  /** Also writes u16: the low 16 bits of v. */
  i16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v & 0xffff);
    return this.raw(b);
  }
  u16(v: number): this {
    return this.i16(v);
  }
  i32(v: number): this {
    return this.raw(i32(v));
  }
  i64(v: bigint): this {
    return this.raw(i64(v));
  }
  f32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeFloatBE(v);
    return this.raw(b);
  }
  f64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return this.raw(b);
  }
  /** §1.1 SimpleString */
  ss(s: string): this {
    return this.raw(simpleString(s));
  }
  /** §1.2 nullable SimpleString */
  nss(s: string | null): this {
    return this.raw(nullableSimpleString(s));
  }
  /** §1.5: each UTF-16 unit on 1–3 bytes, U+0000 as a single 0 byte (as Artemis writes it). */
  utf(s: string): this {
    const bytes: number[] = [];
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) bytes.push(c);
      else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
      else bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    }
    return this.u16(bytes.length).raw(bytes);
  }
  /** §1.6 String: its form depends on the length. */
  str(s: string): this {
    this.i32(s.length);
    if (s.length < 9) {
      for (let i = 0; i < s.length; i++) this.i16(s.charCodeAt(i));
      return this;
    }
    return s.length < 0xfff ? this.utf(s) : this.ss(s);
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** One TypedProperties entry: key, tag and the already-encoded value. */
export type Entry = [key: string, tag: number, value: Buffer];

/** §1.7 TypedProperties; null writes the "no properties" marker. */
export function typedProperties(entries: Entry[] | null): Buffer {
  if (entries === null) return Buffer.from([0]);
  const w = new Writer().u8(1).i32(entries.length);
  for (const [k, tag, v] of entries) w.ss(k).u8(tag).raw(v);
  return w.build();
}

/** TypedProperties of string values (tag 10); an empty object writes "no properties". */
export function stringProperties(entries: Record<string, string>): Buffer {
  const keys = Object.keys(entries);
  return typedProperties(keys.length === 0 ? null : keys.map((k): Entry => [k, 10, simpleString(entries[k]!)]));
}
