import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferReader, DecodeError } from '../../journal/binary/reader.js';
import { readAmqpValue, skipAmqpValue, measureAmqpValue, MAX_DEPTH } from '../../journal/amqp/codec/index.js';
import type { TypedValue } from '../../journal/model/typed-value.js';
import { A } from './amqp-encode.js';

function read(buf: Buffer): TypedValue {
  const r = new BufferReader(buf);
  const v = readAmqpValue(r);
  assert.equal(r.remaining, 0, 'read must consume the whole encoding');
  return v;
}

function assertDecodeError(buf: Buffer, what: string): void {
  assert.throws(() => readAmqpValue(new BufferReader(buf)), DecodeError, `read: ${what}`);
}

const hexb = (h: string): Buffer => Buffer.from(h.replace(/\s/g, ''), 'hex');

/** [label, encoding, expected value] for every format code. */
const CASES: Array<[string, Buffer, TypedValue]> = [
  ['null 0x40', A.null(), { type: 'null', value: null }],
  ['true 0x41', A.true(), { type: 'boolean', value: true }],
  ['false 0x42', A.false(), { type: 'boolean', value: false }],
  ['boolean 0x56 true', A.boolean(true), { type: 'boolean', value: true }],
  ['boolean 0x56 false', A.boolean(false), { type: 'boolean', value: false }],
  ['ubyte 0x50', A.ubyte(255), { type: 'ubyte', value: 255 }],
  ['ushort 0x60', A.ushort(65535), { type: 'ushort', value: 65535 }],
  ['uint 0x70', A.uint(4294967295), { type: 'uint', value: 4294967295 }],
  ['smalluint 0x52', A.smalluint(255), { type: 'uint', value: 255 }],
  ['uint0 0x43', A.uint0(), { type: 'uint', value: 0 }],
  ['ulong 0x80', A.ulong(18446744073709551615n), { type: 'ulong', value: 18446744073709551615n }],
  ['smallulong 0x53', A.smallulong(255), { type: 'ulong', value: 255n }],
  ['ulong0 0x44', A.ulong0(), { type: 'ulong', value: 0n }],
  ['byte 0x51', A.byte(-128), { type: 'byte', value: -128 }],
  ['short 0x61', A.short(-32768), { type: 'short', value: -32768 }],
  ['int 0x71', A.int(-2147483648), { type: 'int', value: -2147483648 }],
  ['smallint 0x54', A.smallint(-1), { type: 'int', value: -1 }],
  ['long 0x81', A.long(-9223372036854775808n), { type: 'long', value: -9223372036854775808n }],
  ['smalllong 0x55', A.smalllong(-128), { type: 'long', value: -128n }],
  ['float 0x72', A.float(1.5), { type: 'float', value: 1.5 }],
  ['double 0x82', A.double(2.718281828), { type: 'double', value: 2.718281828 }],
  ['double -0', A.double(-0), { type: 'double', value: -0 }],
  ['decimal32 0x74', A.decimal32(hexb('22500001')), { type: 'decimal32', value: hexb('22500001') }],
  ['decimal64 0x84', A.decimal64(hexb('2238000000000001')), { type: 'decimal64', value: hexb('2238000000000001') }],
  [
    'decimal128 0x94',
    A.decimal128(hexb('22080000000000000000000000000001')),
    { type: 'decimal128', value: hexb('22080000000000000000000000000001') },
  ],
  ['char 0x73 BMP', A.char(0x78), { type: 'char', value: 'x' }],
  ['char 0x73 astral', A.char(0x1f600), { type: 'char', value: '\u{1f600}' }],
  ['timestamp 0x83', A.timestamp(1700000000000n), { type: 'timestamp', value: 1700000000000n }],
  ['timestamp before 1970', A.timestamp(-1n), { type: 'timestamp', value: -1n }],
  [
    'uuid 0x98',
    A.uuid('12345678-1234-5678-1234-567812345678'),
    { type: 'uuid', value: '12345678-1234-5678-1234-567812345678' },
  ],
  ['vbin8 0xa0 empty', A.vbin8(Buffer.alloc(0)), { type: 'binary', value: Buffer.alloc(0) }],
  ['vbin8 0xa0', A.vbin8(hexb('0001ff')), { type: 'binary', value: hexb('0001ff') }],
  ['vbin32 0xb0', A.vbin32(Buffer.alloc(300, 7)), { type: 'binary', value: Buffer.alloc(300, 7) }],
  ['str8 0xa1', A.str8('amqp \u2713 string'), { type: 'string', value: 'amqp \u2713 string' }],
  ['str8 literal U+FFFD', A.str8('\ufffd'), { type: 'string', value: '\ufffd' }],
  ['str8 keeps a BOM', A.str8('\ufeffx'), { type: 'string', value: '\ufeffx' }],
  ['str32 0xb1', A.str32('x'.repeat(300)), { type: 'string', value: 'x'.repeat(300) }],
  ['sym8 0xa3', A.sym8('a-symbol'), { type: 'symbol', value: 'a-symbol' }],
  ['sym32 0xb3', A.sym32('x-opt-long'), { type: 'symbol', value: 'x-opt-long' }],
  ['list0 0x45', A.list0(), { type: 'list', value: [] }],
  [
    'list8 0xc0',
    A.list8(A.smalllong(1), A.str8('two'), A.double(3.5), A.null(), A.true(), A.vbin8(hexb('05'))),
    {
      type: 'list',
      value: [
        { type: 'long', value: 1n },
        { type: 'string', value: 'two' },
        { type: 'double', value: 3.5 },
        { type: 'null', value: null },
        { type: 'boolean', value: true },
        { type: 'binary', value: hexb('05') },
      ],
    },
  ],
  ['list32 0xd0', A.list32(A.int(1), A.list0()), { type: 'list', value: [{ type: 'int', value: 1 }, { type: 'list', value: [] }] }],
  [
    'map8 0xc1',
    A.map8(A.sym8('k'), A.ubyte(1), A.str8('n'), A.map8(A.str8('a'), A.true())),
    {
      type: 'map',
      value: [
        [{ type: 'symbol', value: 'k' }, { type: 'ubyte', value: 1 }],
        [{ type: 'string', value: 'n' }, { type: 'map', value: [[{ type: 'string', value: 'a' }, { type: 'boolean', value: true }]] }],
      ],
    },
  ],
  ['map32 0xd1', A.map32(A.ulong(1n), A.null()), { type: 'map', value: [[{ type: 'ulong', value: 1n }, { type: 'null', value: null }]] }],
  ['map8 empty', A.map8(), { type: 'map', value: [] }],
  [
    'array8 0xe0 of int',
    A.array8(A.raw(0x71), [A.int(1).subarray(1), A.int(-2).subarray(1)]),
    { type: 'array', value: [{ type: 'int', value: 1 }, { type: 'int', value: -2 }] },
  ],
  [
    'array32 0xf0 of sym8',
    A.array32(A.raw(0xa3), [A.sym8('a').subarray(1), A.sym8('bc').subarray(1)]),
    { type: 'array', value: [{ type: 'symbol', value: 'a' }, { type: 'symbol', value: 'bc' }] },
  ],
  ['array8 empty', A.array8(A.raw(0x71), []), { type: 'array', value: [] }],
  [
    'array8 of zero-width true',
    A.array8(A.raw(0x41), [Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)]),
    { type: 'array', value: [{ type: 'boolean', value: true }, { type: 'boolean', value: true }, { type: 'boolean', value: true }] },
  ],
  [
    'array8 of list8',
    A.array8(A.raw(0xc0), [A.list8(A.null()).subarray(1)]),
    { type: 'array', value: [{ type: 'list', value: [{ type: 'null', value: null }] }] },
  ],
  [
    'array8 of described elements',
    A.array8(A.cat(A.raw(0x00), A.smallulong(0x70), A.raw(0x50)), [A.raw(1), A.raw(2)]),
    {
      type: 'array',
      value: [
        { type: 'described', value: { descriptor: { type: 'ulong', value: 0x70n }, value: { type: 'ubyte', value: 1 } } },
        { type: 'described', value: { descriptor: { type: 'ulong', value: 0x70n }, value: { type: 'ubyte', value: 2 } } },
      ],
    },
  ],
  [
    'array8 of arrays',
    A.array8(A.raw(0xe0), [A.array8(A.raw(0x50), [A.raw(9)]).subarray(1)]),
    { type: 'array', value: [{ type: 'array', value: [{ type: 'ubyte', value: 9 }] }] },
  ],
  [
    'described 0x00 with symbol descriptor',
    A.described(A.sym8('com.example:x'), A.str8('v')),
    { type: 'described', value: { descriptor: { type: 'symbol', value: 'com.example:x' }, value: { type: 'string', value: 'v' } } },
  ],
  [
    'described inside described',
    A.described(A.smallulong(1), A.described(A.smallulong(2), A.null())),
    {
      type: 'described',
      value: {
        descriptor: { type: 'ulong', value: 1n },
        value: { type: 'described', value: { descriptor: { type: 'ulong', value: 2n }, value: { type: 'null', value: null } } },
      },
    },
  ],
];

