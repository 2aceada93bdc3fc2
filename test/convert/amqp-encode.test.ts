/**
 * The AMQP encoder against two independent decoders: journal/amqp's (encode → decode must give the
 * identical TypedValue, for every type and its edge values) and rhea's (whole messages). Exact
 * bytes are checked where the smallest encoding matters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import rhea from 'rhea';
import { BufferReader } from '../../journal/binary/reader.js';
import { readAmqpValue } from '../../journal/amqp/codec/read-value.js';
import { decodeAmqpMessageView, parseAmqpSections } from '../../journal/amqp/sections.js';
import type { TypedValue } from '../../journal/model/typed-value.js';
import {
  AmqpEncodeError,
  buildMapSection,
  encodeAmqpSequenceSection,
  encodeAmqpValue,
  encodeAmqpValueBinaryHeader,
  encodeAmqpValueSection,
  encodeApplicationProperties,
  encodeDataSection,
  encodeDataSectionHeader,
  encodeDeliveryAnnotations,
  encodeFooter,
  encodeHeader,
  encodeMapEntry,
  encodeMessageAnnotations,
  encodeProperties,
  readRawMapSection,
} from '../../drainer/amqp/encode/index.js';

const t = (type: TypedValue['type'], value: unknown): TypedValue => ({ type, value }) as TypedValue;

function decodeOne(buf: Buffer): TypedValue {
  const r = new BufferReader(buf);
  const v = readAmqpValue(r);
  assert.equal(r.remaining, 0, 'the encoding is exactly one value');
  return v;
}

function roundTrip(v: TypedValue, label = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)).slice(0, 80)): Buffer {
  const enc = encodeAmqpValue(v);
  assert.deepStrictEqual(decodeOne(enc), v, label);
  return enc;
}

const hex = (b: Buffer) => b.toString('hex');
const ascii = (n: number, c = 'a') => c.repeat(n);

test('every primitive type round-trips at its edge values', () => {
  const values: TypedValue[] = [
    t('null', null),
    t('boolean', true),
    t('boolean', false),
    ...[0, 1, 127, 128, 255].map((v) => t('ubyte', v)),
    ...[0, 255, 256, 65535].map((v) => t('ushort', v)),
    ...[0, 1, 255, 256, 65536, 0xffffffff].map((v) => t('uint', v)),
    ...[0n, 1n, 255n, 256n, (1n << 32n) + 1n, (1n << 64n) - 1n].map((v) => t('ulong', v)),
    ...[-128, -1, 0, 127].map((v) => t('byte', v)),
    ...[-32768, -1, 0, 32767].map((v) => t('short', v)),
    ...[-(2 ** 31), -129, -128, -1, 0, 127, 128, 2 ** 31 - 1].map((v) => t('int', v)),
    ...[-(1n << 63n), -129n, -128n, -1n, 0n, 127n, 128n, 9000000000000000001n, (1n << 63n) - 1n].map((v) => t('long', v)),
    ...[0, -0, 3.25, -1.5, Math.fround(3.4028235e38), Math.fround(1e-45), Infinity, -Infinity, NaN].map((v) => t('float', v)),
    ...[0, -0, 5e-324, -1e-300, Number.MAX_VALUE, 3.141592653589793, Infinity, NaN].map((v) => t('double', v)),
    t('decimal32', Buffer.from('01020304', 'hex')),
    t('decimal64', Buffer.from('0102030405060708', 'hex')),
    t('decimal128', Buffer.from('00112233445566778899aabbccddeeff', 'hex')),
    ...['a', 'Z', '\u0000', 'λ', '\uffff', '😀', '\u{10ffff}'].map((v) => t('char', v)),
    ...[0n, -1n, 1795313645084n, -(1n << 63n), (1n << 63n) - 1n].map((v) => t('timestamp', v)),
    t('uuid', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'),
    t('uuid', '00000000-0000-0000-0000-000000000000'),
    ...[0, 1, 255, 256, 70000].map((n) => t('binary', Buffer.alloc(n, 7))),
    ...['', 'héllo ✓ wörld', ascii(255), ascii(256), 'λ'.repeat(128), ascii(100000)].map((v) => t('string', v)),
    ...['', 'x-opt-jms-msg-type', ascii(255, 's'), ascii(256, 's')].map((v) => t('symbol', v)),
  ];
  for (const v of values) roundTrip(v);
});

test('smallest encodings: zero-width and one-byte forms, 8- vs 32-bit sizes', () => {
  const cases: Array<[TypedValue, string]> = [
    [t('null', null), '40'],
    [t('boolean', true), '41'],
    [t('boolean', false), '42'],
    [t('uint', 0), '43'],
    [t('uint', 255), '52ff'],
    [t('uint', 256), '7000000100'],
    [t('ulong', 0n), '44'],
    [t('ulong', 255n), '53ff'],
    [t('ulong', 256n), '800000000000000100'],
    [t('int', -128), '5480'],
    [t('int', 128), '7100000080'],
    [t('long', -1n), '55ff'],
    [t('long', 128n), '810000000000000080'],
    [t('ubyte', 200), '50c8'],
    [t('byte', -7), '51f9'],
    [t('char', 'λ'), '73000003bb'],
    [t('timestamp', 1n), '830000000000000001'],
    [t('string', ''), 'a100'],
    [t('symbol', 'ab'), 'a3026162'],
    [t('binary', Buffer.of(1, 2)), 'a0020102'],
    [t('list', []), '45'],
    [t('list', [t('null', null)]), 'c0020140'],
    [t('map', []), 'c10100'],
    [t('array', []), 'e0020040'],
    [t('array', [t('uint', 0), t('uint', 255)]), 'e004025200ff'],
    [t('array', [t('boolean', true), t('boolean', false)]), 'e00402560100'],
    [t('described', { descriptor: t('ulong', 0x73n), value: t('list', []) }), '00537345'],
  ];
  for (const [v, want] of cases) assert.equal(hex(roundTrip(v)), want, JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x)));
  // Variable widths switch exactly at 255 bytes.
  assert.equal(encodeAmqpValue(t('string', ascii(255)))[0], 0xa1);
  assert.equal(encodeAmqpValue(t('string', ascii(256)))[0], 0xb1);
  assert.equal(encodeAmqpValue(t('binary', Buffer.alloc(256)))[0], 0xb0);
  assert.equal(encodeAmqpValue(t('symbol', ascii(256)))[0], 0xb3);
  // list8 holds at most 254 bytes of elements (size counts the count byte).
  assert.equal(hex(encodeAmqpValue(t('list', [t('string', ascii(252))])).subarray(0, 3)), 'c0ff01');
  assert.equal(hex(encodeAmqpValue(t('list', [t('string', ascii(253))])).subarray(0, 9)), 'd00000010300000001');
  // …and at most 255 elements.
  assert.equal(encodeAmqpValue(t('list', Array.from({ length: 255 }, () => t('null', null))))[0], 0xd0);
  assert.equal(encodeAmqpValue(t('list', Array.from({ length: 200 }, () => t('null', null))))[0], 0xc0);
  assert.equal(encodeAmqpValue(t('map', [[t('string', 'k'), t('string', ascii(300))]]))[0], 0xd1);
});

test('compounds, arrays and described values round-trip, nested', () => {
  const scalars = [t('int', 1), t('string', 'two'), t('double', 3.5), t('null', null), t('boolean', true), t('binary', Buffer.of(5))];
  const values: TypedValue[] = [
    t('list', scalars),
    t('list', [t('list', []), t('list', scalars), t('map', [])]),
    t('list', Array.from({ length: 300 }, (_, i) => t('uint', i))),
    t('map', [
      [t('string', 'k-string'), t('string', 'v')],
      [t('symbol', 'k-sym'), t('long', 7n)],
      [t('ulong', 9n), t('list', [t('long', 1n), t('string', 'x')])],
      [t('int', -1), t('map', [[t('string', 'nested'), t('boolean', false)]])],
    ]),
    t('map', Array.from({ length: 200 }, (_, i): [TypedValue, TypedValue] => [t('string', `key-${i}`), t('int', i)])),
    // arrays of every element family, small and wide forms
    t('array', [t('uint', 1), t('uint', 0), t('uint', 255)]),
    t('array', [t('uint', 1), t('uint', 70000)]),
    t('array', [t('ulong', 0n), t('ulong', 3n)]),
    t('array', [t('ulong', 0n), t('ulong', 1n << 40n)]),
    t('array', [t('int', -1), t('int', 127)]),
    t('array', [t('int', -1), t('int', 1 << 20)]),
    t('array', [t('long', -128n), t('long', 5n)]),
    t('array', [t('long', -129n), t('long', 5n)]),
    t('array', [t('boolean', true), t('boolean', true)]),
    t('array', [t('null', null), t('null', null), t('null', null)]),
    t('array', [t('ubyte', 1), t('ubyte', 255)]),
    t('array', [t('ushort', 1), t('ushort', 65535)]),
    t('array', [t('byte', -1)]),
    t('array', [t('short', -1), t('short', 2)]),
    t('array', [t('float', 1.5), t('float', -0)]),
    t('array', [t('double', 1.5), t('double', NaN)]),
    t('array', [t('char', 'a'), t('char', '😀')]),
    t('array', [t('timestamp', 1n), t('timestamp', -1n)]),
    t('array', [t('uuid', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'), t('uuid', '00000000-0000-0000-0000-000000000001')]),
    t('array', [t('decimal32', Buffer.alloc(4, 1)), t('decimal32', Buffer.alloc(4, 2))]),
    t('array', [t('decimal64', Buffer.alloc(8, 1))]),
    t('array', [t('decimal128', Buffer.alloc(16, 1))]),
    t('array', [t('string', 'a'), t('string', '')]),
    t('array', [t('string', 'a'), t('string', ascii(300))]),
    t('array', [t('symbol', 'a'), t('symbol', 'bb')]),
    t('array', [t('symbol', 'a'), t('symbol', ascii(256))]),
    t('array', [t('binary', Buffer.of(1)), t('binary', Buffer.alloc(0))]),
    t('array', [t('binary', Buffer.of(1)), t('binary', Buffer.alloc(1000))]),
    t('array', [t('list', []), t('list', [t('int', 1)])]),
    t('array', [t('list', []), t('list', [t('string', ascii(260))])]),
    t('array', [t('map', []), t('map', [[t('string', 'a'), t('int', 1)]])]),
    t('array', [t('array', [t('int', 1)]), t('array', [])]),
    t('array', Array.from({ length: 300 }, (_, i) => t('ushort', i))),
    t('array', [
      t('described', { descriptor: t('symbol', 'x:d'), value: t('string', 'a') }),
      t('described', { descriptor: t('symbol', 'x:d'), value: t('string', 'b') }),
    ]),
    t('described', { descriptor: t('ulong', 0x70n), value: t('list', [t('boolean', true)]) }),
    t('described', { descriptor: t('symbol', 'com.example:x'), value: t('described', { descriptor: t('ulong', 1n), value: t('string', 'in') }) }),
    t('list', [t('described', { descriptor: t('ulong', 5n), value: t('array', [t('int', 1)]) })]),
  ];
  for (const v of values) roundTrip(v);
});

test('values without an AMQP encoding are refused, not written wrong', () => {
  const bad: TypedValue[] = [
    t('uint', -1),
    t('uint', 2 ** 32),
    t('ubyte', 256),
    t('int', 2 ** 31),
    t('int', 1.5),
    t('long', 1n << 63n),
    t('ulong', -1n),
    t('char', 'ab'),
    t('char', ''),
    t('uuid', 'not-a-uuid'),
    t('decimal32', Buffer.alloc(3)),
    t('array', [t('int', 1), t('string', 'x')]),
    t('array', [
      t('described', { descriptor: t('ulong', 1n), value: t('int', 1) }),
      t('described', { descriptor: t('ulong', 2n), value: t('int', 1) }),
    ]),
  ];
  for (const v of bad) assert.throws(() => encodeAmqpValue(v), AmqpEncodeError);
});

test('core `bytes` values are AMQP binary', () => {
  assert.deepEqual(decodeOne(encodeAmqpValue(t('bytes', Buffer.of(1, 2, 3)))), t('binary', Buffer.of(1, 2, 3)));
  assert.deepEqual(decodeOne(encodeAmqpValue(t('array', [t('bytes', Buffer.of(1)), t('binary', Buffer.of(2))]))), t('array', [t('binary', Buffer.of(1)), t('binary', Buffer.of(2))]));
});

function fullMessage(): Buffer {
  return Buffer.concat([
    encodeHeader({ durable: true, priority: 7, ttl: 1000, firstAcquirer: false, deliveryCount: 3 }),
    encodeDeliveryAnnotations([['x-opt-da', t('string', 'da')]]),
    encodeMessageAnnotations([
      ['x-opt-jms-msg-type', t('byte', 5)],
      ['x-opt-delivery-time', t('long', 1796177657142n)],
      ['x-opt-u', t('uint', 7)],
    ]),
    encodeProperties({
      messageId: t('uuid', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'),
      userId: Buffer.from('user'),
      to: 'orders',
      subject: 'subj',
      replyTo: 'reply.q',
      correlationId: t('ulong', 77n),
      contentType: 'text/plain',
      contentEncoding: 'identity',
      absoluteExpiryTime: 4102444800000n,
      creationTime: 1700000000123n,
      groupId: 'g',
      groupSequence: 3,
      replyToGroupId: 'rg',
    }),
    encodeApplicationProperties([
      ['s', t('string', 'v')],
      ['i', t('int', -5)],
      ['l', t('long', 1234567890123n)],
      ['b', t('binary', Buffer.of(9, 8))],
      ['n', t('null', null)],
      ['c', t('char', 'λ')],
    ]),
    encodeAmqpValueSection(t('map', [[t('string', 'k'), t('list', [t('int', 1), t('string', 'two')])]])),
    encodeFooter([['x-opt-f', t('string', 'foot')]]),
  ]);
}

test('a whole message decodes with journal/amqp to what was encoded', () => {
  const view = decodeAmqpMessageView(parseAmqpSections(fullMessage()));
  assert.deepEqual(view.header, { durable: true, priority: 7, ttl: 1000, firstAcquirer: false, deliveryCount: 3 });
  assert.deepEqual(view.deliveryAnnotations, { 'x-opt-da': { type: 'string', value: 'da' } });
  assert.deepEqual(view.messageAnnotations, {
    'x-opt-jms-msg-type': { type: 'byte', value: 5 },
    'x-opt-delivery-time': { type: 'long', value: '1796177657142' },
    'x-opt-u': { type: 'uint', value: 7 },
  });
  assert.deepEqual(view.properties, {
    'message-id': { type: 'uuid', value: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' },
    'user-id': { type: 'binary', value: Buffer.from('user').toString('base64') },
    to: { type: 'string', value: 'orders' },
    subject: { type: 'string', value: 'subj' },
    'reply-to': { type: 'string', value: 'reply.q' },
    'correlation-id': { type: 'ulong', value: '77' },
    'content-type': { type: 'symbol', value: 'text/plain' },
    'content-encoding': { type: 'symbol', value: 'identity' },
    'absolute-expiry-time': { type: 'timestamp', value: '4102444800000' },
    'creation-time': { type: 'timestamp', value: '1700000000123' },
    'group-id': { type: 'string', value: 'g' },
    'group-sequence': { type: 'uint', value: 3 },
    'reply-to-group-id': { type: 'string', value: 'rg' },
  });
  assert.deepEqual(view.applicationProperties, {
    s: { type: 'string', value: 'v' },
    i: { type: 'int', value: -5 },
    l: { type: 'long', value: '1234567890123' },
    b: { type: 'binary', value: 'CQg=' },
    n: { type: 'null', value: null },
    c: { type: 'char', value: 'λ' },
  });
  assert.deepEqual(view.footer, { 'x-opt-f': { type: 'string', value: 'foot' } });
  assert.deepEqual(view.body, {
    section: 'amqp-value',
    value: { type: 'map', value: [{ key: { type: 'string', value: 'k' }, value: { type: 'list', value: [{ type: 'int', value: 1 }, { type: 'string', value: 'two' }] } }] },
  });
});

test('a whole message decodes with rhea (an independent decoder)', () => {
  const m = rhea.message.decode(fullMessage());
  assert.equal(m.durable, true);
  assert.equal(m.priority, 7);
  assert.equal(m.ttl, 1000);
  assert.equal(m.first_acquirer, false);
  assert.equal(m.delivery_count, 3);
  assert.equal(m.delivery_annotations['x-opt-da'], 'da');
  assert.equal(m.message_annotations['x-opt-jms-msg-type'], 5);
  assert.equal(Number(m.message_annotations['x-opt-delivery-time']), 1796177657142);
  assert.equal(m.to, 'orders');
  assert.equal(m.subject, 'subj');
  assert.equal(m.reply_to, 'reply.q');
  assert.equal(m.content_type, 'text/plain');
  assert.equal(m.content_encoding, 'identity');
  assert.equal(m.group_id, 'g');
  assert.equal(m.group_sequence, 3);
  assert.equal(m.reply_to_group_id, 'rg');
  assert.equal(Number(m.correlation_id), 77);
  assert.equal(new Date(m.absolute_expiry_time).getTime(), 4102444800000);
  assert.equal(new Date(m.creation_time).getTime(), 1700000000123);
  assert.equal(Buffer.from(m.user_id).toString(), 'user');
  assert.equal(m.application_properties.s, 'v');
  assert.equal(m.application_properties.i, -5);
  assert.equal(Number(m.application_properties.l), 1234567890123);
  assert.deepEqual(Buffer.from(m.application_properties.b), Buffer.of(9, 8));
  assert.equal(m.application_properties.n, null);
  assert.equal(m.footer['x-opt-f'], 'foot');
  assert.deepEqual(m.body, { k: [1, 'two'] });
});

test('body sections: data (whole and header-only), amqp-sequence, amqp-value binary header', () => {
  const payload = Buffer.alloc(300, 0x5a);
  for (const encoded of [encodeDataSection(payload), Buffer.concat([encodeDataSectionHeader(payload.length), payload])]) {
    const view = decodeAmqpMessageView(parseAmqpSections(encoded));
    assert.equal((view.body as { size: number }).size, 300);
    const m = rhea.message.decode(encoded);
    assert.equal(m.body.typecode, 0x75);
    assert.deepEqual(Buffer.from(m.body.content), payload);
  }
  assert.equal(hex(encodeDataSectionHeader(5)), '005375b000000005');
  assert.equal(hex(encodeDataSection(Buffer.of(1))), '005375a00101');
  const value = Buffer.concat([encodeAmqpValueBinaryHeader(3), Buffer.of(1, 2, 3)]);
  assert.deepEqual(decodeAmqpMessageView(parseAmqpSections(value)).body, { section: 'amqp-value', value: { type: 'binary', value: 'AQID' } });
  const seq = encodeAmqpSequenceSection([t('string', 'seq-1'), t('long', 2n)]);
  assert.deepEqual(decodeAmqpMessageView(parseAmqpSections(seq)).body, {
    section: 'amqp-sequence',
    value: [
      { type: 'string', value: 'seq-1' },
      { type: 'long', value: '2' },
    ],
  });
  const m = rhea.message.decode(seq);
  assert.equal(m.body.typecode, 0x76);
  assert.deepEqual(m.body.content, ['seq-1', 2]);
});

test('header and properties leave trailing absent fields out', () => {
  assert.equal(hex(encodeHeader({ durable: false })), '005370c0020142');
  assert.equal(hex(encodeHeader({})), '00537045');
  assert.equal(hex(encodeProperties({ messageId: t('string', 'a') })), '005373c00401a10161');
  const props = parseAmqpSections(encodeProperties({ to: 'x' }))[0]!.value as { value: TypedValue[] };
  assert.equal(props.value.length, 3);
});

test('map sections are edited keeping the other entries byte for byte', () => {
  const section = encodeMessageAnnotations([
    ['x-opt-a', t('string', 'a')],
    ['x-opt-routing-type', t('byte', 1)],
    ['x-opt-b', t('list', [t('int', 1)])],
  ]);
  const raw = readRawMapSection(section);
  assert.deepEqual(
    raw.entries.map((e) => e.key),
    [t('symbol', 'x-opt-a'), t('symbol', 'x-opt-routing-type'), t('symbol', 'x-opt-b')],
  );
  const kept = raw.entries.filter((e) => e.key.value !== 'x-opt-routing-type').map((e) => e.bytes);
  kept.push(encodeMapEntry(t('symbol', 'x-opt-new'), t('uint', 300)));
  const edited = buildMapSection(raw.descriptor, kept);
  assert.deepEqual(decodeAmqpMessageView(parseAmqpSections(edited)).messageAnnotations, {
    'x-opt-a': { type: 'string', value: 'a' },
    'x-opt-b': { type: 'list', value: [{ type: 'int', value: 1 }] },
    'x-opt-new': { type: 'uint', value: 300 },
  });
  assert.ok(edited.includes(raw.entries[2]!.bytes), 'kept entries are not re-encoded');
});
