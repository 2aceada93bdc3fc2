import { test } from 'node:test';
import assert from 'node:assert/strict';
import rhea from 'rhea';
import type { Connection, Message } from 'rhea-promise';
import { FakeArtemis } from '../support/fake-artemis/index.js';
import { connect, receive, sendTo } from './client.js';

async function withBroker(fn: (b: FakeArtemis, conn: Connection) => Promise<void>, opts: Parameters<typeof FakeArtemis.start>[0] = {}): Promise<void> {
  const broker = await FakeArtemis.start(opts);
  const conn = await connect(broker);
  try {
    await fn(broker, conn);
  } finally {
    await conn.close();
    await broker.stop();
  }
}

/** orders: MULTICAST with subscriptions sub-a, sub-b (sub-b filtered on color = 'red'). */
function ordersTopology(b: FakeArtemis): void {
  b.createAddress('orders', ['MULTICAST']);
  b.createQueue({ name: 'sub-a', address: 'orders', 'routing-type': 'MULTICAST' });
  b.createQueue({ name: 'sub-b', address: 'orders', 'routing-type': 'MULTICAST', 'filter-string': "color = 'red'" });
}

const bodies = (b: FakeArtemis, q: string) => b.messages(q).map((m) => m.message?.body);

test('FQQN send with the matching capability lands in exactly the named subscription, bytes as sent', async () => {
  await withBroker(async (b, conn) => {
    ordersTopology(b);
    const msgs: Message[] = [1, 2, 3].map((i) => ({ message_id: `m${i}`, durable: true, body: `o${i}`, application_properties: { color: 'red', i } }));
    const deliveries = await sendTo(conn, { address: 'orders::sub-a', capabilities: ['topic'] }, msgs);
    assert.equal(deliveries.length, 3);
    assert.deepEqual(bodies(b, 'sub-a'), ['o1', 'o2', 'o3']);
    assert.deepEqual(b.messages('sub-b'), []);
    const stored = b.messages('sub-a');
    stored.forEach((s, i) => {
      assert.deepEqual(s.raw, rhea.message.encode(msgs[i] as never), 'raw bytes are the transfer payload');
      assert.equal(s.address, 'orders::sub-a');
      assert.equal(s.capability, 'topic');
      assert.deepEqual(s.linkCapabilities, ['topic']);
      assert.equal(s.routingContext, 'MULTICAST');
      assert.equal(s.durable, true);
    });
  });
});

test('routing-type trap: a message whose routing context differs from the queue is accepted and vanishes', async () => {
  await withBroker(async (b, conn) => {
    ordersTopology(b);
    // Capability `queue` = ANYCAST context against a MULTICAST queue: accepted, not stored.
    const [d] = await sendTo(conn, { address: 'orders::sub-a', capabilities: ['queue'] }, [{ body: 'lost' }]);
    assert.equal((d.remote_state as { constructor: { composite_type?: string } }).constructor.composite_type, 'accepted');
    assert.deepEqual(b.messages('sub-a'), []);
    assert.deepEqual(b.dropped.map((x) => [x.reason, x.address, x.queue]), [['routing-type-mismatch', 'orders::sub-a', 'sub-a']]);

    // Without a capability the x-opt-routing-type annotation decides (1 = ANYCAST): trapped too.
    await sendTo(conn, { address: 'orders::sub-a' }, [{ body: 'lost2', message_annotations: { 'x-opt-routing-type': rhea.types.wrap_byte(1) } }]);
    assert.deepEqual(b.messages('sub-a'), []);
    assert.equal(b.dropped.length, 2);

    // Neither: the address' single routing type (MULTICAST) is the context, and it matches.
    await sendTo(conn, { address: 'orders::sub-a' }, [{ body: 'kept' }]);
    assert.deepEqual(bodies(b, 'sub-a'), ['kept']);
    assert.equal(b.messages('sub-a')[0].routingContext, 'MULTICAST');
  });
});