test('every AMQP format code decodes to its exact type and value', () => {
  for (const [label, buf, expected] of CASES) {
    assert.deepStrictEqual(read(buf), expected, label);
  }
});

test('NaN float and double survive', () => {
  assert.ok(Number.isNaN((read(A.float(NaN)) as { value: number }).value));
  assert.ok(Number.isNaN((read(A.double(NaN)) as { value: number }).value));
});

test('skip consumes exactly what read consumes, and measure gives the same length', () => {
  for (const [label, buf] of CASES) {
    const padded = Buffer.concat([buf, Buffer.from([0x40, 0x40])]);
    const r = new BufferReader(padded);
    skipAmqpValue(r);
    assert.equal(r.position, buf.length, `skip ${label}`);
    const m = measureAmqpValue(new BufferReader(padded));
    assert.equal(m.length, buf.length, `measure ${label}`);
  }
});

test('measure needs only the header bytes of a big value', () => {
  const big = A.vbin32(Buffer.alloc(100_000, 1));
  const m = measureAmqpValue(new BufferReader(big.subarray(0, 5)));
  assert.deepEqual(m, { code: 0xb0, headerLength: 5, length: 100_005 });
  const described = A.described(A.smallulong(0x75), big);
  const md = measureAmqpValue(new BufferReader(described.subarray(0, 8)));
  assert.deepEqual(md, { code: 0xb0, headerLength: 8, length: 100_008 });
});

