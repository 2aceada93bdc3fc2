/**
 * Primitive (non-compound) values: which constructor encodes a value, and the bytes that follow
 * that constructor. Kept apart from the choice so that arrays, whose elements share one
 * constructor, can pick the widest code their elements need and reuse the payload writers.
 */
import type { TypedValue } from '../../../journal/model/typed-value.js';
import { AmqpEncodeError } from './errors.js';
import { withWriter, type ByteWriter } from './byte-writer.js';

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;

export type ScalarValue = Exclude<TypedValue, { type: 'list' | 'array' | 'map' | 'described' }>;

/** Smallest constructor for one standalone scalar value. */
export function scalarConstructor(v: ScalarValue): number {
  switch (v.type) {
    case 'null':
      return 0x40;
    case 'boolean':
      return bool(v.value) ? 0x41 : 0x42;
    case 'ubyte':
      return 0x50;
    case 'ushort':
      return 0x60;
    case 'uint': {
      const n = checkInt(v.value, 0, 0xffffffff, 'uint');
      return n === 0 ? 0x43 : n <= 0xff ? 0x52 : 0x70;
    }
    case 'ulong': {
      const n = checkBig(v.value, 0n, U64_MAX, 'ulong');
      return n === 0n ? 0x44 : n <= 0xffn ? 0x53 : 0x80;
    }
    case 'byte':
      return 0x51;
    case 'short':
      return 0x61;
    case 'int': {
      const n = checkInt(v.value, -0x80000000, 0x7fffffff, 'int');
      return n >= -128 && n <= 127 ? 0x54 : 0x71;
    }
    case 'long': {
      const n = checkBig(v.value, I64_MIN, I64_MAX, 'long');
      return n >= -128n && n <= 127n ? 0x55 : 0x81;
    }
    case 'float':
      return 0x72;
    case 'double':
      return 0x82;
    case 'decimal32':
      return 0x74;
    case 'decimal64':
      return 0x84;
    case 'decimal128':
      return 0x94;
    case 'char':
      return 0x73;
    case 'timestamp':
      return 0x83;
    case 'uuid':
      return 0x98;
    case 'binary':
    case 'bytes':
      return bin(v.value).length <= 0xff ? 0xa0 : 0xb0;
    case 'string':
      return Buffer.byteLength(str(v.value, 'string'), 'utf8') <= 0xff ? 0xa1 : 0xb1;
    case 'symbol':
      return Buffer.byteLength(str(v.value, 'symbol'), 'utf8') <= 0xff ? 0xa3 : 0xb3;
  }
}

/** The payload of a fixed-width code (0 to 16 bytes). */
export function fixedPayload(v: ScalarValue, code: number): Buffer {
  return withWriter((w) => writeFixed(w, v, code));
}

/** Writes the payload of a fixed-width code (0 to 16 bytes) after its constructor. */
export function writeFixed(w: ByteWriter, v: ScalarValue, code: number): void {
  switch (code) {
    case 0x40:
    case 0x41:
    case 0x42:
    case 0x43:
    case 0x44:
      return;
    case 0x56:
      return w.u8(bool(v.value) ? 1 : 0);
    case 0x50:
      return w.u8(checkInt(v.value, 0, 0xff, 'ubyte'));
    case 0x51:
      return w.u8(checkInt(v.value, -128, 127, 'byte') & 0xff);
    case 0x52:
      return w.u8(checkInt(v.value, 0, 0xff, 'smalluint'));
    case 0x53:
      return w.u8(Number(checkBig(v.value, 0n, 0xffn, 'smallulong')));
    case 0x54:
      return w.u8(checkInt(v.value, -128, 127, 'smallint') & 0xff);
    case 0x55:
      return w.u8(Number(checkBig(v.value, -128n, 127n, 'smalllong')) & 0xff);
    case 0x60:
      return w.u16(checkInt(v.value, 0, 0xffff, 'ushort'));
    case 0x61:
      return w.i16(checkInt(v.value, -0x8000, 0x7fff, 'short'));
    case 0x70:
      return w.u32(checkInt(v.value, 0, 0xffffffff, 'uint'));
    case 0x71:
      return w.i32(checkInt(v.value, -0x80000000, 0x7fffffff, 'int'));
    case 0x72:
      return w.f32(num(v.value, 'float'));
    case 0x73:
      return w.u32(codePoint(str(v.value, 'char')));
    case 0x74:
      return w.bytes(fixedBytes(v.value, 4, 'decimal32'));
    case 0x80:
      return w.u64(checkBig(v.value, 0n, U64_MAX, 'ulong'));
    case 0x81:
    case 0x83:
      return w.i64(checkBig(v.value, I64_MIN, I64_MAX, code === 0x81 ? 'long' : 'timestamp'));
    case 0x82:
      return w.f64(num(v.value, 'double'));
    case 0x84:
      return w.bytes(fixedBytes(v.value, 8, 'decimal64'));
    case 0x94:
      return w.bytes(fixedBytes(v.value, 16, 'decimal128'));
    case 0x98:
      return w.bytes(uuidBytes(str(v.value, 'uuid')));
    default:
      throw new AmqpEncodeError(`0x${code.toString(16)} is not a fixed-width AMQP code`);
  }
}

