import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../../journal/binary/reader.js';
import { decodeQueueBinding, type QueueBinding } from '../../journal/bindings/queue-binding.js';
import { PayloadWriter } from './payload-writer.js';

type Field = { key: keyof QueueBinding; write: (w: PayloadWriter) => void; value: unknown; dflt?: unknown };

/** The 25 fields of §8.1 with non-default values, and the table's default for each optional one. */
function fields(autoCreated: boolean): Field[] {
  return [
    { key: 'name', write: (w) => w.ss('orders.q'), value: 'orders.q' },
    { key: 'address', write: (w) => w.ss('orders'), value: 'orders' },
    { key: 'filter', write: (w) => w.nss("color = 'red'"), value: "color = 'red'" },
    { key: 'user', write: (w) => w.nss('user=alice;'), value: 'alice' },
    { key: 'autoCreated', write: (w) => w.bool(autoCreated), value: autoCreated },
    { key: 'maxConsumers', write: (w) => w.i32(7), value: 7, dflt: -1 },
    { key: 'purgeOnNoConsumers', write: (w) => w.bool(true), value: true, dflt: false },
    { key: 'routingType', write: (w) => w.u8(1), value: 'ANYCAST', dflt: 'MULTICAST' },
    { key: 'exclusive', write: (w) => w.bool(true), value: true, dflt: false },
    { key: 'lastValue', write: (w) => w.bool(true), value: true, dflt: false },
    { key: 'configurationManaged', write: (w) => w.bool(true), value: true, dflt: false },
    { key: 'consumersBeforeDispatch', write: (w) => w.i32(3), value: 3, dflt: 0 },
    { key: 'delayBeforeDispatch', write: (w) => w.i64(1500n), value: 1500n, dflt: -1n },
    { key: 'lastValueKey', write: (w) => w.nss('symbol'), value: 'symbol', dflt: null },
    { key: 'nonDestructive', write: (w) => w.bool(true), value: true, dflt: false },
    { key: 'groupRebalance', write: (w) => w.bool(true), value: true, dflt: false },
    { key: 'groupBuckets', write: (w) => w.i32(16), value: 16, dflt: -1 },
    // Default follows autoCreated: write the opposite so a present value is distinguishable.
    { key: 'autoDelete', write: (w) => w.bool(!autoCreated), value: !autoCreated, dflt: autoCreated },
    { key: 'autoDeleteDelay', write: (w) => w.i64(60000n), value: 60000n, dflt: 0n },
    { key: 'autoDeleteMessageCount', write: (w) => w.i64(9n), value: 9n, dflt: 0n },
    { key: 'groupFirstKey', write: (w) => w.nss('first'), value: 'first', dflt: null },
    { key: 'ringSize', write: (w) => w.i64(100n), value: 100n, dflt: -1n },
    { key: 'enabled', write: (w) => w.bool(false), value: false, dflt: true },
    { key: 'groupRebalancePauseDispatch', write: (w) => w.bool(true), value: true, dflt: false },
    { key: 'internal', write: (w) => w.bool(true), value: true, dflt: false },
  ];
}

function payload(fs: Field[], n: number): Buffer {
  const w = new PayloadWriter();
  for (const f of fs.slice(0, n)) f.write(w);
  return w.build();
}

/** Valid prefixes: 5 base fields, then 6–8 come as one group, then one field at a time. */
const VALID_COUNTS = [5, ...Array.from({ length: 18 }, (_, i) => i + 8)];

for (const autoCreated of [false, true]) {
  test(`queue binding: every field-count prefix decodes with the table defaults (autoCreated=${autoCreated})`, () => {
    const fs = fields(autoCreated);
    for (const n of VALID_COUNTS) {
      const q = decodeQueueBinding(payload(fs, n));
      assert.equal(q.fieldsPresent, n, `fieldsPresent for ${n}`);
      assert.equal(q.extraBytes, 0);
      fs.forEach((f, i) => {
        const expected = i < n ? f.value : f.dflt;
        assert.deepEqual(q[f.key], expected, `${n} fields: ${String(f.key)}`);
      });
    }
  });
}

