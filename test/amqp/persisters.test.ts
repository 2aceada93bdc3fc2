import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { BufferReader, DecodeError } from '../../journal/binary/reader.js';
import { Diagnostics } from '../../journal/diagnostics.js';
import type { MessageContext } from '../../journal/messages/context.js';
import type { AmqpMessage } from '../../journal/model/message.js';
import {
  amqpTtl,
  decodeAmqpPersisted,
  describeAmqpMessage,
  openAmqpEncodedStream,
  peekAmqpSummary,
  readAmqpEncoded,
  type AmqpStoredMessage,
} from '../../journal/amqp/persisters.js';
import { decodeAmqpMessageView, parseAmqpSections } from '../../journal/amqp/sections.js';
import { A, R } from './amqp-encode.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function ctxFor(dataDir = '/nonexistent-data'): MessageContext {
  return {
    dataDir,
    largeMessagesDir: join(dataDir, 'large-messages'),
    diagnostics: new Diagnostics(),
    where: { file: 'journal/activemq-data-1.amq', offset: 4242 },
  };
}

/** Decodes a record body (persister byte first), checking it is fully consumed. */
function decode(body: Buffer, ctx = ctxFor()): AmqpStoredMessage {
  const r = new BufferReader(body, 1);
  const msg = decodeAmqpPersisted(body[0]!, r, ctx) as AmqpStoredMessage;
  assert.equal(r.remaining, 0, 'record fully consumed');
  const summary = peekAmqpSummary(body[0]!, body, 1, body.length - 1);
  assert.deepEqual(summary, { messageId: msg.messageId, priority: msg.priority, durable: msg.durable, expiration: msg.expiration });
  return msg;
}

const PROPS_EXPIRY = A.section(
  0x73,
  A.list8(A.null(), A.null(), A.null(), A.null(), A.null(), A.null(), A.null(), A.null(), A.timestamp(4102444800000n)),
);

function amqpData(header: Buffer | null, ...rest: Buffer[]): Buffer {
  return Buffer.concat([...(header ? [header] : []), ...rest]);
}

function standardRecord(persister: number, id: bigint, data: Buffer, opts: { address?: string | null; extra?: Record<string, string>; expiration?: bigint } = {}): Buffer {
  const parts = [Buffer.from([persister]), R.i64(id), R.i64(0n), R.nullableSimpleString(opts.address === undefined ? 'q1' : opts.address), R.i32(data.length), data];
  if (persister === 3 || persister === 5) {
    const extra = opts.extra ? R.typedProperties(opts.extra) : Buffer.alloc(0);
    parts.push(R.i32(extra.length), extra);
  }
  if (persister === 5) parts.push(R.i64(opts.expiration ?? 0n));
  return Buffer.concat(parts);
}

const HEADER_P12 = A.section(0x70, A.list8(A.true(), A.ubyte(12), A.uint(60000)));
const VALUE = A.section(0x77, A.str8('body'));

test('persister v1 (2): header facts, expiry from absolute-expiry-time, ttl recorded not applied', () => {
  const data = amqpData(HEADER_P12, PROPS_EXPIRY, VALUE);
  const msg = decode(standardRecord(2, 17n, data));
  assert.equal(msg.protocol, 'amqp');
  assert.equal(msg.persister, 2);
  assert.equal(msg.messageId, 17n);
  assert.equal(msg.address, 'q1');
  assert.equal(msg.durable, true);
  assert.equal(msg.priority, 9, 'priority 12 is clamped to 9');
  assert.equal(msg.expiration, 4102444800000);
  assert.equal(msg.ttl, 60000);
  assert.equal(amqpTtl(msg), 60000);
  assert.equal(msg.extraProperties.size, 0);
  assert.equal(msg.large, false);
  assert.deepEqual(msg.encoded, [{ kind: 'buffer', data }]);
});

test('persister v1/v2 without absolute-expiry-time: expiration 0 even with a ttl', () => {
  const msg = decode(standardRecord(3, 18n, amqpData(HEADER_P12, VALUE), { extra: { _AMQ_AD: 'q1' } }));
  assert.equal(msg.expiration, 0);
  assert.equal(msg.ttl, 60000);
  assert.deepEqual([...msg.extraProperties], [['_AMQ_AD', { type: 'string', value: 'q1' }]]);
});

