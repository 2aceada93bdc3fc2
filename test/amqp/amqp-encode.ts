/**
 * Test-only AMQP 1.0 byte builders: just enough to write valid (and deliberately invalid)
 * encodings by hand, independent of the decoder under test.
 */
import { bool, i32, i64, nullableSimpleString, simpleString, stringProperties } from '../support/encode.js';

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);
const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);

function u32(n: number): Buffer {
  const x = Buffer.alloc(4);
  x.writeUInt32BE(n >>> 0);
  return x;
}

export const A = {
  null: () => b(0x40),
  true: () => b(0x41),
  false: () => b(0x42),
  boolean: (v: boolean) => b(0x56, v ? 1 : 0),
  ubyte: (v: number) => b(0x50, v),
  byte: (v: number) => b(0x51, v & 0xff),
  ushort: (v: number) => {
    const x = Buffer.alloc(3);
    x[0] = 0x60;
    x.writeUInt16BE(v, 1);
    return x;
  },
  short: (v: number) => {
    const x = Buffer.alloc(3);
    x[0] = 0x61;
    x.writeInt16BE(v, 1);
    return x;
  },
  uint: (v: number) => cat(b(0x70), u32(v)),
  smalluint: (v: number) => b(0x52, v),
  uint0: () => b(0x43),
  ulong: (v: bigint) => {
    const x = Buffer.alloc(9);
    x[0] = 0x80;
    x.writeBigUInt64BE(v, 1);
    return x;
  },
  smallulong: (v: number) => b(0x53, v),
  ulong0: () => b(0x44),
  int: (v: number) => {
    const x = Buffer.alloc(5);
    x[0] = 0x71;
    x.writeInt32BE(v, 1);
    return x;
  },
  smallint: (v: number) => b(0x54, v & 0xff),
  long: (v: bigint) => {
    const x = Buffer.alloc(9);
    x[0] = 0x81;
    x.writeBigInt64BE(v, 1);
    return x;
  },
  smalllong: (v: number) => b(0x55, v & 0xff),
  float: (v: number) => {
    const x = Buffer.alloc(5);
    x[0] = 0x72;
    x.writeFloatBE(v, 1);
    return x;
  },
  double: (v: number) => {
    const x = Buffer.alloc(9);
    x[0] = 0x82;
    x.writeDoubleBE(v, 1);
    return x;
  },
  decimal32: (bytes: Buffer) => cat(b(0x74), bytes),
  decimal64: (bytes: Buffer) => cat(b(0x84), bytes),
  decimal128: (bytes: Buffer) => cat(b(0x94), bytes),
  char: (cp: number) => cat(b(0x73), u32(cp)),
  timestamp: (ms: bigint) => {
    const x = Buffer.alloc(9);
    x[0] = 0x83;
    x.writeBigInt64BE(ms, 1);
    return x;
  },
  uuid: (text: string) => cat(b(0x98), Buffer.from(text.replace(/-/g, ''), 'hex')),
  vbin8: (data: Buffer) => cat(b(0xa0, data.length), data),
  vbin32: (data: Buffer) => cat(b(0xb0), u32(data.length), data),
  str8: (s: string) => {
    const d = Buffer.from(s, 'utf8');
    return cat(b(0xa1, d.length), d);
  },
  str32: (s: string) => {
    const d = Buffer.from(s, 'utf8');
    return cat(b(0xb1), u32(d.length), d);
  },
  /** str8 with raw (possibly invalid UTF-8) bytes. */
  str8raw: (d: Buffer) => cat(b(0xa1, d.length), d),
  sym8: (s: string) => {
    const d = Buffer.from(s, 'ascii');
    return cat(b(0xa3, d.length), d);
  },
  sym32: (s: string) => {
    const d = Buffer.from(s, 'ascii');
    return cat(b(0xb3), u32(d.length), d);
  },
  list0: () => b(0x45),
  list8: (...items: Buffer[]) => {
    const body = cat(...items);
    return cat(b(0xc0, body.length + 1, items.length), body);
  },
  list32: (...items: Buffer[]) => {
    const body = cat(...items);
    return cat(b(0xd0), u32(body.length + 4), u32(items.length), body);
  },
  map8: (...kv: Buffer[]) => {
    const body = cat(...kv);
    return cat(b(0xc1, body.length + 1, kv.length), body);
  },
  map32: (...kv: Buffer[]) => {
    const body = cat(...kv);
    return cat(b(0xd1), u32(body.length + 4), u32(kv.length), body);
  },
  /** `ctor` = element constructor bytes (format code, or 0x00 descriptor code); payloads without it. */
  array8: (ctor: Buffer, payloads: Buffer[]) => {
    const body = cat(ctor, ...payloads);
    return cat(b(0xe0, body.length + 1, payloads.length), body);
  },
  array32: (ctor: Buffer, payloads: Buffer[]) => {
    const body = cat(ctor, ...payloads);
    return cat(b(0xf0), u32(body.length + 4), u32(payloads.length), body);
  },
  described: (descriptor: Buffer, value: Buffer) => cat(b(0x00), descriptor, value),
  /** A message section with a small-ulong descriptor. */
  section: (code: number, value: Buffer) => cat(b(0x00, 0x53, code), value),
  raw: b,
  cat,
  u32,
};

/** A described-ulong section whose descriptor uses the full 8-byte ulong form. */
export function sectionUlong(code: number, value: Buffer): Buffer {
  return A.cat(A.raw(0x00), A.ulong(BigInt(code)), value);
}

/** A section with its symbolic descriptor. */
export function sectionSymbol(name: string, value: Buffer): Buffer {
  return A.cat(A.raw(0x00), A.sym8(name), value);
}

/** Artemis record primitives (§1), for the record parts around the AMQP bytes. */
export const R = { i32, i64, bool, simpleString, nullableSimpleString, typedProperties: stringProperties };
