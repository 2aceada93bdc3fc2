import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import rhea from 'rhea';
import { DecodeError } from '../../journal/binary/reader.js';
import {
  decodeAmqpMessageView,
  dropDeliveryAnnotations,
  parseAmqpSections,
} from '../../journal/amqp/sections.js';
import { A, sectionSymbol, sectionUlong } from './amqp-encode.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const HEADER = A.section(0x70, A.list8(A.true(), A.ubyte(12), A.uint(5000), A.null(), A.uint(2)));
const DA = A.section(0x71, A.map8(A.sym8('x-opt-da'), A.str8('hop')));
const MA = A.section(0x72, A.map8(A.sym8('x-opt-a'), A.long(42n), A.ulong(7n), A.true()));
const PROPS = A.section(
  0x73,
  A.list8(
    A.ulong(1002n),
    A.vbin8(Buffer.from('user')),
    A.str8('to.q'),
    A.null(),
    A.null(),
    A.uuid('cafe0000-0000-0000-0000-000000000000'),
    A.sym8('text/plain'),
  ),
);
const AP = A.section(0x74, A.map8(A.str8('k'), A.timestamp(1700000000000n), A.str8('c'), A.char(0x1f600)));
const FOOTER = A.section(0x78, A.map8(A.sym8('x-opt-f'), A.str8('f')));

test('sections in any order, with every descriptor form', () => {
  const d1 = Buffer.from('hello ');
  const d2 = Buffer.from('world');
  const buf = Buffer.concat([
    DA, // before the header, as old data can have it
    sectionSymbol('amqp:header:list', A.list8(A.false())),
    HEADER, // a second header: the first one wins
    sectionUlong(0x72, A.map8(A.sym8('x-opt-a'), A.long(42n))),
    PROPS,
    AP,
    FOOTER, // footer before the body, as rhea writes it
    A.section(0x75, A.vbin8(d1)),
    sectionSymbol('amqp:data:binary', A.vbin32(d2)),
  ]);
  const sections = parseAmqpSections(buf);
  assert.deepEqual(sections.map((s) => s.code), [0x71, 0x70, 0x70, 0x72, 0x73, 0x74, 0x78, 0x75, 0x75]);
  let at = 0;
  for (const s of sections) {
    assert.equal(s.offset, at);
    at += s.length;
  }
  assert.equal(at, buf.length);

  const view = decodeAmqpMessageView(sections);
  assert.deepEqual(view.header, { durable: false, priority: null, ttl: null, firstAcquirer: null, deliveryCount: null });
  assert.deepEqual(view.deliveryAnnotations, { 'x-opt-da': { type: 'string', value: 'hop' } });
  assert.deepEqual(view.messageAnnotations, { 'x-opt-a': { type: 'long', value: '42' } });
  assert.deepEqual(view.properties, {
    'message-id': { type: 'ulong', value: '1002' },
    'user-id': { type: 'binary', value: Buffer.from('user').toString('base64') },
    to: { type: 'string', value: 'to.q' },
    subject: null,
    'reply-to': null,
    'correlation-id': { type: 'uuid', value: 'cafe0000-0000-0000-0000-000000000000' },
    'content-type': { type: 'symbol', value: 'text/plain' },
    'content-encoding': null,
    'absolute-expiry-time': null,
    'creation-time': null,
    'group-id': null,
    'group-sequence': null,
    'reply-to-group-id': null,
  });
  assert.deepEqual(view.applicationProperties, {
    k: { type: 'timestamp', value: '1700000000000' },
    c: { type: 'char', value: '\u{1f600}' },
  });
  assert.deepEqual(view.footer, { 'x-opt-f': { type: 'string', value: 'f' } });
  const all = Buffer.concat([d1, d2]);
  assert.deepEqual(view.body, { section: 'data', size: all.length, sha256: sha(all), base64: all.toString('base64'), count: 2 });
  assert.deepEqual(decodeAmqpMessageView(sections, { includeBase64: false }).body, {
    section: 'data',
    size: all.length,
    sha256: sha(all),
    count: 2,
  });
});