test('FQQN on an address with both routing types and no hint routes by queue name alone', async () => {
  await withBroker(async (b, conn) => {
    b.createAddress('both', ['ANYCAST', 'MULTICAST']);
    b.createQueue({ name: 'bq', address: 'both', 'routing-type': 'ANYCAST' });
    await sendTo(conn, { address: 'both::bq' }, [{ body: 'x' }]);
    assert.deepEqual(bodies(b, 'bq'), ['x']);
    assert.equal(b.messages('bq')[0].routingContext, null);
  });
});

test('plain multicast address send fans out to every matching subscription (one stored message)', async () => {
  await withBroker(async (b, conn) => {
    ordersTopology(b);
    await sendTo(conn, { address: 'orders', capabilities: ['topic'] }, [
      { body: 'red', application_properties: { color: 'red' } },
      { body: 'blue', application_properties: { color: 'blue' } },
    ]);
    assert.deepEqual(bodies(b, 'sub-a'), ['red', 'blue']);
    assert.deepEqual(bodies(b, 'sub-b'), ['red']);
    assert.equal(b.messages('sub-a')[0], b.messages('sub-b')[0], 'a multicast copy is one message referenced twice');
    assert.equal(b.messages('sub-a')[0].address, 'orders');
  });
});

test('plain anycast address send goes to one queue, round robin', async () => {
  await withBroker(async (b, conn) => {
    b.createAddress('work', ['ANYCAST']);
    b.createQueue({ name: 'w1', address: 'work', 'routing-type': 'ANYCAST' });
    b.createQueue({ name: 'w2', address: 'work', 'routing-type': 'ANYCAST' });
    await sendTo(conn, { address: 'work', capabilities: ['queue'] }, [{ body: 1 }, { body: 2 }, { body: 3 }, { body: 4 }]);
    assert.deepEqual(bodies(b, 'w1'), [1, 3]);
    assert.deepEqual(bodies(b, 'w2'), [2, 4]);
  });
});

test('queue filter applies to FQQN sends since 2.35 only', async () => {
  await withBroker(async (b, conn) => {
    ordersTopology(b);
    await sendTo(conn, { address: 'orders::sub-b', capabilities: ['topic'] }, [
      { body: 'blue', application_properties: { color: 'blue' } },
      { body: 'red', application_properties: { color: 'red' } },
    ]);
    assert.deepEqual(bodies(b, 'sub-b'), ['red']);
    assert.deepEqual(b.dropped.map((x) => [x.reason, x.queue]), [['filter', 'sub-b']]);
  });
  await withBroker(async (b, conn) => {
    ordersTopology(b);
    await sendTo(conn, { address: 'orders::sub-b', capabilities: ['topic'] }, [{ body: 'blue', application_properties: { color: 'blue' } }]);
    assert.deepEqual(bodies(b, 'sub-b'), ['blue']);
  }, { version: '2.34.0' });
});

test('attach to a missing address or queue fails with amqp:not-found; nothing is created', async () => {
  await withBroker(async (b, conn) => {
    ordersTopology(b);
    for (const address of ['orders::nope', 'nowhere', 'elsewhere::sub-a']) {
      await assert.rejects(conn.createAwaitableSender({ target: { address } }), (e: { condition?: string }) => e.condition === 'amqp:not-found', address);
    }
    assert.deepEqual(b.queueNames(), ['sub-a', 'sub-b']);
    assert.deepEqual(b.addressNames(), ['orders']);
  });
});

test('with autoCreate, attach creates the address (and the queue for anycast or FQQN) as auto-created', async () => {
  await withBroker(async (b, conn) => {
    await sendTo(conn, { address: 'jobs', capabilities: ['queue'] }, [{ body: 'j' }]);
    assert.deepEqual([...b.address('jobs')!.routingTypes], ['ANYCAST']);
    assert.equal(b.queue('jobs')!.autoCreated, true);
    assert.deepEqual(bodies(b, 'jobs'), ['j']);
    await sendTo(conn, { address: 'news::reader', capabilities: ['topic'] }, [{ body: 'n' }]);
    assert.deepEqual([b.queue('reader')!.address, b.queue('reader')!.routingType], ['news', 'MULTICAST']);
    await sendTo(conn, { address: 'events', capabilities: ['topic'] }, [{ body: 'e' }]);
    assert.deepEqual([...b.address('events')!.routingTypes], ['MULTICAST']);
    assert.equal(b.queue('events'), undefined, 'a multicast auto-create makes no subscription');
  }, { autoCreate: true });
});