test('persister v3 (5): the stored expiration wins; no header means durable false, priority 4', () => {
  const msg = decode(standardRecord(5, 19n, amqpData(null, PROPS_EXPIRY, VALUE), { expiration: 1234n, address: null }));
  assert.equal(msg.expiration, 1234);
  assert.equal(msg.durable, false);
  assert.equal(msg.priority, 4);
  assert.equal(msg.ttl, null);
  assert.equal(msg.address, null);
});

test('kept bytes are copies of the caller buffer', () => {
  const data = amqpData(HEADER_P12, VALUE);
  const body = standardRecord(5, 20n, data);
  const msg = decode(body);
  body.fill(0);
  assert.deepEqual((msg.encoded[0] as { data: Buffer }).data, data);
});

test('undecodable AMQP sections keep the message, with a warning and the facts read so far', () => {
  const badHeader = ctxFor();
  const broken = decode(standardRecord(5, 22n, Buffer.concat([A.section(0x70, A.list8(A.ubyte(1))), VALUE])), badHeader);
  assert.equal(broken.durable, false);
  assert.equal(broken.priority, 4);
  assert.equal(badHeader.diagnostics.list[0]?.severity, 'warning');

  const ctx = ctxFor();
  const data = Buffer.concat([A.section(0x70, A.list8(A.true(), A.ubyte(3))), A.raw(0x00, 0x53, 0x99, 0x40)]);
  const r = new BufferReader(standardRecord(5, 21n, data), 1);
  const msg = decodeAmqpPersisted(5, r, ctx);
  assert.equal(msg.durable, true, 'header read before the damage');
  assert.equal(msg.priority, 3);
  assert.deepEqual((msg.encoded[0] as { data: Buffer }).data, data);
  assert.equal(ctx.diagnostics.list.length, 1);
  const d = ctx.diagnostics.list[0]!;
  assert.equal(d.severity, 'warning');
  assert.equal(d.file, 'journal/activemq-data-1.amq');
  assert.equal(d.offset, 4242);
  assert.match(d.message, /AMQP message 21/);
});

test('damaged records throw DecodeError, never anything else', () => {
  const good = [
    standardRecord(2, 1n, amqpData(HEADER_P12, VALUE)),
    standardRecord(3, 2n, amqpData(HEADER_P12, VALUE), { extra: { _AMQ_AD: 'q1', other: 'x' } }),
    standardRecord(5, 3n, amqpData(HEADER_P12, PROPS_EXPIRY, VALUE), { extra: { _AMQ_AD: 'q1' }, expiration: 5n }),
  ];
  for (const body of good) {
    for (let n = 1; n < body.length; n++) {
      const cut = body.subarray(0, n);
      const ctx = ctxFor();
      let threw = false;
      try {
        decodeAmqpPersisted(cut[0]!, new BufferReader(cut, 1), ctx);
      } catch (e) {
        assert.ok(e instanceof DecodeError, `cut at ${n}: ${String(e)}`);
        threw = true;
      }
      try {
        peekAmqpSummary(cut[0]!, cut, 1, cut.length - 1);
      } catch (e) {
        assert.ok(e instanceof DecodeError, `peek cut at ${n}: ${String(e)}`);
      }
      // v1 records end with the data: a cut inside it is only visible to the section scan
      if (!threw) assert.ok(body[0] === 2 && ctx.diagnostics.list.length === 1, `cut at ${n} went unnoticed`);
    }
  }
  const wrongExtraSize = Buffer.concat([
    Buffer.from([3]), R.i64(1n), R.i64(0n), R.nullableSimpleString(null), R.i32(0),
    R.i32(100), R.typedProperties({ a: 'b' }),
  ]);
  assert.throws(() => decodeAmqpPersisted(3, new BufferReader(wrongExtraSize, 1), ctxFor()), DecodeError);
  assert.throws(() => decodeAmqpPersisted(7, new BufferReader(Buffer.alloc(8), 0), ctxFor()), DecodeError);
  assert.throws(() => peekAmqpSummary(5, Buffer.alloc(4), 2, 10), DecodeError, 'range outside the buffer');
});

// ---------------------------------------------------------------------------------------------
// AMQP large messages (persister 4)

const L_HEADER = A.section(0x70, A.list8(A.true(), A.ubyte(6), A.uint(1000)));
const L_DA = A.section(0x71, A.map8(A.sym8('x-opt-da'), A.str8('hop')));
const L_MA = A.section(0x72, A.map8(A.sym8('x-opt-ma'), A.str8('file')));
const L_PROPS = A.section(0x73, A.list8(A.str8('mid')));
const L_AP = A.section(0x74, A.map8(A.str8('k'), A.str8('v')));
const L_DATA1 = Buffer.alloc(300_000, 0x61);
const L_DATA2 = Buffer.alloc(5, 0x62);
const L_BODY = Buffer.concat([A.section(0x75, A.vbin32(L_DATA1)), A.section(0x75, A.vbin8(L_DATA2)), A.section(0x78, A.map8())]);
const L_FILE = Buffer.concat([L_HEADER, L_DA, L_MA, L_PROPS, L_AP, L_BODY]);

