/** Test-only encoders for the core formats (the inverse of journal/core), to hand-build inputs. */
import { i32, i64, simpleString, Writer } from '../support/encode.js';

export const val = {
  none: () => Buffer.alloc(0),
  u8: (v: number) => new Writer().u8(v).build(),
  i16: (v: number) => new Writer().i16(v).build(),
  i32,
  i64,
  f32: (v: number) => new Writer().f32(v).build(),
  f64: (v: number) => new Writer().f64(v).build(),
  bytes: (b: Buffer) => new Writer().i32(b.length).raw(b).build(),
  ss: simpleString,
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
  const w = new Writer().i64(h.messageId).nss(h.address);
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
  return new Writer().i64(messageId).nss(address).i32(buffer.length).raw(buffer).build();
}

/** Deterministic PRNG for fuzz tests. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}