test('binary values are copies by default and views on request', () => {
  const buf = A.vbin8(hexb('010203'));
  const copy = readAmqpValue(new BufferReader(buf)) as { value: Buffer };
  const view = readAmqpValue(new BufferReader(buf), { copy: false }) as { value: Buffer };
  buf[2] = 0xee;
  assert.deepEqual(copy.value, hexb('010203'));
  assert.deepEqual(view.value, hexb('ee0203'));
});

test('malformed values throw DecodeError', () => {
  const bad: Array<[string, Buffer]> = [
    ['empty input', Buffer.alloc(0)],
    ['unknown code 0x01', A.raw(0x01)],
    ['unknown code 0x57', A.raw(0x57)],
    ['unknown code 0xa2', A.raw(0xa2, 0)],
    ['unknown code 0xff', A.raw(0xff)],
    ['char surrogate', A.char(0xd800)],
    ['char above U+10FFFF', A.char(0x110000)],
    ['str8 invalid UTF-8', A.str8raw(hexb('c328'))],
    ['str8 lone continuation byte', A.str8raw(hexb('80'))],
    ['sym8 invalid UTF-8', A.cat(A.raw(0xa3, 1), hexb('ff'))],
    ['vbin32 size 4 GiB', A.cat(A.raw(0xb0), A.u32(0xffffffff))],
    ['str32 size past end', A.cat(A.raw(0xb1), A.u32(10), Buffer.from('abc'))],
    ['list8 size 0 (no count)', A.raw(0xc0, 0)],
    ['list8 count > bytes', A.raw(0xc0, 2, 5, 0x40)],
    ['list8 size past end', A.raw(0xc0, 10, 1, 0x40)],
    ['list8 trailing bytes inside', A.raw(0xc0, 3, 1, 0x40, 0x40)],
    ['list8 element overruns size', A.raw(0xc0, 2, 1, 0x50, 0x01)],
    ['list32 count 4G', A.cat(A.raw(0xd0), A.u32(4), A.u32(0xffffffff))],
    ['map8 odd count', A.raw(0xc1, 2, 1, 0x40)],
    ['map32 count 4G', A.cat(A.raw(0xd1), A.u32(5), A.u32(0xfffffffe), A.raw(0x40))],
    ['array8 missing constructor', A.raw(0xe0, 1, 0)],
    ['array8 unknown element code', A.raw(0xe0, 2, 1, 0x01)],
    ['array8 count > bytes', A.raw(0xe0, 3, 9, 0x50, 1)],
    ['array32 of nulls count 4G', A.cat(A.raw(0xf0), A.u32(5), A.u32(0xffffffff), A.raw(0x40))],
    ['array8 trailing bytes', A.raw(0xe0, 4, 1, 0x50, 1, 2)],
    ['described without value', A.raw(0x00, 0x53, 0x70)],
    ['truncated ulong', A.raw(0x80, 1, 2)],
    ['truncated uuid', A.raw(0x98, 1, 2, 3)],
  ];
  for (const [label, buf] of bad) assertDecodeError(buf, label);
  // skip rejects what it can see without decoding contents
  for (const label of ['unknown code 0x57', 'vbin32 size 4 GiB', 'list8 size 0 (no count)', 'described without value', 'truncated uuid']) {
    const buf = bad.find(([l]) => l === label)![1];
    assert.throws(() => skipAmqpValue(new BufferReader(buf)), DecodeError, `skip: ${label}`);
  }
});