test('header fields, non-string annotation keys, sequences, value and no body', () => {
  const seq = Buffer.concat([
    HEADER,
    MA,
    A.section(0x76, A.list8(A.str8('a'), A.smalllong(2))),
    A.section(0x76, A.list0()),
    A.section(0x76, A.list8(A.double(3))),
  ]);
  const v = decodeAmqpMessageView(parseAmqpSections(seq));
  assert.deepEqual(v.header, { durable: true, priority: 12, ttl: 5000, firstAcquirer: null, deliveryCount: 2 });
  assert.deepEqual(v.messageAnnotations, { 'x-opt-a': { type: 'long', value: '42' }, '7': { type: 'boolean', value: true } });
  assert.deepEqual(v.body, {
    section: 'amqp-sequence',
    value: [
      { type: 'string', value: 'a' },
      { type: 'long', value: '2' },
      { type: 'double', value: 3 },
    ],
    count: 3,
  });
  const value = decodeAmqpMessageView(parseAmqpSections(Buffer.concat([A.section(0x77, A.map8(A.str8('k'), A.null()))])));
  assert.deepEqual(value.body, {
    section: 'amqp-value',
    value: { type: 'map', value: [{ key: { type: 'string', value: 'k' }, value: { type: 'null', value: null } }] },
  });
  assert.equal(value.header, null);
  const none = decodeAmqpMessageView(parseAmqpSections(Buffer.concat([HEADER, AP])));
  assert.deepEqual(none.body, { section: 'none' });
  assert.deepEqual(decodeAmqpMessageView(parseAmqpSections(Buffer.alloc(0))).body, { section: 'none' });
});

test('malformed messages are DecodeErrors', () => {
  const bad: Array<[string, Buffer]> = [
    ['not described', A.str8('x')],
    ['unknown descriptor', A.section(0x79, A.null())],
    ['unknown symbolic descriptor', sectionSymbol('amqp:nope:list', A.list0())],
    ['descriptor of the wrong type', A.cat(A.raw(0x00), A.str8('amqp:header:list'), A.list0())],
    ['header not a list', A.section(0x70, A.map8())],
    ['data not binary', A.section(0x75, A.str8('x'))],
    ['application-properties not a map', A.section(0x74, A.list0())],
    ['truncated section', HEADER.subarray(0, HEADER.length - 1)],
    ['trailing garbage', Buffer.concat([HEADER, A.raw(0x40)])],
  ];
  for (const [label, buf] of bad) assert.throws(() => parseAmqpSections(buf), DecodeError, label);

  const viewBad: Array<[string, Buffer]> = [
    ['priority of the wrong type', A.section(0x70, A.list8(A.true(), A.int(4)))],
    ['durable of the wrong type', A.section(0x70, A.list8(A.ubyte(1)))],
    ['absolute-expiry-time of the wrong type', A.section(0x73, A.list8(A.null(), A.null(), A.null(), A.null(), A.null(), A.null(), A.null(), A.null(), A.ulong(5n)))],
    ['data then value', Buffer.concat([A.section(0x75, A.vbin8(Buffer.from('x'))), A.section(0x77, A.null())])],
    ['two amqp-value sections', Buffer.concat([A.section(0x77, A.null()), A.section(0x77, A.null())])],
  ];
  for (const [label, buf] of viewBad) {
    const sections = parseAmqpSections(buf);
    if (label === 'absolute-expiry-time of the wrong type') {
      // properties view keeps any type; only the expiry fact is type-checked
      assert.doesNotThrow(() => decodeAmqpMessageView(sections));
      continue;
    }
    assert.throws(() => decodeAmqpMessageView(sections), DecodeError, label);
  }
});