/** Size prefix (1 byte for the 0xa* codes, 4 for 0xb*) and the bytes of a binary/string/symbol. */
export function variableBytes(v: ScalarValue, code: number): Buffer {
  return withWriter((w) => writeVariable(w, v, code));
}

/** Writes the size prefix and the bytes of a binary/string/symbol after its constructor. */
export function writeVariable(w: ByteWriter, v: ScalarValue, code: number): void {
  const binary = v.type === 'binary' || v.type === 'bytes';
  const data = binary ? bin(v.value) : null;
  const text = binary ? '' : str(v.value, v.type);
  const n = data ? data.length : Buffer.byteLength(text, 'utf8');
  if (code >= 0xa0 && code <= 0xa3) {
    if (n > 0xff) throw new AmqpEncodeError(`${n} bytes do not fit a one-byte size (0x${code.toString(16)})`);
    w.u8(n);
  } else {
    if (n > 0xffffffff) throw new AmqpEncodeError(`${n} bytes are too many for AMQP`);
    w.u32(n);
  }
  if (data) w.bytes(data);
  else w.utf8(text, n);
}

function fixedBytes(value: unknown, n: number, what: string): Buffer {
  const b = bin(value);
  if (b.length !== n) throw new AmqpEncodeError(`${what} needs ${n} bytes, got ${b.length}`);
  return b;
}

function uuidBytes(s: string): Buffer {
  const hex = s.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new AmqpEncodeError(`invalid uuid ${JSON.stringify(s)}`);
  return Buffer.from(hex, 'hex');
}

function codePoint(s: string): number {
  const cp = s.codePointAt(0);
  if (cp === undefined || String.fromCodePoint(cp).length !== s.length || (cp >= 0xd800 && cp <= 0xdfff)) {
    throw new AmqpEncodeError(`char must be exactly one Unicode scalar value, got ${JSON.stringify(s)}`);
  }
  return cp;
}

function bool(x: unknown): boolean {
  if (typeof x !== 'boolean') throw new AmqpEncodeError(`expected a boolean, got ${typeof x}`);
  return x;
}

function num(x: unknown, what: string): number {
  if (typeof x !== 'number') throw new AmqpEncodeError(`${what} needs a number, got ${typeof x}`);
  return x;
}

function str(x: unknown, what: string): string {
  if (typeof x !== 'string') throw new AmqpEncodeError(`${what} needs a string, got ${typeof x}`);
  return x;
}

function bin(x: unknown): Buffer {
  if (!Buffer.isBuffer(x)) throw new AmqpEncodeError('binary value must be a Buffer');
  return x;
}

export function checkInt(x: unknown, min: number, max: number, what: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
    throw new AmqpEncodeError(`${what} out of range [${min}, ${max}]: ${String(x)}`);
  }
  return x;
}

export function checkBig(x: unknown, min: bigint, max: bigint, what: string): bigint {
  if (typeof x !== 'bigint' || x < min || x > max) throw new AmqpEncodeError(`${what} out of range [${min}, ${max}]: ${String(x)}`);
  return x;
}