interface LargeOpts {
  reencoded?: boolean;
  trailer?: 'none' | 'expiration' | 'both';
  savedMa?: Buffer;
  savedProps?: Buffer;
  durable?: boolean;
}

function largeRecord(id: bigint, o: LargeOpts = {}): Buffer {
  let pos = 0;
  const at = (b: Buffer): number => {
    const p = pos;
    pos += b.length;
    return p;
  };
  const hPos = at(L_HEADER);
  const daPos = at(L_DA);
  const maPos = at(L_MA);
  const pPos = at(L_PROPS);
  const apPos = at(L_AP);
  const bodyPos = pos;
  const trailer = o.trailer ?? 'both';
  return Buffer.concat([
    Buffer.from([4]),
    R.i64(id),
    R.bool(o.durable ?? true),
    R.i64(0n),
    R.nullableSimpleString('large.q'),
    ...(() => {
      const extra = R.typedProperties({ _AMQ_AD: 'large.q' });
      return [R.i32(extra.length), extra];
    })(),
    R.i32(hPos),
    R.i32(L_HEADER.length),
    L_HEADER,
    R.i32(daPos),
    R.i32(L_DA.length),
    R.i32(maPos),
    o.savedMa ?? L_MA,
    R.i32(pPos),
    o.savedProps ?? L_PROPS,
    R.i32(apPos),
    R.i32(bodyPos),
    L_AP,
    ...(trailer !== 'none' ? [R.i64(777n)] : []),
    ...(trailer === 'both' ? [R.bool(o.reencoded ?? false)] : []),
  ]);
}

function withLargeDir(f: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'amqp-large-'));
  mkdirSync(join(dataDir, 'large-messages'));
  return f(dataDir).finally(() => rmSync(dataDir, { recursive: true, force: true }));
}