test('parsed values are copies unless asked otherwise', () => {
  const buf = Buffer.concat([A.section(0x75, A.vbin8(Buffer.from('abc')))]);
  const copied = parseAmqpSections(buf);
  const viewed = parseAmqpSections(buf, { copy: false });
  buf[buf.length - 1] = 0x7a; // 'c' -> 'z'
  assert.deepEqual(copied[0]!.value, { type: 'binary', value: Buffer.from('abc') });
  assert.deepEqual(viewed[0]!.value, { type: 'binary', value: Buffer.from('abz') });
});

test('dropDeliveryAnnotations removes only delivery annotations', () => {
  const body = A.section(0x77, A.str8('v'));
  const withDa = Buffer.concat([DA, HEADER, DA, MA, body]);
  assert.deepEqual(dropDeliveryAnnotations(withDa), Buffer.concat([HEADER, MA, body]));
  const without = Buffer.concat([HEADER, body]);
  assert.equal(dropDeliveryAnnotations(without), without, 'same buffer when nothing to drop');
});

test('messages encoded by rhea (an independent encoder) decode to what was sent', () => {
  const encoded = rhea.message.encode({
    durable: true,
    priority: 7,
    ttl: 60000,
    first_acquirer: true,
    delivery_count: 3,
    message_id: 'mid-1',
    user_id: Buffer.from('me'),
    to: 'q1',
    subject: 'subj',
    reply_to: 'r',
    correlation_id: rhea.types.wrap_ulong(77),
    content_type: 'text/plain',
    absolute_expiry_time: new Date(4102444800000),
    creation_time: new Date(1700000000123),
    group_id: 'g',
    group_sequence: 9,
    reply_to_group_id: 'rg',
    message_annotations: { 'x-opt-m': 'ma', 'x-opt-n': rhea.types.wrap_int(-5) },
    application_properties: {
      s: 'text ✓',
      i: rhea.types.wrap_int(12),
      l: rhea.types.wrap_long(1234567890123),
      b: false,
      d: 0.5,
      ub: rhea.types.wrap_ubyte(250),
      sym: rhea.types.wrap_symbol('sy'),
    },
    footer: { 'x-opt-f': 'foot' },
    body: rhea.message.data_section(Buffer.from('payload')),
  });
  const sections = parseAmqpSections(encoded);
  const v = decodeAmqpMessageView(sections);
  assert.deepEqual(v.header, { durable: true, priority: 7, ttl: 60000, firstAcquirer: true, deliveryCount: 3 });
  assert.deepEqual(v.properties?.['message-id'], { type: 'string', value: 'mid-1' });
  assert.deepEqual(v.properties?.['user-id'], { type: 'binary', value: Buffer.from('me').toString('base64') });
  assert.deepEqual(v.properties?.['correlation-id'], { type: 'ulong', value: '77' });
  assert.deepEqual(v.properties?.['content-type'], { type: 'symbol', value: 'text/plain' });
  assert.deepEqual(v.properties?.['absolute-expiry-time'], { type: 'timestamp', value: '4102444800000' });
  assert.deepEqual(v.properties?.['creation-time'], { type: 'timestamp', value: '1700000000123' });
  assert.deepEqual(v.properties?.['group-sequence'], { type: 'uint', value: 9 });
  assert.deepEqual(v.properties?.['reply-to-group-id'], { type: 'string', value: 'rg' });
  assert.deepEqual(v.messageAnnotations, { 'x-opt-m': { type: 'string', value: 'ma' }, 'x-opt-n': { type: 'int', value: -5 } });
  assert.deepEqual(v.applicationProperties, {
    s: { type: 'string', value: 'text ✓' },
    i: { type: 'int', value: 12 },
    l: { type: 'long', value: '1234567890123' },
    b: { type: 'boolean', value: false },
    d: { type: 'double', value: 0.5 },
    ub: { type: 'ubyte', value: 250 },
    sym: { type: 'symbol', value: 'sy' },
  });
  assert.deepEqual(v.footer, { 'x-opt-f': { type: 'string', value: 'foot' } });
  assert.equal(v.body.section, 'data');
  assert.equal((v.body as { sha256: string }).sha256, sha(Buffer.from('payload')));
});
