import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BufferReader, DecodeError } from '../../journal/binary/reader.js';
import { Diagnostics } from '../../journal/diagnostics.js';
import type { MessageContext } from '../../journal/messages/context.js';
import { peekCoreHeaderSummary, readCoreHeaders } from '../../journal/core/core-headers.js';
import {
  decodeCoreLarge,
  decodeCorePersisted,
  peekCorePersistedSummary,
} from '../../journal/core/core-message.js';
import { PropertyTag as T } from '../../journal/core/typed-properties.js';
import { typedProperties, Writer } from '../support/encode.js';
import { coreBuffer, coreHeaders, persistedCore, prng, val, type HeaderFields } from './encode.js';

const UUID = Buffer.from('64348ed1e61a11f1b62402fc00000001', 'hex');

function fields(over: Partial<HeaderFields> = {}): HeaderFields {
  return {
    messageId: 36n,
    address: 'jms.types',
    userId: UUID,
    type: 3,
    durable: true,
    expiration: 2110673644990n,
    timestamp: 1795313644990n,
    priority: 9,
    properties: typedProperties([
      ['fixture_id', T.STRING, val.ss('b-01')],
      ['p_long', T.LONG, val.i64(9000000000000000001n)],
    ]),
    ...over,
  };
}

function ctx(dataDir = '/nonexistent', largeMessagesDir: string | null = null): MessageContext {
  return { dataDir, largeMessagesDir, diagnostics: new Diagnostics(), where: { file: 'journal/activemq-data-1.amq', offset: 1234 } };
}

// §4.4 example 10: TEXT body "hello text"
const HELLO = Buffer.from('0100000014680065006c006c006f0020007400650078007400', 'hex');

test('persister 1: headers, body and properties; record id and address override the buffer copies', () => {
  const buffer = coreBuffer(HELLO, coreHeaders(fields({ messageId: 999n, address: 'stale.address' })));
  const rec = persistedCore(36n, 'jms.types', buffer);
  const r = new BufferReader(rec);
  const m = decodeCorePersisted(r, ctx());
  assert.equal(r.remaining, 0);
  assert.equal(m.protocol, 'core');
  assert.equal(m.large, false);
  assert.equal(m.messageId, 36n);
  assert.equal(m.address, 'jms.types');
  assert.equal(m.userId, '64348ed1-e61a-11f1-b624-02fc00000001');
  assert.equal(m.type, 3);
  assert.equal(m.durable, true);
  assert.equal(m.expiration, 2110673644990);
  assert.equal(m.timestamp, 1795313644990);
  assert.equal(m.priority, 9);
  assert.deepEqual([...m.properties], [
    ['fixture_id', { type: 'string', value: 'b-01' }],
    ['p_long', { type: 'long', value: 9000000000000000001n }],
  ]);
  assert.deepEqual(m.body, { kind: 'buffer', data: HELLO });

  // a null record address wins too (the broker sets it from the record)
  const m2 = decodeCorePersisted(new BufferReader(persistedCore(36n, null, buffer)), ctx());
  assert.equal(m2.address, null);
});

test('persister 1: the body is a copy of the input', () => {
  const rec = persistedCore(5n, 'a', coreBuffer(HELLO, coreHeaders(fields())));
  const m = decodeCorePersisted(new BufferReader(rec), ctx());
  rec.fill(0);
  assert.deepEqual(m.body, { kind: 'buffer', data: HELLO });
});

test('persister 1: empty body, no user id, no properties, not durable', () => {
  const h = coreHeaders(fields({ userId: null, durable: false, properties: typedProperties(null), priority: 0, expiration: 0n }));
  const m = decodeCorePersisted(new BufferReader(persistedCore(7n, 'q', coreBuffer(Buffer.alloc(0), h))), ctx());
  assert.equal(m.userId, null);
  assert.equal(m.durable, false);
  assert.equal(m.properties.size, 0);
  assert.equal(m.expiration, 0);
  assert.deepEqual(m.body, { kind: 'buffer', data: Buffer.alloc(0) });
});