async function streamed(msg: AmqpMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of openAmqpEncodedStream(msg, 4096)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('large message, not re-encoded: record header + file after header and delivery annotations', () =>
  withLargeDir(async (dataDir) => {
    writeFileSync(join(dataDir, 'large-messages', '55.msg'), L_FILE);
    const ctx = ctxFor(dataDir);
    const msg = decode(largeRecord(55n), ctx);
    assert.deepEqual(ctx.diagnostics.list, []);
    assert.equal(msg.large, true);
    assert.equal(msg.persister, 4);
    assert.equal(msg.durable, true);
    assert.equal(msg.priority, 6);
    assert.equal(msg.expiration, 777);
    assert.equal(msg.ttl, 1000);
    assert.equal(msg.reencoded, false);
    assert.equal(msg.address, 'large.q');
    assert.deepEqual([...msg.extraProperties], [['_AMQ_AD', { type: 'string', value: 'large.q' }]]);
    const file = msg.encoded[1]!;
    assert.ok(file.kind === 'file');
    assert.equal(file.displayPath, 'large-messages/55.msg');
    assert.equal(file.offset, L_HEADER.length + L_DA.length);

    const expected = Buffer.concat([L_HEADER, L_MA, L_PROPS, L_AP, L_BODY]);
    assert.deepEqual(await readAmqpEncoded(msg), expected);
    assert.deepEqual(await streamed(msg), expected);
    await assert.rejects(readAmqpEncoded(msg, 1000), RangeError);

    const inMemory = decodeAmqpMessageView(parseAmqpSections(expected), { includeBase64: false });
    const described = await describeAmqpMessage(msg, { includeBase64: false });
    assert.deepEqual(described, inMemory);
    assert.equal(described.deliveryAnnotations, null, 'delivery annotations dropped');
    assert.deepEqual(described.messageAnnotations, { 'x-opt-ma': { type: 'string', value: 'file' } });
    const all = Buffer.concat([L_DATA1, L_DATA2]);
    assert.deepEqual(described.body, { section: 'data', size: all.length, sha256: sha(all), count: 2 });
    // the 300 kB section streamed through sha256 instead of being decoded
    const streamedView = await describeAmqpMessage(msg, { includeBase64: true, maxSectionInMemory: 1024 });
    assert.deepEqual(streamedView.body, { section: 'data', size: all.length, sha256: sha(all), base64: all.toString('base64'), count: 2 });
  }));

test('large message, re-encoded: saved annotations/properties + file from remainingBodyPosition', () =>
  withLargeDir(async (dataDir) => {
    writeFileSync(join(dataDir, 'large-messages', '56.msg'), L_FILE);
    const savedMa = A.section(0x72, A.map8(A.sym8('x-opt-ORIG-ADDRESS'), A.str8('old.q')));
    const savedProps = A.section(0x73, A.list8(A.str8('mid'), A.null(), A.str8('DLQ')));
    const msg = decode(largeRecord(56n, { reencoded: true, savedMa, savedProps }), ctxFor(dataDir));
    assert.equal(msg.reencoded, true);
    assert.deepEqual(await readAmqpEncoded(msg), Buffer.concat([L_HEADER, savedMa, savedProps, L_AP, L_BODY]));
    const v = await describeAmqpMessage(msg, { includeBase64: false });
    assert.deepEqual(v.messageAnnotations, { 'x-opt-ORIG-ADDRESS': { type: 'string', value: 'old.q' } });
    assert.deepEqual(v.properties?.to, { type: 'string', value: 'DLQ' });
  }));

test('large message without the 2.17 trailer: expiration from absolute-expiry-time, not re-encoded', () =>
  withLargeDir(async (dataDir) => {
    writeFileSync(join(dataDir, 'large-messages', '57.msg'), L_FILE);
    const props = A.section(0x73, A.list8(A.null(), A.null(), A.null(), A.null(), A.null(), A.null(), A.null(), A.null(), A.timestamp(99n)));
    const msg = decode(largeRecord(57n, { trailer: 'none', savedProps: props, durable: false }), ctxFor(dataDir));
    assert.equal(msg.expiration, 99);
    assert.equal(msg.durable, false, 'the record flag wins over header.durable');
    assert.equal(msg.reencoded, false);
    const onlyExpiration = decode(largeRecord(57n, { trailer: 'expiration' }), ctxFor(dataDir));
    assert.equal(onlyExpiration.expiration, 777);
    assert.equal(onlyExpiration.reencoded, false);
  }));

test('missing large-message file: error diagnostic naming it, message still returned, reads fail', () =>
  withLargeDir(async (dataDir) => {
    const ctx = ctxFor(dataDir);
    const msg = decode(largeRecord(58n), ctx);
    assert.equal(msg.messageId, 58n);
    assert.equal(ctx.diagnostics.list.length, 1);
    const d = ctx.diagnostics.list[0]!;
    assert.equal(d.severity, 'error');
    assert.equal(d.file, 'journal/activemq-data-1.amq');
    assert.equal(d.offset, 4242);
    assert.match(d.message, /large-messages\/58\.msg/);
    await assert.rejects(readAmqpEncoded(msg), /large-messages\/58\.msg/);
    await assert.rejects(describeAmqpMessage(msg, { includeBase64: false }), /large-messages\/58\.msg/);
    await assert.rejects(streamed(msg), /large-messages\/58\.msg/);
  }));

test('large-message file shorter than the record says: error diagnostic', () =>
  withLargeDir(async (dataDir) => {
    writeFileSync(join(dataDir, 'large-messages', '59.msg'), L_HEADER);
    const ctx = ctxFor(dataDir);
    decode(largeRecord(59n), ctx);
    assert.equal(ctx.diagnostics.errorCount, 1);
    assert.match(ctx.diagnostics.list[0]!.message, /large-messages\/59\.msg/);
  }));

test('damaged large records throw DecodeError only', () => {
  const body = largeRecord(60n);
  for (let n = 1; n < body.length; n++) {
    const cut = body.subarray(0, n);
    try {
      decodeAmqpPersisted(4, new BufferReader(cut, 1), ctxFor());
    } catch (e) {
      assert.ok(e instanceof DecodeError, `cut at ${n}: ${String(e)}`);
    }
    try {
      peekAmqpSummary(4, cut, 1, cut.length - 1);
    } catch (e) {
      assert.ok(e instanceof DecodeError, `peek cut at ${n}: ${String(e)}`);
    }
  }
  // a saved section of the wrong kind
  const wrong = largeRecord(61n, { savedMa: L_PROPS });
  assert.throws(() => decodeAmqpPersisted(4, new BufferReader(wrong, 1), ctxFor()), DecodeError);
});
