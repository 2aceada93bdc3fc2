/**
 * Decoder of one AMQP 1.0 encoded value into a TypedValue that keeps its exact AMQP type name.
 *
 * Hardened for untrusted bytes: every size is checked against what is left (BufferReader),
 * compounds must consume exactly their declared size, element counts are bounded by the bytes
 * available, nesting is capped (MAX_DEPTH), strings must be valid UTF-8. Any violation throws a
 * DecodeError; nothing else is thrown.
 */
import { BufferReader, DecodeError } from '../../binary/reader.js';
import type { TypedValue } from '../../model/typed-value.js';
import { FormatCode as F, fixedWidth, hex, sizePrefixWidth } from './format-codes.js';
import { MAX_DEPTH, MAX_ZERO_WIDTH_ARRAY_ELEMENTS } from './limits.js';
import { decodeUtf8, formatAmqpUuid } from './text.js';

export interface ReadValueOptions {
  /**
   * Copy binary payloads out of the reader's buffer (default true). Pass false only when the
   * buffer outlives every decoded value (e.g. a private copy of a message encoding).
   */
  copy?: boolean;
}

export function readAmqpValue(r: BufferReader, opts: ReadValueOptions = {}): TypedValue {
  return readValue(r, 0, opts.copy !== false);
}

function readValue(r: BufferReader, depth: number, copy: boolean): TypedValue {
  const code = r.u8();
  if (code === F.DESCRIBED) {
    enter(r, depth);
    const descriptor = readValue(r, depth + 1, copy);
    const value = readValue(r, depth + 1, copy);
    return { type: 'described', value: { descriptor, value } };
  }
  return readPayload(r, code, depth, copy);
}

function enter(r: BufferReader, depth: number): void {
  if (depth >= MAX_DEPTH) r.fail(`AMQP value nested deeper than ${MAX_DEPTH} levels`);
}

/** The value that follows constructor `code` (also used for array elements, which share one). */
function readPayload(r: BufferReader, code: number, depth: number, copy: boolean): TypedValue {
  switch (code) {
    case F.NULL:
      return { type: 'null', value: null };
    case F.TRUE:
      return { type: 'boolean', value: true };
    case F.FALSE:
      return { type: 'boolean', value: false };
    case F.BOOLEAN:
      // Spec values are 0x00/0x01; like proton, read any non-zero byte as true.
      return { type: 'boolean', value: r.u8() !== 0 };
    case F.UBYTE:
      return { type: 'ubyte', value: r.u8() };
    case F.USHORT:
      return { type: 'ushort', value: r.u16() };
    case F.UINT:
      return { type: 'uint', value: r.u32() };
    case F.SMALL_UINT:
      return { type: 'uint', value: r.u8() };
    case F.UINT0:
      return { type: 'uint', value: 0 };
    case F.ULONG:
      return { type: 'ulong', value: r.u64() };
    case F.SMALL_ULONG:
      return { type: 'ulong', value: BigInt(r.u8()) };
    case F.ULONG0:
      return { type: 'ulong', value: 0n };
    case F.BYTE:
      return { type: 'byte', value: r.i8() };
    case F.SHORT:
      return { type: 'short', value: r.i16() };
    case F.INT:
      return { type: 'int', value: r.i32() };
    case F.SMALL_INT:
      return { type: 'int', value: r.i8() };
    case F.LONG:
      return { type: 'long', value: r.i64() };
    case F.SMALL_LONG:
      return { type: 'long', value: BigInt(r.i8()) };
    case F.FLOAT:
      return { type: 'float', value: r.f32() };
    case F.DOUBLE:
      return { type: 'double', value: r.f64() };
    case F.DECIMAL32:
      return { type: 'decimal32', value: Buffer.from(r.bytes(4, 'decimal32')) };
    case F.DECIMAL64:
      return { type: 'decimal64', value: Buffer.from(r.bytes(8, 'decimal64')) };
    case F.DECIMAL128:
      return { type: 'decimal128', value: Buffer.from(r.bytes(16, 'decimal128')) };
    case F.CHAR:
      return { type: 'char', value: readChar(r) };
    case F.TIMESTAMP:
      return { type: 'timestamp', value: r.i64() };
    case F.UUID: {
      const at = r.position;
      r.skip(16, 'uuid');
      return { type: 'uuid', value: formatAmqpUuid(r.buf, at) };
    }
    case F.VBIN8:
    case F.VBIN32: {
      const bytes = r.bytes(readSize(r, code), 'binary');
      return { type: 'binary', value: copy ? Buffer.from(bytes) : bytes };
    }
    case F.STR8:
    case F.STR32:
      return { type: 'string', value: readText(r, code, 'string') };
    case F.SYM8:
    case F.SYM32:
      return { type: 'symbol', value: readText(r, code, 'symbol') };
    case F.LIST0:
      return { type: 'list', value: [] };
    case F.LIST8:
    case F.LIST32:
      return { type: 'list', value: readElements(r, code, depth, copy, 'list') };
    case F.MAP8:
    case F.MAP32:
      return { type: 'map', value: readMap(r, code, depth, copy) };
    case F.ARRAY8:
    case F.ARRAY32:
      return { type: 'array', value: readArray(r, code, depth, copy) };
    default:
      return r.fail(`unknown AMQP format code ${hex(code)}`);
  }
}

