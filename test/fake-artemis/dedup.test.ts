import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection, Message } from 'rhea-promise';
import { FakeArtemis } from '../support/fake-artemis/index.js';
import { connect, sendTo } from './client.js';

async function withBroker(fn: (b: FakeArtemis, conn: Connection) => Promise<void>, opts: Parameters<typeof FakeArtemis.start>[0] = {}): Promise<void> {
  const broker = await FakeArtemis.start(opts);
  broker.createAddress('orders', ['MULTICAST']);
  broker.createQueue({ name: 'sub-a', address: 'orders', 'routing-type': 'MULTICAST' });
  broker.createQueue({ name: 'sub-b', address: 'orders', 'routing-type': 'MULTICAST' });
  const conn = await connect(broker);
  try {
    await fn(broker, conn);
  } finally {
    await conn.close();
    await broker.stop();
  }
}

const dup = (id: string | Buffer, body: unknown): Message => ({ body, application_properties: { _AMQ_DUPL_ID: id } });
const topic = (address: string) => ({ address, capabilities: ['topic'] });
const bodies = (b: FakeArtemis, q: string) => b.messages(q).map((m) => m.message?.body);

test('a repeated _AMQ_DUPL_ID on the same FQQN is accepted and dropped', async () => {
  await withBroker(async (b, conn) => {
    const ds = await sendTo(conn, topic('orders::sub-a'), [dup('drain:n1:7:sub-a', 'first'), dup('drain:n1:7:sub-a', 'again')]);
    assert.deepEqual(ds.map((d) => (d.remote_state as { constructor: { composite_type: string } }).constructor.composite_type), ['accepted', 'accepted']);
    assert.deepEqual(bodies(b, 'sub-a'), ['first']);
    assert.equal(b.messages('sub-a')[0].dupId, 'drain:n1:7:sub-a');
    assert.deepEqual(b.dropped.map((x) => [x.reason, x.address, x.dupId]), [['duplicate', 'orders::sub-a', 'drain:n1:7:sub-a']]);
  });
});

test('the cache is keyed by the whole FQQN string: the same id to two subscriptions is stored twice', async () => {
  await withBroker(async (b, conn) => {
    await sendTo(conn, topic('orders::sub-a'), [dup('same', 'to-a')]);
    await sendTo(conn, topic('orders::sub-b'), [dup('same', 'to-b')]);
    assert.deepEqual(bodies(b, 'sub-a'), ['to-a']);
    assert.deepEqual(bodies(b, 'sub-b'), ['to-b']);
    assert.deepEqual(b.duplicateIds('orders::sub-a'), ['same']);
    assert.deepEqual(b.duplicateIds('orders::sub-b'), ['same']);
    // A plain-address send has its own cache (keyed "orders"), then catches a second copy with that id.
    await sendTo(conn, topic('orders'), [dup('same', 'fan-out'), dup('same', 'fan-out-again')]);
    assert.deepEqual(bodies(b, 'sub-a'), ['to-a', 'fan-out']);
    assert.deepEqual(bodies(b, 'sub-b'), ['to-b', 'fan-out']);
    assert.deepEqual(b.duplicateIds('orders'), ['same']);
  });
});

test('string ids compare as UTF-16LE bytes, binary ids as is', async () => {
  await withBroker(async (b, conn) => {
    await sendTo(conn, topic('orders::sub-a'), [
      dup('ab', 's'),
      dup(Buffer.from('ab', 'utf16le'), 'same-bytes-as-binary'),
      dup(Buffer.from('ab', 'utf8'), 'different-bytes'),
    ]);
    assert.deepEqual(bodies(b, 'sub-a'), ['s', 'different-bytes']);
    assert.deepEqual(b.messages('sub-a')[1].dupId, Buffer.from('ab', 'utf8'));
  });
});

test('the cache is circular with idCacheSize entries per routing address', async () => {
  await withBroker(async (b, conn) => {
    await sendTo(conn, topic('orders::sub-a'), ['1', '2', '3', '4'].map((id) => dup(id, id)));
    assert.deepEqual(b.duplicateIds('orders::sub-a'), ['2', '3', '4']);
    await sendTo(conn, topic('orders::sub-a'), [dup('1', '1-again'), dup('4', '4-again')]);
    assert.deepEqual(bodies(b, 'sub-a'), ['1', '2', '3', '4', '1-again']);
  }, { idCacheSize: 3 });
});

test('the id is cached before routing: a trapped message burns its id', async () => {
  await withBroker(async (b, conn) => {
    await sendTo(conn, { address: 'orders::sub-a', capabilities: ['queue'] }, [dup('x', 'trapped')]);
    await sendTo(conn, topic('orders::sub-a'), [dup('x', 'retry-with-right-capability')]);
    assert.deepEqual(bodies(b, 'sub-a'), []);
    assert.deepEqual(b.dropped.map((x) => x.reason), ['routing-type-mismatch', 'duplicate']);
  });
});

test('AMQP duplicate ids are ignored before 2.8 and when amqpDuplicateDetection is off', async () => {
  await withBroker(async (b, conn) => {
    await sendTo(conn, topic('orders::sub-a'), [dup('x', 1), dup('x', 2)]);
    assert.deepEqual(bodies(b, 'sub-a'), [1, 2]);
  }, { version: '2.7.0' });
  await withBroker(async (b, conn) => {
    await sendTo(conn, topic('orders::sub-a'), [dup('x', 1), dup('x', 2)]);
    assert.deepEqual(bodies(b, 'sub-a'), [1, 2]);
  }, { amqpDuplicateDetection: false });
});

test('duplicate-id caches survive a restart (persist-id-cache)', async () => {
  const b = await FakeArtemis.start();
  try {
    b.createAddress('orders', ['MULTICAST']);
    b.createQueue({ name: 'sub-a', address: 'orders', 'routing-type': 'MULTICAST' });
    let conn = await connect(b);
    await sendTo(conn, topic('orders::sub-a'), [{ ...dup('k', 'before'), durable: true }]);
    await conn.close();
    await b.goDown();
    await b.comeUp();
    conn = await connect(b);
    await sendTo(conn, topic('orders::sub-a'), [{ ...dup('k', 'after'), durable: true }]);
    await conn.close();
    assert.deepEqual(bodies(b, 'sub-a'), ['before']);
  } finally {
    await b.stop();
  }
});