test('anonymous relay routes by the message to field', async () => {
  await withBroker(async (b, conn) => {
    ordersTopology(b);
    const sender = await conn.createAwaitableSender({ target: {} });
    await sender.send({ to: 'orders::sub-b', body: 'via-to', application_properties: { color: 'red' } });
    await assert.rejects(sender.send({ to: 'missing', body: 'x' }, { timeoutInSeconds: 2 }));
    await sender.close();
    assert.deepEqual(bodies(b, 'sub-b'), ['via-to']);
    assert.equal(b.messages('sub-b')[0].address, 'orders::sub-b');
  });
});

test('messages can be consumed back by FQQN or queue name, in priority then arrival order', async () => {
  await withBroker(async (b, conn) => {
    ordersTopology(b);
    await sendTo(conn, { address: 'orders::sub-a', capabilities: ['topic'] }, [
      { body: 'low', priority: 1 },
      { body: 'high', priority: 9 },
      { body: 'mid1', priority: 5 },
      { body: 'mid2', priority: 5 },
    ]);
    const got = await receive(conn, 'orders::sub-a', 2);
    assert.deepEqual(got.map((m) => m.body), ['high', 'mid1']);
    await new Promise((r) => setTimeout(r, 30)); // let the accepts land
    assert.deepEqual(bodies(b, 'sub-a'), ['low', 'mid2']);
    const rest = await receive(conn, 'sub-a', 2);
    assert.deepEqual(rest.map((m) => m.body), ['mid2', 'low']);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(b.messageCount('sub-a'), 0);
    assert.equal(b.queue('sub-a')!.messagesAcknowledged, 4);
  });
});

test('a released delivery goes back to its queue; a closed consumer returns its unsettled messages', async () => {
  await withBroker(async (b, conn) => {
    b.createAddress('q', ['ANYCAST']);
    b.createQueue({ name: 'q', address: 'q', 'routing-type': 'ANYCAST' });
    await sendTo(conn, { address: 'q' }, [{ body: 'a' }, { body: 'b' }]);
    const receiver = await conn.createReceiver({ source: { address: 'q' }, autoaccept: false, credit_window: 0 });
    receiver.addCredit(1);
    const first = await new Promise<{ body: unknown; release: () => void }>((resolve) =>
      receiver.once('message', (ctx) => resolve({ body: ctx.message!.body, release: () => ctx.delivery!.release() })));
    assert.equal(first.body, 'a');
    assert.equal(b.queue('q')!.refs[0].inDelivery, true);
    first.release();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(b.queue('q')!.refs[0].inDelivery, false);
    await receiver.close();
    const all = await receive(conn, 'q', 2);
    assert.deepEqual(all.map((m) => m.body), ['a', 'b']);
  });
});

test('a dynamic receiver gets a temporary queue that disappears with the link', async () => {
  await withBroker(async (b, conn) => {
    const r = await conn.createReceiver({ source: { dynamic: true } as never });
    const name = (r.source as { address: string }).address;
    assert.match(name, /^[0-9a-f-]{36}$/);
    assert.deepEqual([b.queue(name)!.temporary, b.queue(name)!.routingType], [true, 'ANYCAST']);
    await r.close();
    assert.equal(b.queue(name), undefined);
    assert.equal(b.address(name), undefined);
  });
});

test('a message larger than the 128 KiB frame size arrives in several frames and is stored and served whole', async () => {
  await withBroker(async (b, conn) => {
    b.createAddress('big', ['ANYCAST']);
    b.createQueue({ name: 'big', address: 'big', 'routing-type': 'ANYCAST' });
    const payload = Buffer.alloc(300_000, 0);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) % 251;
    const msg: Message = { message_id: 'big-1', body: rhea.message.data_section(payload) };
    await sendTo(conn, { address: 'big' }, [msg]);
    const [stored] = b.messages('big');
    assert.deepEqual(stored.raw, rhea.message.encode(msg as never));
    const [back] = await receive(conn, 'big', 1);
    assert.deepEqual((back.body as { content: Buffer }).content, payload);
  });
});
