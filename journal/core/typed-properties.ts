/**
 * §1.7 TypedProperties: the map encoding used for core message properties, MapMessage bodies and
 * AMQP "extra properties". Every value keeps the type it had on disk.
 */
import type { BufferReader } from '../binary/reader.js';
import { readSimpleString } from '../binary/strings.js';
import type { TypedMap, TypedValue } from '../model/typed-value.js';

/** Value type tags (§1.7); also used, with a different STRING encoding, by StreamMessage bodies. */
export const PropertyTag = {
  NULL: 0,
  BOOLEAN: 2,
  BYTE: 3,
  BYTES: 4,
  SHORT: 5,
  INT: 6,
  LONG: 7,
  FLOAT: 8,
  DOUBLE: 9,
  STRING: 10,
  CHAR: 11,
} as const;

/** Smallest possible entry: a key of length 0 (i32) and a NULL tag. */
const MIN_ENTRY_SIZE = 5;

export function readTypedProperties(r: BufferReader): TypedMap {
  const map: TypedMap = new Map();
  // Any non-zero marker means "present", as in Artemis.
  if (r.u8() === 0) return map;
  const count = r.i32();
  // A garbage count must fail at once instead of looping (or allocating) billions of times.
  if (count < 0 || count > r.remaining / MIN_ENTRY_SIZE) {
    r.fail(`TypedProperties entry count ${count} does not fit the ${r.remaining} bytes left`);
  }
  for (let i = 0; i < count; i++) {
    const key = readSimpleString(r);
    map.set(key, readPropertyValue(r, r.u8()));
  }
  return map;
}

/** One value after its tag byte, in the TypedProperties encoding (STRING = SimpleString). */
export function readPropertyValue(r: BufferReader, tag: number): TypedValue {
  switch (tag) {
    case PropertyTag.STRING:
      return { type: 'string', value: readSimpleString(r) };
    default:
      return readScalarValue(r, tag, 'TypedProperties');
  }
}

/**
 * The tags whose encoding is shared by TypedProperties and StreamMessage bodies (all but STRING).
 * Bytes are copied: the caller's buffer may be reused after decoding.
 */
export function readScalarValue(r: BufferReader, tag: number, where: string): TypedValue {
  switch (tag) {
    case PropertyTag.NULL:
      return { type: 'null', value: null };
    case PropertyTag.BOOLEAN:
      return { type: 'boolean', value: r.bool() };
    case PropertyTag.BYTE:
      return { type: 'byte', value: r.i8() };
    case PropertyTag.BYTES:
      return { type: 'bytes', value: Buffer.from(r.lengthPrefixedBytes(`${where} bytes value`)) };
    case PropertyTag.SHORT:
      return { type: 'short', value: r.i16() };
    case PropertyTag.INT:
      return { type: 'int', value: r.i32() };
    case PropertyTag.LONG:
      return { type: 'long', value: r.i64() };
    case PropertyTag.FLOAT:
      return { type: 'float', value: r.f32() };
    case PropertyTag.DOUBLE:
      return { type: 'double', value: r.f64() };
    case PropertyTag.CHAR:
      return { type: 'char', value: String.fromCharCode(r.u16()) };
    default:
      return r.fail(`unknown ${where} value tag ${tag}`);
  }
}
