/** Test-only encoders for the core formats (the inverse of journal/core), to hand-build inputs. */

export class Writer {
  private readonly parts: Buffer[] = [];

  raw(b: Buffer | number[]): this {
    this.parts.push(Buffer.isBuffer(b) ? b : Buffer.from(b));
    return this;
  }
  u8(v: number): this {
    return this.raw([v & 0xff]);
  }
  i16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v & 0xffff);
    return this.raw(b);
  }
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.raw(b);
  }
  u16(v: number): this {
    return this.i16(v);
  }
  i64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    return this.raw(b);
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
  /** §1.1 */
  simpleString(s: string): this {
    const b = Buffer.from(s, 'utf16le');
    return this.i32(b.length).raw(b);
  }
  /** §1.2 */
  nullableSimpleString(s: string | null): this {
    return s === null ? this.u8(0) : this.u8(1).simpleString(s);
  }
  /** §1.5: each UTF-16 unit on 1–3 bytes, U+0000 as a single 0 byte. */
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
  /** §1.6 */
  string(s: string): this {
    this.i32(s.length);
    if (s.length < 9) {
      for (let i = 0; i < s.length; i++) this.i16(s.charCodeAt(i));
      return this;
    }
    return s.length < 0xfff ? this.utf(s) : this.simpleString(s);
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** One TypedProperties entry: key, tag and the already-encoded value. */
export type Entry = [key: string, tag: number, value: Buffer];

export function typedProperties(entries: Entry[] | null): Buffer {
  if (entries === null) return Buffer.from([0]);
  const w = new Writer().u8(1).i32(entries.length);
  for (const [k, tag, v] of entries) w.simpleString(k).u8(tag).raw(v);
  return w.build();
}

export const val = {
  none: () => Buffer.alloc(0),
  u8: (v: number) => new Writer().u8(v).build(),
  i16: (v: number) => new Writer().i16(v).build(),
  i32: (v: number) => new Writer().i32(v).build(),
  i64: (v: bigint) => new Writer().i64(v).build(),
  f32: (v: number) => new Writer().f32(v).build(),
  f64: (v: number) => new Writer().f64(v).build(),
  bytes: (b: Buffer) => new Writer().i32(b.length).raw(b).build(),
  ss: (s: string) => new Writer().simpleString(s).build(),
};

export interface HeaderFields {
  messageId: bigint;
  address: string | null;
  /** 16 bytes or null. */
  userId: Buffer | null;
  type: number;
  durable: boolean;
  expiration: bigint;
  timestamp: bigint;
  priority: number;
  properties: Buffer;
}

/** §11.1 headers-and-properties block. */
export function coreHeaders(h: HeaderFields): Buffer {
  const w = new Writer().i64(h.messageId).nullableSimpleString(h.address);
  if (h.userId) w.u8(1).raw(h.userId);
  else w.u8(0);
  return w
    .u8(h.type)
    .u8(h.durable ? 1 : 0)
    .i64(h.expiration)
    .i64(h.timestamp)
    .u8(h.priority)
    .raw(h.properties)
    .build();
}

/** §10.2 core message buffer: i32 E, body, headers. */
export function coreBuffer(body: Buffer, headers: Buffer): Buffer {
  return new Writer()
    .i32(body.length + 13)
    .raw(body)
    .raw(headers)
    .build();
}

/** §10.2 persister-1 record body WITHOUT the persister byte. */
export function persistedCore(messageId: bigint, address: string | null, buffer: Buffer): Buffer {
  return new Writer().i64(messageId).nullableSimpleString(address).i32(buffer.length).raw(buffer).build();
}

/** Deterministic PRNG for fuzz tests. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}