test('persister 1: trailing or missing bytes inside the buffer, and bad E, are DecodeErrors', () => {
  const h = coreHeaders(fields());
  const good = coreBuffer(HELLO, h);
  const trailing = Buffer.concat([good, Buffer.from([0])]);
  assert.throws(() => decodeCorePersisted(new BufferReader(persistedCore(1n, 'a', trailing)), ctx()), DecodeError);
  const missing = good.subarray(0, good.length - 1);
  assert.throws(() => decodeCorePersisted(new BufferReader(persistedCore(1n, 'a', missing)), ctx()), DecodeError);
  for (const e of [12, 0, -1, 0x7fffffff, good.length + 13]) {
    const bad = Buffer.from(good);
    bad.writeInt32BE(e, 0);
    const rec = persistedCore(1n, 'a', bad);
    assert.throws(() => decodeCorePersisted(new BufferReader(rec), ctx()), DecodeError, `E=${e}`);
    assert.throws(() => peekCorePersistedSummary(rec, 0, rec.length), DecodeError, `peek E=${e}`);
  }
  // buffer length beyond the record, negative
  for (const l of [-1, good.length + 1]) {
    const rec = new Writer().i64(1n).u8(0).i32(l).raw(good).build();
    assert.throws(() => decodeCorePersisted(new BufferReader(rec), ctx()), DecodeError, `L=${l}`);
    assert.throws(() => peekCorePersistedSummary(rec, 0, rec.length), DecodeError, `peek L=${l}`);
  }
});

test('invalid userID marker is a DecodeError', () => {
  const h = coreHeaders(fields());
  const at = 8 + 1 + 4 + 'jms.types'.length * 2;
  assert.equal(h[at], 1);
  const bad = Buffer.from(h);
  bad[at] = 2;
  assert.throws(() => readCoreHeaders(new BufferReader(bad)), DecodeError);
  assert.throws(() => peekCoreHeaderSummary(bad, 0, bad.length), DecodeError);
});

test('every truncation of a persisted message is a DecodeError for decode and peek', () => {
  const rec = persistedCore(36n, 'jms.types', coreBuffer(HELLO, coreHeaders(fields())));
  for (let n = 0; n < rec.length; n++) {
    const cut = rec.subarray(0, n);
    assert.throws(() => decodeCorePersisted(new BufferReader(cut), ctx()), DecodeError, `decode ${n}`);
  }
  for (let n = 0; n < rec.length; n++) {
    assert.throws(() => peekCorePersistedSummary(rec, 0, n), DecodeError, `peek ${n}`);
  }
  // peek does not read the properties: a header block is accepted exactly from the end of priority on
  const h = coreHeaders(fields());
  const fixedEnd = h.length - fields().properties.length;
  for (let n = 0; n < h.length; n++) {
    if (n < fixedEnd) assert.throws(() => peekCoreHeaderSummary(h, 0, n), DecodeError, `headers ${n}`);
    else assert.equal(peekCoreHeaderSummary(h, 0, n).priority, 9);
  }
});

test('peek summaries equal the full decode (including negative and large 64-bit expirations)', () => {
  for (const [expiration, priority, durable] of [
    [0n, 4, true],
    [4102444800000n, 0, false],
    [-5n, 9, true],
    [-9007199254740991n, 3, true],
    [9007199254740991n, 3, false],
  ] as const) {
    const h = coreHeaders(fields({ expiration, priority, durable, messageId: 77n }));
    const rec = persistedCore(12345678901234n, 'addr', coreBuffer(HELLO, h));
    const framed = Buffer.concat([Buffer.from([9, 9, 1]), rec, Buffer.from([7, 7])]);
    const m = decodeCorePersisted(new BufferReader(rec), ctx());
    const s = peekCorePersistedSummary(framed, 3, rec.length);
    assert.deepEqual(s, { messageId: 12345678901234n, priority, durable, expiration: Number(expiration) });
    assert.deepEqual(s, { messageId: m.messageId, priority: m.priority, durable: m.durable, expiration: m.expiration });
    const hs = peekCoreHeaderSummary(Buffer.concat([Buffer.from([1]), h]), 1);
    assert.deepEqual(hs, { messageId: 77n, priority, durable, expiration: Number(expiration) });
  }
  assert.throws(() => peekCorePersistedSummary(Buffer.alloc(10), 5, 10), DecodeError);
  assert.throws(() => peekCorePersistedSummary(Buffer.alloc(10), -1, 4), DecodeError);
});

