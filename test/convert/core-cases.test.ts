/**
 * Core → AMQP conversion on hand-built messages: the cases the fixtures do not cover (compressed
 * large bodies, JMS_AMQP_* properties from an earlier AMQP → core conversion, original encodings,
 * id encodings, expiry and scheduling edges, embedded AMQP messages, unreadable bodies).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import rhea from 'rhea';
import { decodeAmqpMessageView, parseAmqpSections, type AmqpView } from '../../journal/amqp/sections.js';
import { CoreType, type ByteSource, type CoreMessage } from '../../journal/model/message.js';
import type { TypedMap, TypedValue } from '../../journal/model/typed-value.js';
import { encodeAmqpValue, encodeAmqpValueSection, encodeApplicationProperties, encodeHeader, encodeMessageAnnotations } from '../../drainer/amqp/encode/index.js';
import { ConversionError } from '../../drainer/convert/errors.js';
import { idFromString } from '../../drainer/convert/message-id.js';
import { readOutgoing } from '../../drainer/convert/outgoing-bytes.js';
import type { ConversionContext, OutgoingMessage } from '../../drainer/convert/outgoing.js';
import { toOutgoing } from '../../drainer/convert/to-outgoing.js';
import { nullableSimpleString, typedProperties, Writer, simpleString, type Entry } from '../support/encode.js';

const NOW = 1_800_000_000_000;
const CTX: ConversionContext = {
  sourceNodeId: 'node-a',
  queue: 'orders',
  address: 'orders',
  routingType: 'ANYCAST',
  deliveryCount: 2,
  scheduledTime: 0,
  now: NOW,
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convert-core-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function core(over: Partial<CoreMessage> & { props?: Array<[string, TypedValue]> }): CoreMessage {
  const { props, ...rest } = over;
  return {
    protocol: 'core',
    messageId: 1001n,
    address: 'orders',
    userId: '0a1b2c3d-0000-1111-2222-333344445555',
    type: CoreType.BYTES,
    durable: true,
    expiration: 0,
    timestamp: 1_700_000_000_000,
    priority: 4,
    properties: new Map(props ?? []) as TypedMap,
    large: false,
    body: { kind: 'buffer', data: Buffer.alloc(0) },
    ...rest,
  };
}

interface Result {
  out: OutgoingMessage;
  bytes: Buffer;
  view: AmqpView;
  rhea: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function convert(msg: CoreMessage, ctx: Partial<ConversionContext> = {}): Promise<Result> {
  const out = await toOutgoing(msg, { ...CTX, ...ctx });
  const bytes = await readOutgoing(out);
  assert.equal(bytes.length, out.size);
  return { out, bytes, view: decodeAmqpMessageView(parseAmqpSections(bytes)), rhea: rhea.message.decode(bytes) };
}

function textBody(text: string | null): ByteSource {
  return { kind: 'buffer', data: nullableSimpleString(text) };
}

function file(name: string, data: Buffer): ByteSource & { kind: 'file' } {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, data);
  return { kind: 'file', path: p, displayPath: `large-messages/${name}`, offset: 0, length: data.length };
}

const s = (value: string): TypedValue => ({ type: 'string', value });

test('headers: durable is always explicit, priority only when not 4, ttl = expiration − now', async () => {
  let r = await convert(core({ durable: false }));
  assert.deepEqual(r.view.header, { durable: false, priority: null, ttl: null, firstAcquirer: null, deliveryCount: null });
  assert.equal(r.out.durable, false);
  assert.equal(r.rhea.durable, false);

  r = await convert(core({ priority: 9, expiration: NOW + 5000 }));
  assert.deepEqual(r.view.header, { durable: true, priority: 9, ttl: 5000, firstAcquirer: null, deliveryCount: null });
  assert.deepEqual(r.view.properties!['absolute-expiry-time'], { type: 'timestamp', value: String(NOW + 5000) });
  assert.equal(r.out.priority, 9);

  // Already expired: ttl 1 (the target expires it on arrival, as the source would have).
  r = await convert(core({ expiration: NOW - 5000 }));
  assert.equal(r.view.header!.ttl, 1);
  // Further than a uint of milliseconds: no ttl, absolute-expiry-time alone.
  r = await convert(core({ expiration: NOW + 2 ** 32 }));
  assert.equal(r.view.header!.ttl, null);
  assert.deepEqual(r.view.properties!['absolute-expiry-time'], { type: 'timestamp', value: String(NOW + 2 ** 32) });
  r = await convert(core({ expiration: NOW + 0xffffffff }));
  assert.equal(r.view.header!.ttl, 0xffffffff);

  // A priority above 9 is carried as is; the target caps it.
  r = await convert(core({ priority: 12 }));
  assert.equal(r.view.header!.priority, 12);
  assert.equal(r.out.priority, 9);
  // JMS_AMQP_HEADERPRIORITY writes even the default priority; JMS_AMQP_FirstAcquirer.
  r = await convert(core({ props: [['JMS_AMQP_HEADERPRIORITY', { type: 'boolean', value: true }], ['JMS_AMQP_FirstAcquirer', { type: 'boolean', value: true }]] }));
  assert.deepEqual(r.view.header, { durable: true, priority: 4, ttl: null, firstAcquirer: true, deliveryCount: null });
  assert.equal(r.view.applicationProperties!['JMS_AMQP_HEADERPRIORITY'], undefined);
});

test('properties: ids, destinations, correlation, user, group, content type', async () => {
  const r = await convert(
    core({
      props: [
        ['JMSType', s('my-type')],
        ['JMSReplyTo', s('temp-topic://replies')],
        ['JMSCorrelationID', s('ID:AMQP_ULONG:77')],
        ['_AMQ_VALIDATED_USER', s('alice')],
        ['_AMQ_GROUP_ID', s('grp')],
        ['_AMQ_GROUP_SEQUENCE', { type: 'int', value: -1 }],
        ['JMS_AMQP_ContentType', s('text/plain')],
        ['JMS_AMQP_ContentEncoding', s('gzip')],
        ['JMS_AMQP_ReplyToGroupID', s('rgrp')],
        ['NATIVE_MESSAGE_ID', s('ID:AMQP_UUID:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee')],
        ['_AMQ_ROUTING_TYPE', { type: 'byte', value: 0 }],
      ],
    }),
  );
  const p = r.view.properties!;
  assert.deepEqual(p['message-id'], { type: 'uuid', value: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' });
  assert.deepEqual(p['user-id'], { type: 'binary', value: Buffer.from('alice').toString('base64') });
  assert.deepEqual(p.to, s('orders'));
  assert.deepEqual(p.subject, s('my-type'));
  assert.deepEqual(p['reply-to'], s('replies'));
  assert.deepEqual(p['correlation-id'], { type: 'ulong', value: '77' });
  assert.deepEqual(p['content-type'], { type: 'symbol', value: 'text/plain' });
  assert.deepEqual(p['content-encoding'], { type: 'symbol', value: 'gzip' });
  assert.deepEqual(p['creation-time'], { type: 'timestamp', value: '1700000000000' });
  assert.deepEqual(p['group-id'], s('grp'));
  assert.deepEqual(p['group-sequence'], { type: 'uint', value: 0xffffffff });
  assert.deepEqual(p['reply-to-group-id'], s('rgrp'));
  const ma = r.view.messageAnnotations!;
  assert.deepEqual(ma['x-opt-jms-dest'], { type: 'byte', value: 1 }, 'multicast routing type: a topic');
  assert.deepEqual(ma['x-opt-jms-reply-to'], { type: 'byte', value: 3 });
  // None of the mapped names is also an application property.
  assert.deepEqual(Object.keys(r.view.applicationProperties!).sort(), ['_AMQ_DUPL_ID']);

  const bytesCorr = await convert(core({ userId: null, address: null, props: [['JMSCorrelationID', { type: 'bytes', value: Buffer.of(1, 2) }]] }));
  assert.deepEqual(bytesCorr.view.properties!['correlation-id'], { type: 'binary', value: 'AQI=' });
  assert.equal(bytesCorr.view.properties!['message-id'], null, 'no NATIVE_MESSAGE_ID and no user id: no message-id');
  assert.deepEqual(bytesCorr.view.properties!.to, s('orders'), 'no stored address: the queue address');
  const plain = await convert(core({}));
  assert.deepEqual(plain.view.properties!['message-id'], s('ID:0a1b2c3d-0000-1111-2222-333344445555'));
  assert.deepEqual(plain.view.messageAnnotations!['x-opt-jms-dest'], { type: 'byte', value: 0 });
});

test('the "ID:" helper decodes every id encoding, falling back to the string', () => {
  assert.deepEqual(idFromString('plain'), s('plain'));
  assert.deepEqual(idFromString('ID:abc'), s('ID:abc'));
  assert.deepEqual(idFromString('ID:AMQP_NO_PREFIX:abc'), s('abc'));
  assert.deepEqual(idFromString('ID:AMQP_STRING:ID:AMQP_ULONG:1'), s('ID:AMQP_ULONG:1'));
  assert.deepEqual(idFromString('ID:AMQP_ULONG:18446744073709551615'), { type: 'ulong', value: 18446744073709551615n });
  assert.deepEqual(idFromString('ID:AMQP_ULONG:18446744073709551616'), s('ID:AMQP_ULONG:18446744073709551616'));
  assert.deepEqual(idFromString('ID:AMQP_ULONG:x'), s('ID:AMQP_ULONG:x'));
  assert.deepEqual(idFromString('ID:AMQP_UUID:AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee'), { type: 'uuid', value: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' });
  assert.deepEqual(idFromString('ID:AMQP_UUID:1-2-3-4-5'), { type: 'uuid', value: '00000001-0002-0003-0004-000000000005' });
  assert.deepEqual(idFromString('ID:AMQP_UUID:nope'), s('ID:AMQP_UUID:nope'));
  assert.deepEqual(idFromString('ID:AMQP_BINARY:0AFF'), { type: 'binary', value: Buffer.of(0x0a, 0xff) });
  assert.deepEqual(idFromString('ID:AMQP_BINARY:ABC'), s('ID:AMQP_BINARY:ABC'));
});

test('application properties keep exact types; broker-internal names are not sent', async () => {
  const r = await convert(
    core({
      props: [
        ['p_bool', { type: 'boolean', value: true }],
        ['p_byte', { type: 'byte', value: -7 }],
        ['p_short', { type: 'short', value: 31000 }],
        ['p_int', { type: 'int', value: 2000000001 }],
        ['p_long', { type: 'long', value: 9000000000000000001n }],
        ['p_float', { type: 'float', value: 3.25 }],
        ['p_double', { type: 'double', value: -1e-300 }],
        ['p_char', { type: 'char', value: 'λ' }],
        ['p_bytes', { type: 'bytes', value: Buffer.of(0, 1, 2, 3) }],
        ['p_null', { type: 'null', value: null }],
        ['p_string', s('')],
        ['JMSXDeliveryCount', { type: 'int', value: 3 }],
        ['JMS_AMQP_Custom', s('kept')],
        ['_AMQ_ORIG_ADDRESS', s('old')],
        ['_AMQ_LVQ_NAME', s('last')],
        ['__AMQ_CID', s('conn')],
        ['_AMQ_ROUTING_TYPE', { type: 'byte', value: 1 }],
        ['_AMQ_ROUTE_TO', { type: 'bytes', value: Buffer.alloc(8) }],
        ['_AMQ_ROUTE_TOsf.x', { type: 'bytes', value: Buffer.alloc(8) }],
        ['_AMQ_ACK_ROUTE_TO', { type: 'bytes', value: Buffer.alloc(8) }],
        ['_AMQ_SCALEDOWN_TO', { type: 'bytes', value: Buffer.alloc(8) }],
        ['NATIVE_MESSAGE_ID', s('ID:x')],
        ['JMS_AMQP_NATIVE', { type: 'boolean', value: false }],
        ['JMS_AMQP_PROPERTIES', { type: 'boolean', value: true }],
        ['JMS_AMQP_HEADER', { type: 'boolean', value: true }],
        ['JMS_AMQP_HEADERDURABLE', { type: 'boolean', value: true }],
        ['JMS_AMQP_ORIGINAL_ENCODING', { type: 'short', value: 0 }],
        ['JMSDeliveryMode', s('x')],
        ['_AMQ_DUPL_ID', { type: 'bytes', value: Buffer.of(9, 9) }],
      ],
    }),
  );
  assert.deepEqual(r.view.applicationProperties, {
    p_bool: { type: 'boolean', value: true },
    p_byte: { type: 'byte', value: -7 },
    p_short: { type: 'short', value: 31000 },
    p_int: { type: 'int', value: 2000000001 },
    p_long: { type: 'long', value: '9000000000000000001' },
    p_float: { type: 'float', value: 3.25 },
    p_double: { type: 'double', value: -1e-300 },
    p_char: { type: 'char', value: 'λ' },
    p_bytes: { type: 'binary', value: 'AAECAw==' },
    p_null: { type: 'null', value: null },
    p_string: s(''),
    JMSXDeliveryCount: { type: 'int', value: 3 },
    JMS_AMQP_Custom: s('kept'),
    _AMQ_ORIG_ADDRESS: s('old'),
    _AMQ_LVQ_NAME: s('last'),
    _AMQ_DUPL_ID: { type: 'binary', value: 'CQk=' },
  });
  assert.deepEqual(r.out.duplicateId, Buffer.of(9, 9));
  assert.deepEqual(Buffer.from(r.rhea.application_properties._AMQ_DUPL_ID), Buffer.of(9, 9));
});

test('annotations: JMS_AMQP_MA_/ENCODED_MA_, ingress time, scheduled time, drainer annotations; no delivery annotations', async () => {
  const encodedList = encodeAmqpValue({ type: 'list', value: [{ type: 'uint', value: 7 }] });
  const r = await convert(
    core({
      props: [
        ['JMS_AMQP_MA_x-opt-app', s('ma')],
        ['JMS_AMQP_ENCODED_MA_x-opt-enc', { type: 'bytes', value: encodedList }],
        ['JMS_AMQP_MA_x-opt-routing-type', { type: 'byte', value: 0 }],
        ['JMS_AMQP_MA_x-opt-delivery-delay', { type: 'long', value: 5000n }],
        ['JMS_AMQP_ENCODED_MA_x-opt-bad', { type: 'bytes', value: Buffer.of(0xff) }],
        ['JMS_AMQP_DA_x-opt-da', s('da')],
        ['JMS_AMQP_ENCODED_DA_x-opt-da2', { type: 'bytes', value: encodedList }],
        ['JMS_AMQP_FT_x-opt-ft', s('ft')],
        ['JMS_AMQP_ENCODED_FT_x-opt-ft2', { type: 'bytes', value: encodedList }],
        ['_AMQ_INGRESS_TIMESTAMP', { type: 'long', value: 1_700_000_000_500n }],
        ['_AMQ_SCHED_DELIVERY', { type: 'long', value: 1_800_000_001_000n }],
      ],
    }),
  );
  const ma = r.view.messageAnnotations!;
  assert.deepEqual(ma, {
    'x-opt-jms-msg-type': { type: 'byte', value: 3 },
    'x-opt-jms-dest': { type: 'byte', value: 0 },
    'x-opt-delivery-time': { type: 'long', value: '1800000001000' },
    'x-opt-app': s('ma'),
    'x-opt-enc': { type: 'list', value: [{ type: 'uint', value: 7 }] },
    'x-opt-ingress-time': { type: 'long', value: '1700000000500' },
    'x-opt-drainer-delivery-count': { type: 'uint', value: 2 },
    'x-opt-drainer-source': s('node-a:1001'),
  });
  assert.equal(r.view.deliveryAnnotations, null);
  assert.deepEqual(r.view.footer, { 'x-opt-ft': s('ft'), 'x-opt-ft2': { type: 'list', value: [{ type: 'uint', value: 7 }] } });
  // A JMS_AMQP_ENCODED_* value that is no AMQP encoding stays, as the property it is.
  assert.deepEqual(r.view.applicationProperties!['JMS_AMQP_ENCODED_MA_x-opt-bad'], { type: 'binary', value: '/w==' });
  assert.equal(r.view.applicationProperties!['_AMQ_SCHED_DELIVERY'], undefined);
  assert.equal(r.rhea.message_annotations['x-opt-app'], 'ma');

  // The queue's recorded scheduled time wins over the property.
  const q = await convert(core({ props: [['_AMQ_SCHED_DELIVERY', { type: 'long', value: 5n }]] }), { scheduledTime: 1_900_000_000_000 });
  assert.deepEqual(q.view.messageAnnotations!['x-opt-delivery-time'], { type: 'long', value: '1900000000000' });
  const none = await convert(core({}));
  assert.equal(none.view.messageAnnotations!['x-opt-delivery-time'], undefined);
});

test('duplicate id: kept when present (string), else deterministic per node, message and queue', async () => {
  const own = await convert(core({ props: [['_AMQ_DUPL_ID', s('mine')]] }));
  assert.equal(own.out.duplicateId, 'mine');
  assert.deepEqual(own.view.applicationProperties!['_AMQ_DUPL_ID'], s('mine'));
  const a = await convert(core({ messageId: 42n }), { queue: 'q1' });
  const b = await convert(core({ messageId: 42n }), { queue: 'q1' });
  const c = await convert(core({ messageId: 42n }), { queue: 'q2' });
  assert.equal(a.out.duplicateId, 'drainer:node-a:42:q1');
  assert.equal(b.out.duplicateId, a.out.duplicateId);
  assert.equal(c.out.duplicateId, 'drainer:node-a:42:q2');
  assert.equal(a.rhea.application_properties._AMQ_DUPL_ID, 'drainer:node-a:42:q1');
});

test('bodies by core type and original encoding', async () => {
  const text = (t: string | null, enc?: number) =>
    convert(core({ type: CoreType.TEXT, body: textBody(t), props: enc === undefined ? [] : [['JMS_AMQP_ORIGINAL_ENCODING', { type: 'short', value: enc }]] }));
  assert.deepEqual((await text('héllo ✓')).view.body, { section: 'amqp-value', value: s('héllo ✓') });
  assert.deepEqual((await text(null)).view.body, { section: 'amqp-value', value: { type: 'null', value: null } });
  assert.deepEqual((await text('x', 1)).view.body, { section: 'none' });
  const asData = await text('héllo', 2);
  assert.deepEqual(asData.view.body, { section: 'data', size: 6, sha256: sha256('héllo'), base64: Buffer.from('héllo').toString('base64') });
  assert.equal(asData.view.messageAnnotations!['x-opt-jms-msg-type'].value, 5);
  assert.equal(asData.view.applicationProperties!['JMS_AMQP_ORIGINAL_ENCODING'], undefined);

  const raw = Buffer.from([0, 1, 2, 255]);
  const bytes = (enc?: number) => convert(core({ type: CoreType.BYTES, body: { kind: 'buffer', data: raw }, props: enc === undefined ? [] : [['JMS_AMQP_ORIGINAL_ENCODING', { type: 'short', value: enc }]] }));
  assert.deepEqual((await bytes()).view.body, { section: 'data', size: 4, sha256: sha256(raw), base64: raw.toString('base64') });
  assert.deepEqual((await bytes(6)).view.body, { section: 'amqp-value', value: { type: 'binary', value: raw.toString('base64') } });
  assert.deepEqual((await bytes(1)).view.body, { section: 'none' });

  const mapData = typedProperties([
    ['k-int', 6, Buffer.from([0, 0, 0, 7])],
    ['k-bytes', 4, Buffer.from([0, 0, 0, 1, 9])],
    ['k-str', 10, simpleString('v')],
    ['k-null', 0, Buffer.alloc(0)],
  ] as Entry[]);
  const map = await convert(core({ type: CoreType.MAP, body: { kind: 'buffer', data: mapData } }));
  assert.deepEqual(map.view.body, {
    section: 'amqp-value',
    value: {
      type: 'map',
      value: [
        { key: s('k-int'), value: { type: 'int', value: 7 } },
        { key: s('k-bytes'), value: { type: 'binary', value: 'CQ==' } },
        { key: s('k-str'), value: s('v') },
        { key: s('k-null'), value: { type: 'null', value: null } },
      ],
    },
  });
  assert.equal(map.view.messageAnnotations!['x-opt-jms-msg-type'].value, 2);
  assert.deepEqual(map.rhea.body, { 'k-int': 7, 'k-bytes': Buffer.of(9), 'k-str': 'v', 'k-null': null });

  const streamData = new Writer().u8(6).i32(3).u8(10).u8(1).str('seven').u8(4).i32(2).raw([8, 8]).u8(10).u8(0).u8(11).i16(0x63).build();
  const stream = (enc?: number) => convert(core({ type: CoreType.STREAM, body: { kind: 'buffer', data: streamData }, props: enc === undefined ? [] : [['JMS_AMQP_ORIGINAL_ENCODING', { type: 'short', value: enc }]] }));
  const items = [{ type: 'int', value: 3 }, s('seven'), { type: 'binary', value: 'CAg=' }, { type: 'null', value: null }, { type: 'char', value: 'c' }];
  assert.deepEqual((await stream()).view.body, { section: 'amqp-value', value: { type: 'list', value: items } });
  assert.deepEqual((await stream(3)).view.body, { section: 'amqp-sequence', value: items });

  const serialized = Buffer.from('aced0005740003616263', 'hex');
  const objBody = Buffer.concat([new Writer().i32(serialized.length).build(), serialized]);
  const obj = await convert(core({ type: CoreType.OBJECT, body: { kind: 'buffer', data: objBody } }));
  assert.deepEqual(obj.view.body, { section: 'data', size: serialized.length, sha256: sha256(serialized), base64: serialized.toString('base64') });
  assert.deepEqual(obj.view.properties!['content-type'], { type: 'symbol', value: 'application/x-java-serialized-object' });
  assert.equal(obj.view.messageAnnotations!['x-opt-jms-msg-type'].value, 1);
  const objValue = await convert(core({ type: CoreType.OBJECT, body: { kind: 'buffer', data: objBody }, props: [['JMS_AMQP_ORIGINAL_ENCODING', { type: 'short', value: 6 }], ['JMS_AMQP_ContentType', s('application/x-custom')]] }));
  assert.deepEqual(objValue.view.body, { section: 'amqp-value', value: { type: 'binary', value: serialized.toString('base64') } });
  assert.deepEqual(objValue.view.properties!['content-type'], { type: 'symbol', value: 'application/x-custom' });
  const emptyObj = await convert(core({ type: CoreType.OBJECT }));
  assert.deepEqual(emptyObj.view.body, { section: 'data', size: 0, sha256: sha256(''), base64: '' });
  await assert.rejects(convert(core({ type: CoreType.OBJECT, body: { kind: 'buffer', data: Buffer.of(0, 0, 0, 9, 1) } })), ConversionError);
});

test('DEFAULT bodies: one nullable SimpleString is text, anything else raw data, empty is none', async () => {
  const dflt = (data: Buffer) => convert(core({ type: CoreType.DEFAULT, body: { kind: 'buffer', data } }));
  assert.deepEqual((await dflt(Buffer.alloc(0))).view.body, { section: 'none' });
  assert.deepEqual((await dflt(Buffer.of(0))).view.body, { section: 'none' });
  assert.deepEqual((await dflt(nullableSimpleString('plain text'))).view.body, { section: 'amqp-value', value: s('plain text') });
  const raw = Buffer.from('raw core bytes, not a SimpleString');
  assert.deepEqual((await dflt(raw)).view.body, { section: 'data', size: raw.length, sha256: sha256(raw), base64: raw.toString('base64') });
  const trailing = Buffer.concat([nullableSimpleString('x'), Buffer.of(1)]);
  assert.equal((await dflt(trailing)).view.body.section, 'data');
  assert.equal((await dflt(Buffer.of(0))).view.messageAnnotations!['x-opt-jms-msg-type'].value, 0);
});

test('large bodies stay file regions; compressed ones are zlib parts inflated on reading', async () => {
  const payload = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 9)) & 0xff;

  const plain = await convert(core({ large: true, body: file('10.msg', payload), props: [['_AMQ_LARGE_SIZE', { type: 'long', value: BigInt(payload.length) }]] }));
  const filePart = plain.out.parts.find((p) => p.kind === 'file');
  assert.ok(filePart && filePart.kind === 'file' && filePart.length === payload.length && !filePart.zlib, 'the body is a region of the file');
  assert.ok(plain.out.parts.every((p) => p.kind === 'file' || p.data.length < 1024), 'no part holds the body in memory');
  assert.deepEqual(plain.view.body, { section: 'data', size: payload.length, sha256: sha256(payload), base64: payload.toString('base64') });
  assert.deepEqual(plain.view.applicationProperties!['_AMQ_LARGE_SIZE'], { type: 'long', value: String(payload.length) });

  const compressed = zlib.deflateSync(payload);
  const zipped = await convert(
    core({
      large: true,
      body: { ...file('11.msg', compressed), zlib: true },
      props: [
        ['_AMQ_LARGE_COMPRESSED', { type: 'boolean', value: true }],
        ['_AMQ_LARGE_SIZE', { type: 'long', value: BigInt(payload.length) }],
      ],
    }),
  );
  const zPart = zipped.out.parts.find((p) => p.kind === 'file');
  assert.ok(zPart && zPart.kind === 'file' && zPart.zlib === true && zPart.length === compressed.length, 'a zlib part over the compressed file');
  assert.equal(zipped.out.size, plain.out.size, 'size counts the inflated body');
  assert.equal(zipped.view.body.section, 'data');
  assert.equal((zipped.view.body as { sha256: string }).sha256, sha256(payload));
  assert.equal(zipped.view.applicationProperties!['_AMQ_LARGE_COMPRESSED'], undefined, 'sent inflated: the flag is dropped');
  assert.equal(zipped.rhea.body.content.length, payload.length);

  // Large text (transcoded in memory), compressed or not; a compressed in-hand body.
  const text = 'large ✓ text '.repeat(20000);
  const ss = nullableSimpleString(text);
  for (const [name, body] of [
    ['12.msg', file('12.msg', ss)],
    ['13.msg', { ...file('13.msg', zlib.deflateSync(ss)), zlib: true }],
  ] as const) {
    const r = await convert(core({ large: true, type: CoreType.TEXT, body }));
    assert.deepEqual(r.view.body, { section: 'amqp-value', value: s(text) }, name);
  }
  const small = await convert(core({ type: CoreType.TEXT, body: { kind: 'buffer', data: zlib.deflateSync(nullableSimpleString('tiny')) }, props: [['_AMQ_LARGE_COMPRESSED', { type: 'boolean', value: true }]] }));
  assert.deepEqual(small.view.body, { section: 'amqp-value', value: s('tiny') });

  // Large object: the serialized bytes after the i32 length, as a region (or in memory if compressed).
  const serialized = Buffer.alloc(100000, 0x42);
  const objFile = Buffer.concat([new Writer().i32(serialized.length).build(), serialized]);
  for (const body of [file('14.msg', objFile), { ...file('15.msg', zlib.deflateSync(objFile)), zlib: true }]) {
    const r = await convert(core({ large: true, type: CoreType.OBJECT, body }));
    assert.deepEqual({ ...r.view.body, base64: undefined }, { section: 'data', size: serialized.length, sha256: sha256(serialized), base64: undefined });
  }
  const region = (await convert(core({ large: true, type: CoreType.OBJECT, body: file('16.msg', objFile) }))).out.parts.find((p) => p.kind === 'file');
  assert.ok(region && region.kind === 'file' && region.offset === 4 && region.length === serialized.length);

  // Large DEFAULT: raw bytes are data (a region), a SimpleString is text.
  const rawDefault = await convert(core({ large: true, type: CoreType.DEFAULT, body: file('17.msg', payload) }));
  assert.equal((rawDefault.view.body as { sha256: string }).sha256, sha256(payload));
  assert.ok(rawDefault.out.parts.some((p) => p.kind === 'file'));
  const zDefault = await convert(core({ large: true, type: CoreType.DEFAULT, body: { ...file('18.msg', zlib.deflateSync(payload)), zlib: true } }));
  assert.equal((zDefault.view.body as { sha256: string }).sha256, sha256(payload));
  const textDefault = await convert(core({ large: true, type: CoreType.DEFAULT, body: file('19.msg', ss) }));
  assert.deepEqual(textDefault.view.body, { section: 'amqp-value', value: s(text) });
});

test('unreadable bodies fail the conversion with ConversionError, naming the message', async () => {
  const missing: ByteSource = { kind: 'file', path: path.join(tmp, 'nope.msg'), displayPath: 'large-messages/nope.msg', offset: 0, length: -1 };
  await assert.rejects(toOutgoing(core({ large: true, messageId: 77n, body: missing }), CTX), (e: unknown) => e instanceof ConversionError && e.messageId === 77n && /nope\.msg/.test(e.message));
  const badZip = { ...file('20.msg', Buffer.from('not zlib at all')), zlib: true };
  await assert.rejects(toOutgoing(core({ large: true, body: badZip }), CTX), ConversionError);
  await assert.rejects(toOutgoing(core({ type: CoreType.TEXT, body: { kind: 'buffer', data: Buffer.of(1, 0, 0, 0, 9) } }), CTX), ConversionError);
  await assert.rejects(toOutgoing(core({ type: CoreType.LARGE_EMBEDDED }), CTX), /not supported/);
});

test('an outgoing message whose file changed after conversion fails on reading', async () => {
  const body = file('30.msg', Buffer.alloc(5000, 1));
  const out = await toOutgoing(core({ large: true, body }), CTX);
  fs.writeFileSync(body.path, Buffer.alloc(10, 1));
  await assert.rejects(readOutgoing(out));
});

test('EMBEDDED: the AMQP message a core bridge wrapped is sent as that AMQP message', async () => {
  const amqp = Buffer.concat([
    encodeHeader({ durable: true, priority: 6 }),
    encodeMessageAnnotations([['x-opt-routing-type', { type: 'byte', value: 1 }], ['x-opt-keep', s('k')]]),
    encodeApplicationProperties([['fixture_id', s('embedded')]]),
    encodeAmqpValueSection(s('inside')),
  ]);
  // "EMB" + persister 3 (AMQP v2): id, format, address, data, no extra properties.
  const embedded = new Writer().raw(Buffer.from('EMB')).u8(3).i64(555n).i64(0n).nss('orders').i32(amqp.length).raw(amqp).i32(0).build();
  const r = await convert(core({ type: CoreType.EMBEDDED, messageId: 900n, body: { kind: 'buffer', data: embedded } }));
  assert.deepEqual(r.view.body, { section: 'amqp-value', value: s('inside') });
  assert.equal(r.view.header!.priority, 6);
  assert.deepEqual(r.view.messageAnnotations!['x-opt-keep'], s('k'));
  assert.equal(r.view.messageAnnotations!['x-opt-routing-type'], undefined);
  assert.equal(r.out.duplicateId, 'drainer:node-a:900:orders', 'tracked under the stored core message id');
  assert.equal(r.out.priority, 6);
  // Not an embedded encoding: converted as a plain core message.
  const notEmb = await convert(core({ type: CoreType.EMBEDDED, body: { kind: 'buffer', data: Buffer.from('XYZ') } }));
  assert.equal(notEmb.view.body.section, 'data');
});