test('queue binding: a prefix ending inside the 6–8 group, or inside any field, is a DecodeError', () => {
  const fs = fields(false);
  const full = payload(fs, 25);
  // Byte offsets at which a valid prefix may end.
  const ends = new Set(VALID_COUNTS.map((n) => payload(fs, n).length));
  for (let len = 0; len < full.length; len++) {
    const cut = full.subarray(0, len);
    if (ends.has(len)) {
      assert.doesNotThrow(() => decodeQueueBinding(cut), `length ${len}`);
    } else {
      assert.throws(() => decodeQueueBinding(cut), DecodeError, `length ${len}`);
    }
  }
  // 6 and 7 fields: the broker reads 6–8 together.
  assert.throws(() => decodeQueueBinding(payload(fs, 6)), DecodeError);
  assert.throws(() => decodeQueueBinding(payload(fs, 7)), DecodeError);
});

test('queue binding: bytes after field 25 are ignored', () => {
  const fs = fields(false);
  const q = decodeQueueBinding(Buffer.concat([payload(fs, 25), Buffer.from([1, 2, 3])]));
  assert.equal(q.fieldsPresent, 25);
  assert.equal(q.extraBytes, 3);
  assert.equal(q.internal, true);
});

test('queue binding: spec §4.4 example 4 (queue q1 written by 2.44.0)', () => {
  const hex =
    '00000004710031000000000471003100' + // name "q1", address "q1"
    '00' + '0100000000' + '00' + // no filter, metadata "", autoCreated false
    'ffffffff' + '00' + '01' + // maxConsumers -1, purge false, ANYCAST
    '000000' + '00000000' + 'ffffffffffffffff' + '00' + '0000' + 'ffffffff' + '00' +
    '0000000000000000' + '0000000000000000' + '00' + 'ffffffffffffffff' + 'ff' + '00' + '00';
  const body = Buffer.from(hex, 'hex');
  assert.equal(body.length, 80); // bodySize in the example
  const q = decodeQueueBinding(body);
  assert.deepEqual(
    { ...q },
    {
      name: 'q1',
      address: 'q1',
      filter: null,
      user: null,
      autoCreated: false,
      maxConsumers: -1,
      purgeOnNoConsumers: false,
      routingType: 'ANYCAST',
      exclusive: false,
      lastValue: false,
      configurationManaged: false,
      consumersBeforeDispatch: 0,
      delayBeforeDispatch: -1n,
      lastValueKey: null,
      nonDestructive: false,
      groupRebalance: false,
      groupBuckets: -1,
      autoDelete: false,
      autoDeleteDelay: 0n,
      autoDeleteMessageCount: 0n,
      groupFirstKey: null,
      ringSize: -1n,
      enabled: true,
      groupRebalancePauseDispatch: false,
      internal: false,
      fieldsPresent: 25,
      extraBytes: 0,
    },
  );
});

test('queue binding: user metadata parsing', () => {
  const withMeta = (meta: string | null): string | null =>
    decodeQueueBinding(new PayloadWriter().ss('q').ss('a').nss(null).nss(meta).bool(false).build()).user;
  assert.equal(withMeta('user=alice;'), 'alice');
  assert.equal(withMeta('foo=bar;user=bob;'), 'bob');
  assert.equal(withMeta('user=;'), null);
  assert.equal(withMeta(''), null);
  assert.equal(withMeta('user=a=b;'), null); // not a key=value pair
  assert.equal(withMeta(null), null);
  // Old writers stored a queue without user as "user=null;".
  assert.equal(withMeta('user=null;'), null);
});

test('queue binding: hostile payloads are DecodeErrors', () => {
  const base = (): PayloadWriter => new PayloadWriter().ss('q').ss('a').nss(null).nss('').bool(false);
  // invalid routing type byte
  assert.throws(() => decodeQueueBinding(base().i32(-1).bool(false).u8(7).build()), /invalid routing type byte 7/);
  // odd SimpleString length, negative length, length beyond the payload
  assert.throws(() => decodeQueueBinding(new PayloadWriter().i32(3).raw(Buffer.alloc(3)).build()), DecodeError);
  assert.throws(() => decodeQueueBinding(new PayloadWriter().i32(-2).build()), DecodeError);
  assert.throws(() => decodeQueueBinding(new PayloadWriter().i32(0x7ffffffe).raw(Buffer.alloc(10)).build()), DecodeError);
  assert.throws(() => decodeQueueBinding(Buffer.alloc(0)), DecodeError);
  // filter marker present but no string
  assert.throws(() => decodeQueueBinding(new PayloadWriter().ss('q').ss('a').u8(1).build()), DecodeError);
});