function readSize(r: BufferReader, code: number): number {
  return sizePrefixWidth(code) === 1 ? r.u8() : r.u32();
}

function readChar(r: BufferReader): string {
  const cp = r.u32();
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) r.fail(`invalid AMQP char code point 0x${cp.toString(16)}`);
  return String.fromCodePoint(cp);
}

function readText(r: BufferReader, code: number, what: string): string {
  const at = r.position;
  const bytes = r.bytes(readSize(r, code), what);
  const text = decodeUtf8(bytes);
  if (text === null) throw new DecodeError(`${what} is not valid UTF-8`, at);
  return text;
}

/** Opens a list/map body: its declared size bounds a sub-reader, then the element count. */
function openCompound(r: BufferReader, code: number, depth: number, what: string): { body: BufferReader; count: number } {
  enter(r, depth);
  const wide = sizePrefixWidth(code) === 4;
  const size = wide ? r.u32() : r.u8();
  const body = r.sub(size, what);
  const count = wide ? body.u32() : body.u8();
  // Every element has at least its constructor byte.
  if (count > body.remaining) body.fail(`${what} claims ${count} elements in ${body.remaining} bytes`);
  return { body, count };
}

function closeCompound(body: BufferReader, what: string): void {
  if (body.remaining !== 0) body.fail(`${what} has ${body.remaining} bytes after its last element`);
}

function readElements(r: BufferReader, code: number, depth: number, copy: boolean, what: string): TypedValue[] {
  const { body, count } = openCompound(r, code, depth, what);
  const out: TypedValue[] = [];
  for (let i = 0; i < count; i++) out.push(readValue(body, depth + 1, copy));
  closeCompound(body, what);
  return out;
}

function readMap(r: BufferReader, code: number, depth: number, copy: boolean): Array<[TypedValue, TypedValue]> {
  const { body, count } = openCompound(r, code, depth, 'map');
  if (count % 2 !== 0) body.fail(`map with odd element count ${count}`);
  const out: Array<[TypedValue, TypedValue]> = [];
  for (let i = 0; i < count; i += 2) {
    const key = readValue(body, depth + 1, copy);
    out.push([key, readValue(body, depth + 1, copy)]);
  }
  closeCompound(body, 'map');
  return out;
}

function readArray(r: BufferReader, code: number, depth: number, copy: boolean): TypedValue[] {
  enter(r, depth);
  const wide = sizePrefixWidth(code) === 4;
  const size = wide ? r.u32() : r.u8();
  const body = r.sub(size, 'array');
  const count = wide ? body.u32() : body.u8();
  // The shared element constructor, possibly wrapped in descriptors (outermost first).
  const descriptors: TypedValue[] = [];
  let elementCode = body.u8();
  while (elementCode === F.DESCRIBED) {
    enter(body, depth + descriptors.length + 1);
    descriptors.push(readValue(body, depth + descriptors.length + 1, copy));
    elementCode = body.u8();
  }
  const minWidth = fixedWidth(elementCode) ?? sizePrefixWidth(elementCode);
  if (minWidth === undefined) return body.fail(`unknown AMQP array element format code ${hex(elementCode)}`);
  if (minWidth === 0 ? count > MAX_ZERO_WIDTH_ARRAY_ELEMENTS : count > body.remaining / minWidth) {
    body.fail(`array claims ${count} elements of ${hex(elementCode)} in ${body.remaining} bytes`);
  }
  const elementDepth = depth + descriptors.length + 1;
  const out: TypedValue[] = [];
  for (let i = 0; i < count; i++) {
    let v = readPayload(body, elementCode, elementDepth, copy);
    for (let d = descriptors.length - 1; d >= 0; d--) v = { type: 'described', value: { descriptor: descriptors[d]!, value: v } };
    out.push(v);
  }
  closeCompound(body, 'array');
  return out;
}