test('nesting is capped at MAX_DEPTH', () => {
  const nested = (n: number): Buffer => {
    let v = A.null();
    for (let i = 0; i < n; i++) v = A.list32(v);
    return v;
  };
  assert.doesNotThrow(() => read(nested(MAX_DEPTH)));
  assertDecodeError(nested(MAX_DEPTH + 1), 'lists one level too deep');
  // deep enough to overflow the stack if unchecked: must still be a DecodeError
  assertDecodeError(nested(20_000), 'very deep lists');
  const describedChain = Buffer.concat([Buffer.alloc(100_000, 0x00), A.null()]);
  assertDecodeError(describedChain, 'described chain');
  assert.throws(() => skipAmqpValue(new BufferReader(describedChain)), DecodeError);
  assert.throws(() => measureAmqpValue(new BufferReader(describedChain)), DecodeError);
  const arrayCtorChain = Buffer.concat([A.raw(0xf0), A.u32(200_005), A.u32(1), Buffer.alloc(200_000, 0x00), A.raw(0x40)]);
  assertDecodeError(arrayCtorChain, 'array constructor descriptor chain');
  let maps = A.null();
  for (let i = 0; i < 5000; i++) maps = A.map32(A.null(), maps);
  assertDecodeError(maps, 'deep maps');
});

test('every truncation of a valid value is a DecodeError for read and skip', () => {
  const sample = A.list32(
    A.map8(A.sym8('k'), A.array8(A.raw(0x71), [A.int(7).subarray(1)]), A.str8('s'), A.uuid('12345678-1234-5678-1234-567812345678')),
    A.described(A.smallulong(0x77), A.vbin32(Buffer.from('hello'))),
    A.timestamp(5n),
    A.char(0x1f600),
  );
  read(sample);
  for (let n = 0; n < sample.length; n++) {
    const cut = sample.subarray(0, n);
    assert.throws(() => readAmqpValue(new BufferReader(cut)), DecodeError, `read cut at ${n}`);
    assert.throws(() => skipAmqpValue(new BufferReader(cut)), DecodeError, `skip cut at ${n}`);
  }
});

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('random corruption never throws anything but DecodeError and never hangs', () => {
  const seeds = CASES.map(([, buf]) => buf).filter((b) => b.length > 3);
  const rnd = prng(12345);
  const started = Date.now();
  let decodeErrors = 0;
  for (let i = 0; i < 20_000; i++) {
    const base = Buffer.from(seeds[i % seeds.length]!);
    const flips = 1 + Math.floor(rnd() * 4);
    for (let f = 0; f < flips; f++) base[Math.floor(rnd() * base.length)] = Math.floor(rnd() * 256);
    for (const op of [readAmqpValue, skipAmqpValue, measureAmqpValue] as Array<(r: BufferReader) => unknown>) {
      try {
        op(new BufferReader(base));
      } catch (e) {
        assert.ok(e instanceof DecodeError, `non-DecodeError ${String(e)} on ${base.toString('hex')}`);
        decodeErrors++;
      }
    }
  }
  assert.ok(decodeErrors > 1000, 'the corruption must actually hit the error paths');
  assert.ok(Date.now() - started < 20_000, 'fuzzing took too long');
});

test('random bytes never throw anything but DecodeError', () => {
  const rnd = prng(777);
  for (let i = 0; i < 20_000; i++) {
    const buf = Buffer.alloc(1 + Math.floor(rnd() * 40));
    for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(rnd() * 256);
    try {
      readAmqpValue(new BufferReader(buf));
    } catch (e) {
      assert.ok(e instanceof DecodeError, `non-DecodeError ${String(e)} on ${buf.toString('hex')}`);
    }
  }
});
