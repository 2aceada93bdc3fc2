/**
 * Re-sending stored AMQP messages, on hand-built encodings: what is rewritten (header, message
 * annotations, duplicate id, expiry) and that everything else keeps its bytes and its place,
 * including bodies that stay regions of a large-message file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import rhea from 'rhea';
import { decodeAmqpMessageView, parseAmqpSections, type AmqpView } from '../../journal/amqp/sections.js';
import type { AmqpMessage, AmqpSection, ByteSource } from '../../journal/model/message.js';
import type { TypedValue } from '../../journal/model/typed-value.js';
import {
  encodeAmqpValue,
  encodeAmqpValueSection,
  encodeApplicationProperties,
  encodeDataSection,
  encodeDataSectionHeader,
  encodeDeliveryAnnotations,
  encodeFooter,
  encodeHeader,
  encodeMessageAnnotations,
  encodeProperties,
} from '../../drainer/amqp/encode/index.js';
import { ConversionError } from '../../drainer/convert/errors.js';
import { readOutgoing } from '../../drainer/convert/outgoing-bytes.js';
import type { ConversionContext, OutgoingMessage } from '../../drainer/convert/outgoing.js';
import { toOutgoing } from '../../drainer/convert/to-outgoing.js';

const NOW = 1_800_000_000_000;
const CTX: ConversionContext = { sourceNodeId: 'node-b', queue: 'events.sub', address: 'events', routingType: 'MULTICAST', deliveryCount: 4, scheduledTime: 0, now: NOW };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convert-amqp-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

const s = (value: string): TypedValue => ({ type: 'string', value });
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function amqp(encoded: Buffer | ByteSource[], over: Partial<AmqpMessage> = {}): AmqpMessage {
  return {
    protocol: 'amqp',
    messageId: 500n,
    large: false,
    messageFormat: 0n,
    address: 'events',
    durable: true,
    priority: 4,
    expiration: 0,
    ttl: null,
    extraProperties: new Map(),
    encoded: Buffer.isBuffer(encoded) ? [{ kind: 'buffer', data: encoded }] : encoded,
    persister: 5,
    ...over,
  };
}

interface Result {
  out: OutgoingMessage;
  bytes: Buffer;
  sections: AmqpSection[];
  view: AmqpView;
}

async function resend(msg: AmqpMessage, ctx: Partial<ConversionContext> = {}): Promise<Result> {
  const out = await toOutgoing(msg, { ...CTX, ...ctx });
  const bytes = await readOutgoing(out);
  assert.equal(bytes.length, out.size);
  rhea.message.decode(bytes);
  const sections = parseAmqpSections(bytes);
  return { out, bytes, sections, view: decodeAmqpMessageView(sections) };
}

const bytesOf = (r: Result, code: number) => r.sections.filter((x) => x.code === code).map((x) => r.bytes.subarray(x.offset, x.offset + x.length));

const HEADER = encodeHeader({ durable: false, priority: 7, ttl: 1000, firstAcquirer: true, deliveryCount: 3 });
const DA = encodeDeliveryAnnotations([['x-opt-hop', s('one hop')]]);
const MA = encodeMessageAnnotations([
  ['x-opt-routing-type', { type: 'byte', value: 0 }],
  ['x-opt-keep', { type: 'list', value: [{ type: 'uint', value: 1 }] }],
  ['x-opt-ORIG-ADDRESS', s('old.address')],
]);
const PROPS = encodeProperties({ messageId: { type: 'ulong', value: 9n }, to: 'events', subject: 'subj' });
const AP_WITH_ID = encodeApplicationProperties([
  ['a', { type: 'int', value: 1 }],
  ['_AMQ_DUPL_ID', s('mine')],
]);
const BODY = encodeAmqpValueSection(s('the body'));
const FOOTER = encodeFooter([['x-opt-sig', { type: 'binary', value: Buffer.of(1, 2) }]]);

test('header re-encoded, delivery annotations dropped, routing type removed, the rest byte for byte', async () => {
  const stored = Buffer.concat([HEADER, DA, MA, PROPS, AP_WITH_ID, BODY, FOOTER]);
  const r = await resend(amqp(stored, { durable: true, priority: 7, ttl: 1000 }));
  // The record's durable wins and is explicit; the stored ttl stays (the broker recorded no expiration).
  assert.deepEqual(r.view.header, { durable: true, priority: 7, ttl: 1000, firstAcquirer: true, deliveryCount: 3 });
  assert.equal(r.view.deliveryAnnotations, null);
  assert.deepEqual(r.view.messageAnnotations, {
    'x-opt-keep': { type: 'list', value: [{ type: 'uint', value: 1 }] },
    'x-opt-ORIG-ADDRESS': s('old.address'),
    'x-opt-drainer-delivery-count': { type: 'uint', value: 4 },
    'x-opt-drainer-source': s('node-b:500'),
  });
  assert.deepEqual(
    r.sections.map((x) => x.code),
    [0x70, 0x72, 0x73, 0x74, 0x77, 0x78],
  );
  assert.deepEqual(bytesOf(r, 0x73), [PROPS]);
  assert.deepEqual(bytesOf(r, 0x74), [AP_WITH_ID], 'a message with its own duplicate id keeps its application properties');
  assert.deepEqual(bytesOf(r, 0x77), [BODY]);
  assert.deepEqual(bytesOf(r, 0x78), [FOOTER]);
  assert.equal(r.out.duplicateId, 'mine');
  assert.equal(r.out.durable, true);
  assert.equal(r.out.priority, 7);
  // Kept annotation entries keep their bytes.
  const keep = encodeAmqpValue({ type: 'list', value: [{ type: 'uint', value: 1 }] });
  assert.ok(bytesOf(r, 0x72)[0]!.includes(keep));
});

test('a binary duplicate id is kept as binary', async () => {
  const ap = encodeApplicationProperties([['_AMQ_DUPL_ID', { type: 'binary', value: Buffer.of(7, 7, 7) }]]);
  const r = await resend(amqp(Buffer.concat([PROPS, ap, BODY])));
  assert.deepEqual(r.out.duplicateId, Buffer.of(7, 7, 7));
  assert.deepEqual(bytesOf(r, 0x74), [ap]);
});

test('missing sections are added in their place: header, annotations, application properties', async () => {
  const r = await resend(amqp(Buffer.concat([PROPS, encodeDataSection(Buffer.from('data'))]), { durable: false }));
  assert.deepEqual(
    r.sections.map((x) => x.code),
    [0x70, 0x72, 0x73, 0x74, 0x75],
  );
  assert.deepEqual(r.view.header, { durable: false, priority: null, ttl: null, firstAcquirer: null, deliveryCount: null });
  assert.deepEqual(r.view.applicationProperties, { _AMQ_DUPL_ID: s('drainer:node-b:500:events.sub') });
  assert.equal(r.out.duplicateId, 'drainer:node-b:500:events.sub');

  // Existing application properties: entries kept byte for byte, the id appended.
  const ap = encodeApplicationProperties([
    ['x', { type: 'long', value: 5n }],
    ['y', s('why')],
  ]);
  const r2 = await resend(amqp(Buffer.concat([ap, BODY])));
  assert.deepEqual(r2.view.applicationProperties, { x: { type: 'long', value: '5' }, y: s('why'), _AMQ_DUPL_ID: s('drainer:node-b:500:events.sub') });
  const got = bytesOf(r2, 0x74)[0]!;
  assert.ok(got.includes(ap.subarray(6)), 'stored entries are not re-encoded');
});

test('unusual stored order is kept (delivery annotations first, footer before body)', async () => {
  const stored = Buffer.concat([DA, HEADER, PROPS, AP_WITH_ID, FOOTER, BODY]);
  const r = await resend(amqp(stored));
  assert.deepEqual(
    r.sections.map((x) => x.code),
    [0x70, 0x72, 0x73, 0x74, 0x78, 0x77],
  );
  // A second annotations section could carry a routing type too: not sent.
  const twice = await resend(amqp(Buffer.concat([HEADER, encodeMessageAnnotations([['x-opt-a', s('a')]]), MA, BODY])));
  assert.equal(twice.sections.filter((x) => x.code === 0x72).length, 1);
  assert.deepEqual(Object.keys(twice.view.messageAnnotations!).sort(), ['x-opt-a', 'x-opt-drainer-delivery-count', 'x-opt-drainer-source']);
});

test('a symbolic annotations descriptor is kept', async () => {
  const symbolic = Buffer.concat([
    Buffer.of(0x00),
    encodeAmqpValue({ type: 'symbol', value: 'amqp:message-annotations:map' }),
    encodeAmqpValue({ type: 'map', value: [[{ type: 'symbol', value: 'x-opt-routing-type' }, { type: 'byte', value: 1 }], [{ type: 'symbol', value: 'x-opt-s' }, s('v')]] }),
  ]);
  const r = await resend(amqp(Buffer.concat([symbolic, BODY])));
  assert.deepEqual(Object.keys(r.view.messageAnnotations!).sort(), ['x-opt-drainer-delivery-count', 'x-opt-drainer-source', 'x-opt-s']);
  assert.ok(bytesOf(r, 0x72)[0]!.includes(Buffer.from('amqp:message-annotations:map')));
});

test('scheduled time: x-opt-delivery-time set (long), a relative delay removed', async () => {
  const ma = encodeMessageAnnotations([
    ['x-opt-delivery-delay', { type: 'long', value: 60000n }],
    ['x-opt-delivery-time', { type: 'long', value: 1n }],
    ['x-opt-other', s('o')],
  ]);
  const r = await resend(amqp(Buffer.concat([ma, BODY])), { scheduledTime: 1_900_000_000_000 });
  assert.deepEqual(r.view.messageAnnotations, {
    'x-opt-other': s('o'),
    'x-opt-delivery-time': { type: 'long', value: '1900000000000' },
    'x-opt-drainer-delivery-count': { type: 'uint', value: 4 },
    'x-opt-drainer-source': s('node-b:500'),
  });
  const unscheduled = await resend(amqp(Buffer.concat([ma, BODY])));
  assert.deepEqual(unscheduled.view.messageAnnotations!['x-opt-delivery-delay'], { type: 'long', value: '60000' }, 'nothing recorded: left as it was');
});

test('expiry: ttl from the broker expiration; absolute-expiry-time rewritten only when it disagrees', async () => {
  const exp = NOW + 60_000;
  const withAbs = encodeProperties({ messageId: s('m'), absoluteExpiryTime: BigInt(exp), groupId: 'g' });
  let r = await resend(amqp(Buffer.concat([HEADER, withAbs, BODY]), { expiration: exp, ttl: 1000 }));
  assert.equal(r.view.header!.ttl, 60_000);
  assert.deepEqual(bytesOf(r, 0x73), [withAbs], 'agreeing properties keep their bytes');

  // The broker adjusted the expiration (persister v3): the target must see the broker's value.
  r = await resend(amqp(Buffer.concat([HEADER, withAbs, BODY]), { expiration: exp + 5000 }));
  assert.equal(r.view.header!.ttl, 65_000);
  assert.deepEqual(r.view.properties!['absolute-expiry-time'], { type: 'timestamp', value: String(exp + 5000) });
  assert.deepEqual(r.view.properties!['group-id'], s('g'));
  assert.deepEqual(r.view.properties!['message-id'], s('m'));

  // Without absolute-expiry-time a ttl that fits carries it alone…
  r = await resend(amqp(Buffer.concat([PROPS, BODY]), { expiration: exp }));
  assert.equal(r.view.header!.ttl, 60_000);
  assert.deepEqual(bytesOf(r, 0x73), [PROPS]);
  // …one that does not fit a uint is replaced by absolute-expiry-time, in new properties if need be.
  const far = NOW + 2 ** 33;
  r = await resend(amqp(Buffer.concat([PROPS, BODY]), { expiration: far }));
  assert.equal(r.view.header!.ttl, null);
  assert.deepEqual(r.view.properties!['absolute-expiry-time'], { type: 'timestamp', value: String(far) });
  assert.deepEqual(r.view.properties!['message-id'], { type: 'ulong', value: '9' });
  r = await resend(amqp(BODY, { expiration: far }));
  assert.deepEqual(
    r.sections.map((x) => x.code),
    [0x70, 0x72, 0x73, 0x74, 0x77],
  );
  assert.deepEqual(r.view.properties!['absolute-expiry-time'], { type: 'timestamp', value: String(far) });
  // Expired already: ttl 1.
  r = await resend(amqp(BODY, { expiration: NOW - 10 }));
  assert.equal(r.view.header!.ttl, 1);
});

test('message format is carried', async () => {
  const r = await resend(amqp(BODY, { messageFormat: 0x468c0100n }));
  assert.equal(r.out.format, 0x468c0100);
});

test('a large AMQP message: sections read from the file, the body stays a file region', async () => {
  const body = Buffer.alloc(2 * 1024 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
  const dataSection = Buffer.concat([encodeDataSectionHeader(body.length), body]);
  const fileBytes = Buffer.concat([HEADER, DA, MA, PROPS, encodeApplicationProperties([['k', s('v')]]), dataSection, FOOTER]);
  const p = path.join(tmp, '600.msg');
  fs.writeFileSync(p, fileBytes);
  const from = HEADER.length + DA.length;
  const recordHeader = encodeHeader({ durable: true, priority: 5 });
  // As journal/amqp rebuilds it (§11.2, not re-encoded): record header + file after header and DA.
  const msg = amqp(
    [
      { kind: 'buffer', data: recordHeader },
      { kind: 'file', path: p, displayPath: 'large-messages/600.msg', offset: from, length: fileBytes.length - from },
    ],
    { large: true, persister: 4, messageId: 600n, priority: 5 },
  );
  const out = await toOutgoing(msg, CTX);
  const files = out.parts.filter((x) => x.kind === 'file');
  assert.equal(files.length, 1, 'body and footer: one region of the file');
  const region = files[0]!;
  assert.ok(region.kind === 'file');
  const bodyAt = from + MA.length + PROPS.length + encodeApplicationProperties([['k', s('v')]]).length;
  assert.equal(region.offset, bodyAt);
  assert.equal(region.length, dataSection.length + FOOTER.length);
  assert.ok(out.parts.every((x) => x.kind === 'file' || x.data.length < 4096), 'nothing big is held in memory');

  const bytes = await readOutgoing(out);
  const view = decodeAmqpMessageView(parseAmqpSections(bytes), { includeBase64: false });
  assert.deepEqual(view.header, { durable: true, priority: 5, ttl: null, firstAcquirer: null, deliveryCount: null });
  assert.deepEqual(view.body, { section: 'data', size: body.length, sha256: sha256(body) });
  assert.deepEqual(view.applicationProperties, { k: s('v'), _AMQ_DUPL_ID: s('drainer:node-b:600:events.sub') });
  assert.equal(view.messageAnnotations!['x-opt-routing-type'], undefined);
  assert.equal(view.deliveryAnnotations, null);
  assert.equal(rhea.message.decode(bytes).body.content.length, body.length);

  // Re-encoded by the broker: header/annotations/properties from the record, body from the file.
  const newMa = encodeMessageAnnotations([['x-opt-ORIG-QUEUE', s('q0')]]);
  const reencoded = amqp(
    [
      { kind: 'buffer', data: recordHeader },
      { kind: 'buffer', data: newMa },
      { kind: 'buffer', data: PROPS },
      { kind: 'buffer', data: AP_WITH_ID },
      { kind: 'file', path: p, displayPath: 'large-messages/600.msg', offset: bodyAt, length: fileBytes.length - bodyAt },
    ],
    { large: true, persister: 4, messageId: 600n, reencoded: true },
  );
  const out2 = await toOutgoing(reencoded, CTX);
  const view2 = decodeAmqpMessageView(parseAmqpSections(await readOutgoing(out2)), { includeBase64: false });
  assert.deepEqual(view2.messageAnnotations!['x-opt-ORIG-QUEUE'], s('q0'));
  assert.equal(out2.duplicateId, 'mine');
  assert.deepEqual(view2.body, { section: 'data', size: body.length, sha256: sha256(body) });
});

test('unreadable stored messages fail with ConversionError', async () => {
  const missing = amqp([{ kind: 'file', path: path.join(tmp, 'gone.msg'), displayPath: 'large-messages/gone.msg', offset: 0, length: 10 }], { messageId: 700n });
  await assert.rejects(toOutgoing(missing, CTX), (e: unknown) => e instanceof ConversionError && e.messageId === 700n && /gone\.msg/.test(e.message));
  await assert.rejects(toOutgoing(amqp(Buffer.from('not amqp at all')), CTX), ConversionError);
  // Cut inside the body section.
  await assert.rejects(toOutgoing(amqp(Buffer.concat([HEADER, BODY.subarray(0, BODY.length - 2)])), CTX), ConversionError);
});
