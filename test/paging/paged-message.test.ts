import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../../journal/binary/reader.js';
import { Diagnostics } from '../../journal/diagnostics.js';
import type { MessageContext } from '../../journal/messages/context.js';
import { decodePagedMessage, summarizePagedMessage } from '../../journal/paging/paged-message.js';
import { i32, i64 } from '../support/encode.js';
import { coreHeaders, coreMessage, pagedMessage } from './build.js';

const ctx = (diagnostics = new Diagnostics()): MessageContext => ({
  dataDir: '/nonexistent',
  largeMessagesDir: null,
  diagnostics,
  where: { file: 'paging/x/000000001.page', offset: 0 },
});

test('a paged core message: full decode and summary agree with what was encoded', () => {
  const body = Buffer.from('payload bytes');
  const enc = pagedMessage(77n, coreMessage({ id: 4242n, address: 'paged.q', priority: 7, durable: false, expiration: 1_800_000_000_000, fixtureId: 'fx-1', body }), [33n, 17n]);
  const full = decodePagedMessage(enc, ctx());
  assert.equal(full.transactionId, 77n);
  assert.equal(full.largeType, 0);
  assert.deepEqual(full.queueIds, [33n, 17n]);
  const m = full.message;
  assert.equal(m.protocol, 'core');
  if (m.protocol !== 'core') return;
  assert.equal(m.messageId, 4242n);
  assert.equal(m.address, 'paged.q');
  assert.equal(m.priority, 7);
  assert.equal(m.durable, false);
  assert.equal(m.expiration, 1_800_000_000_000);
  assert.deepEqual(m.properties.get('fixture_id'), { type: 'string', value: 'fx-1' });
  assert.equal(m.body.kind, 'buffer');
  if (m.body.kind === 'buffer') assert.ok(m.body.data.equals(body));

  assert.deepEqual(summarizePagedMessage(enc), {
    transactionId: 77n,
    largeType: 0,
    large: false,
    protocol: 'core',
    queueIds: [33n, 17n],
    messageId: 4242n,
    priority: 7,
    durable: false,
    expiration: 1_800_000_000_000,
  });
});

test('a paged core large message (type 1 and the old boolean −1): headers block, body file reported missing', () => {
  for (const type of [1, -1]) {
    const enc = pagedMessage(-1n, coreHeaders({ id: 9n, address: 'big', priority: 2, fixtureId: 'L' }), [3n], type);
    const s = summarizePagedMessage(enc);
    assert.deepEqual(
      [s.transactionId, s.largeType, s.large, s.protocol, s.messageId, s.priority, s.durable, s.queueIds],
      [-1n, type, true, 'core', 9n, 2, true, [3n]],
    );
    const diagnostics = new Diagnostics();
    const full = decodePagedMessage(enc, ctx(diagnostics));
    assert.equal(full.message.large, true);
    assert.equal(full.message.messageId, 9n);
    // No large-messages folder in this context: the decoder says so, the message is still returned.
    assert.equal(diagnostics.list.filter((d) => d.severity === 'error').length, 1);
  }
});

test('a paged message with no queue ids is valid', () => {
  const s = summarizePagedMessage(pagedMessage(5n, coreMessage({ id: 1n }), []));
  assert.deepEqual(s.queueIds, []);
});

function assertDecodeError(enc: Buffer, re: RegExp): void {
  assert.throws(() => summarizePagedMessage(enc), (e: unknown) => e instanceof DecodeError && re.test(e.message));
  assert.throws(() => decodePagedMessage(enc, ctx()), (e: unknown) => e instanceof DecodeError && re.test(e.message));
}

test('bytes left after the queue ids are an error (a record must be consumed exactly)', () => {
  const enc = Buffer.concat([pagedMessage(1n, coreMessage({ id: 1n }), [2n]), Buffer.from([0])]);
  assertDecodeError(enc, /1 unexpected bytes after the queue ids/);
});

test('a truncated queue-id list is an error', () => {
  const enc = pagedMessage(1n, coreMessage({ id: 1n }), [2n, 3n]);
  assertDecodeError(enc.subarray(0, enc.length - 3), /queue ids needs 16 bytes/);
});