test('random corruption of a persisted message: a message or a DecodeError, never another exception', () => {
  const good = persistedCore(36n, 'jms.types', coreBuffer(HELLO, coreHeaders(fields())));
  const rnd = prng(7);
  for (let i = 0; i < 20000; i++) {
    const b = Buffer.from(good);
    const flips = 1 + Math.floor(rnd() * 3);
    for (let f = 0; f < flips; f++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    for (const fn of [
      () => decodeCorePersisted(new BufferReader(b), ctx()),
      () => peekCorePersistedSummary(b, 0, b.length),
    ]) {
      try {
        fn();
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
      }
    }
  }
});

function tempDataDir(): { dataDir: string; lm: string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-large-'));
  const lm = path.join(dataDir, 'large-messages');
  fs.mkdirSync(lm);
  return { dataDir, lm };
}

test('core large message: headers block + large-messages/<id>.msg (size by stat)', () => {
  const { dataDir, lm } = tempDataDir();
  try {
    fs.writeFileSync(path.join(lm, '20.msg'), Buffer.alloc(1000, 7));
    const block = coreHeaders(fields({ messageId: 20n, type: 4 }));
    const c = ctx(dataDir, lm);
    const r = new BufferReader(block);
    const m = decodeCoreLarge(r, c);
    assert.equal(r.remaining, 0);
    assert.equal(m.large, true);
    assert.equal(m.messageId, 20n);
    assert.equal(m.address, 'jms.types');
    assert.deepEqual(m.body, {
      kind: 'file',
      path: path.join(lm, '20.msg'),
      displayPath: 'large-messages/20.msg',
      offset: 0,
      length: 1000,
      zlib: false,
    });
    assert.equal(c.diagnostics.list.length, 0);

    // compressed flag
    const zblock = coreHeaders(
      fields({ messageId: 20n, properties: typedProperties([['_AMQ_LARGE_COMPRESSED', T.BOOLEAN, val.u8(1)]]) }),
    );
    const zm = decodeCoreLarge(new BufferReader(zblock), c);
    assert.equal(zm.body.kind === 'file' && zm.body.zlib, true);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('core large message: falls back to <_AMQ_ORIG_MESSAGE_ID>.msg, else ERROR diagnostic and length -1', () => {
  const { dataDir, lm } = tempDataDir();
  try {
    fs.writeFileSync(path.join(lm, '5.msg'), Buffer.alloc(33));
    const props = typedProperties([['_AMQ_ORIG_MESSAGE_ID', T.LONG, val.i64(5n)]]);
    const c = ctx(dataDir, lm);
    const m = decodeCoreLarge(new BufferReader(coreHeaders(fields({ messageId: 40n, properties: props }))), c);
    assert.equal(m.body.kind === 'file' && m.body.path, path.join(lm, '5.msg'));
    assert.equal(m.body.kind === 'file' && m.body.length, 33);
    assert.equal(c.diagnostics.list.length, 0);

    const c2 = ctx(dataDir, lm);
    const m2 = decodeCoreLarge(new BufferReader(coreHeaders(fields({ messageId: 41n }))), c2);
    assert.equal(m2.messageId, 41n);
    assert.equal(m2.body.kind === 'file' && m2.body.length, -1);
    assert.equal(m2.body.kind === 'file' && m2.body.displayPath, 'large-messages/41.msg');
    assert.equal(c2.diagnostics.list.length, 1);
    const d = c2.diagnostics.list[0]!;
    assert.equal(d.severity, 'error');
    assert.equal(d.file, 'journal/activemq-data-1.amq');
    assert.equal(d.offset, 1234);
    assert.match(d.message, /41\.msg/);

    // no large-messages folder at all
    const c3 = ctx(dataDir, null);
    const m3 = decodeCoreLarge(new BufferReader(coreHeaders(fields({ messageId: 5n }))), c3);
    assert.equal(m3.body.kind === 'file' && m3.body.length, -1);
    assert.equal(c3.diagnostics.errorCount, 1);
    assert.match(c3.diagnostics.list[0]!.message, /5\.msg/);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('core large message: bytes after the block are a warning; truncation is a DecodeError', () => {
  const block = coreHeaders(fields({ messageId: 3n }));
  const c = ctx();
  const r = new BufferReader(Buffer.concat([block, Buffer.from([0, 0])]));
  const m = decodeCoreLarge(r, c);
  assert.equal(m.messageId, 3n);
  assert.equal(r.remaining, 0);
  assert.ok(c.diagnostics.list.some((d) => d.severity === 'warning' && /2 bytes/.test(d.message)));
  for (let n = 0; n < block.length; n++) {
    assert.throws(() => decodeCoreLarge(new BufferReader(block.subarray(0, n)), ctx()), DecodeError, `prefix ${n}`);
  }
});
