import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferReader, DecodeError } from '../../journal/binary/reader.js';
import { readTypedProperties, PropertyTag as T } from '../../journal/core/typed-properties.js';
import { typedMapToJson } from '../../journal/model/typed-value.js';
import { typedProperties, Writer, type Entry } from '../support/encode.js';
import { prng, val } from './encode.js';

const ALL: Entry[] = [
  ['n', T.NULL, val.none()],
  ['bool1', T.BOOLEAN, val.u8(1)],
  ['boolFF', T.BOOLEAN, val.u8(0xff)],
  ['bool0', T.BOOLEAN, val.u8(0)],
  ['byte', T.BYTE, val.u8(0x80)],
  ['bytes', T.BYTES, val.bytes(Buffer.from([0, 1, 2, 0xff]))],
  ['bytesEmpty', T.BYTES, val.bytes(Buffer.alloc(0))],
  ['short', T.SHORT, val.i16(-32768)],
  ['int', T.INT, val.i32(2147483647)],
  ['long', T.LONG, val.i64(-9223372036854775808n)],
  ['float', T.FLOAT, val.f32(3.25)],
  ['double', T.DOUBLE, val.f64(5e-324)],
  ['string', T.STRING, val.ss('h\u00e9llo \u2713 \u{1F600}')],
  ['empty', T.STRING, val.ss('')],
  ['char', T.CHAR, val.i16(0x03bb)],
  ['\u00fcnicode key', T.INT, val.i32(-1)],
];

function decode(buf: Buffer): ReturnType<typeof readTypedProperties> {
  return readTypedProperties(new BufferReader(buf));
}

test('every TypedProperties tag decodes to its type and value, in stored order', () => {
  const buf = typedProperties(ALL);
  const r = new BufferReader(buf);
  const m = readTypedProperties(r);
  assert.equal(r.remaining, 0);
  assert.deepEqual([...m.keys()], ALL.map((e) => e[0]));
  assert.deepEqual(m.get('n'), { type: 'null', value: null });
  assert.deepEqual(m.get('bool1'), { type: 'boolean', value: true });
  assert.deepEqual(m.get('boolFF'), { type: 'boolean', value: true });
  assert.deepEqual(m.get('bool0'), { type: 'boolean', value: false });
  assert.deepEqual(m.get('byte'), { type: 'byte', value: -128 });
  assert.deepEqual(m.get('bytes'), { type: 'bytes', value: Buffer.from([0, 1, 2, 0xff]) });
  assert.deepEqual(m.get('bytesEmpty'), { type: 'bytes', value: Buffer.alloc(0) });
  assert.deepEqual(m.get('short'), { type: 'short', value: -32768 });
  assert.deepEqual(m.get('int'), { type: 'int', value: 2147483647 });
  assert.deepEqual(m.get('long'), { type: 'long', value: -9223372036854775808n });
  assert.deepEqual(m.get('float'), { type: 'float', value: 3.25 });
  assert.deepEqual(m.get('double'), { type: 'double', value: 5e-324 });
  assert.deepEqual(m.get('string'), { type: 'string', value: 'h\u00e9llo \u2713 \u{1F600}' });
  assert.deepEqual(m.get('empty'), { type: 'string', value: '' });
  assert.deepEqual(m.get('char'), { type: 'char', value: '\u03bb' });
  assert.deepEqual(m.get('\u00fcnicode key'), { type: 'int', value: -1 });
  // JSON form: long as decimal string, bytes as base64
  const j = typedMapToJson(m);
  assert.deepEqual(j['long'], { type: 'long', value: '-9223372036854775808' });
  assert.deepEqual(j['bytes'], { type: 'bytes', value: 'AAEC/w==' });
});

test('bytes values are copies, not views of the input buffer', () => {
  const buf = typedProperties([['b', T.BYTES, val.bytes(Buffer.from([1, 2, 3]))]]);
  const m = decode(buf);
  buf.fill(0);
  assert.deepEqual(m.get('b'), { type: 'bytes', value: Buffer.from([1, 2, 3]) });
});

test('absent properties: marker 0 is the whole encoding; any non-zero marker means present', () => {
  const r = new BufferReader(Buffer.from([0, 0x55]));
  assert.equal(readTypedProperties(r).size, 0);
  assert.equal(r.position, 1);
  const present = typedProperties([['a', T.INT, val.i32(7)]]);
  present[0] = 0xff;
  assert.deepEqual(decode(present).get('a'), { type: 'int', value: 7 });
  // present with zero entries
  assert.equal(decode(new Writer().u8(1).i32(0).build()).size, 0);
});

test('unknown tags are DecodeErrors (1 = NOT_NULL is never a value tag)', () => {
  for (const tag of [1, 12, 13, 0x7f, 0xff]) {
    assert.throws(() => decode(typedProperties([['x', tag, val.i32(0)]])), DecodeError, `tag ${tag}`);
  }
});

test('a garbage entry count fails immediately instead of looping', () => {
  for (const count of [0x7fffffff, 1_000_000, 3, -1, -0x80000000]) {
    const buf = new Writer().u8(1).i32(count).raw(typedProperties([['a', T.NULL, val.none()]]).subarray(5)).build();
    const t0 = Date.now();
    assert.throws(() => decode(buf), DecodeError, `count ${count}`);
    assert.ok(Date.now() - t0 < 100);
  }
});

test('odd SimpleString byte lengths and oversized lengths are DecodeErrors', () => {
  const odd = new Writer().u8(1).i32(1).i32(3).raw([0x61, 0, 0x62]).u8(T.NULL).build();
  assert.throws(() => decode(odd), DecodeError);
  const huge = new Writer().u8(1).i32(1).ss('k').u8(T.BYTES).i32(0x7ffffff0).build();
  assert.throws(() => decode(huge), DecodeError);
  const negative = new Writer().u8(1).i32(1).ss('k').u8(T.BYTES).i32(-2).build();
  assert.throws(() => decode(negative), DecodeError);
});

test('every truncation of a valid encoding is a DecodeError', () => {
  const buf = typedProperties(ALL);
  for (let n = 0; n < buf.length; n++) {
    assert.throws(() => decode(buf.subarray(0, n)), DecodeError, `prefix ${n}`);
  }
});

test('random corruption yields a value or a DecodeError, never another exception', () => {
  const good = typedProperties(ALL);
  const rnd = prng(42);
  let decoded = 0;
  for (let i = 0; i < 20000; i++) {
    const b = Buffer.from(good);
    const flips = 1 + Math.floor(rnd() * 4);
    for (let f = 0; f < flips; f++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    const cut = rnd() < 0.3 ? Math.floor(rnd() * b.length) : b.length;
    try {
      decode(b.subarray(0, cut));
      decoded++;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
    }
  }
  assert.ok(decoded > 0);
});