test('an unknown largeMessageType is an error', () => {
  const enc = pagedMessage(1n, coreMessage({ id: 1n }), [2n]);
  enc.writeInt8(3, 8);
  assertDecodeError(enc, /unknown paged largeMessageType 3/);
});

test('an unknown persister id is an error', () => {
  const enc = pagedMessage(1n, coreMessage({ id: 1n }), [2n]);
  enc[9] = 9;
  assertDecodeError(enc, /unknown message persister id 9/);
});

test('a core buffer length that overruns the record is an error', () => {
  const enc = pagedMessage(1n, coreMessage({ id: 1n }), [2n]);
  // persister(1) id(8) address-marker(1) then the buffer length
  enc.writeInt32BE(100_000, 9 + 1 + 8 + 1);
  assertDecodeError(enc, /core message buffer needs 100000 bytes/);
});

// AMQP header section: durable true, priority 7.
const AMQP_HEADER = Buffer.from([0x00, 0x53, 0x70, 0xc0, 0x04, 0x02, 0x41, 0x50, 0x07]);
const AMQP_DATA_BODY = Buffer.from([0x00, 0x53, 0x75, 0xa0, 0x03, 0x61, 0x62, 0x63]);

test('a paged AMQP message (persister 5): framed by its lengths, summary from its header', () => {
  const data = Buffer.concat([AMQP_HEADER, AMQP_DATA_BODY]);
  const msg = Buffer.concat([Buffer.from([5]), i64(555n), i64(0n), Buffer.from([0]), i32(data.length), data, i32(0), i64(1_900_000_000_000n)]);
  const enc = pagedMessage(-1n, msg, [8n, 9n]);
  const s = summarizePagedMessage(enc);
  assert.deepEqual(
    [s.protocol, s.large, s.messageId, s.priority, s.durable, s.expiration, s.queueIds],
    ['amqp', false, 555n, 7, true, 1_900_000_000_000, [8n, 9n]],
  );
  const full = decodePagedMessage(enc, ctx());
  assert.equal(full.message.protocol, 'amqp');
  assert.equal(full.message.messageId, 555n);
  assert.deepEqual(full.queueIds, [8n, 9n]);
});

test('a paged AMQP large message (persister 4) is framed with or without the 2.17+ trailer', () => {
  const record = (trailer: Buffer): Buffer =>
    Buffer.concat([
      Buffer.from([4]),
      i64(777n),
      Buffer.from([0xff]), // durable
      i64(0n), // message format
      Buffer.from([0]), // no address
      i32(0), // no extra properties
      i32(0), // header position
      i32(AMQP_HEADER.length),
      AMQP_HEADER,
      i32(-1), // delivery annotations position
      i32(0),
      i32(-1), // message annotations position
      Buffer.from([0x40]),
      i32(-1), // properties position
      Buffer.from([0x40]),
      i32(-1), // application properties position
      i32(AMQP_HEADER.length), // remaining body position
      Buffer.from([0x40]),
      trailer,
    ]);
  const cases: Array<[string, Buffer, number]> = [
    ['with trailer', Buffer.concat([i64(1_950_000_000_000n), Buffer.from([0])]), 1_950_000_000_000],
    ['without trailer (2.12–2.16)', Buffer.alloc(0), 0],
  ];
  for (const [name, trailer, expiration] of cases) {
    for (const queues of [[], [4n], [4n, 5n, 6n]]) {
      const enc = pagedMessage(12n, record(trailer), queues, 2);
      const s = summarizePagedMessage(enc);
      assert.deepEqual(
        [s.largeType, s.large, s.protocol, s.messageId, s.priority, s.durable, s.expiration, s.queueIds],
        [2, true, 'amqp', 777n, 7, true, expiration, queues],
        `${name}, ${queues.length} queues`,
      );
      const full = decodePagedMessage(enc, ctx());
      assert.equal(full.message.messageId, 777n);
      assert.deepEqual(full.queueIds, queues);
    }
  }
});
