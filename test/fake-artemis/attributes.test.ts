import { test } from 'node:test';
import assert from 'node:assert/strict';
import rhea from 'rhea';
import { ReceiverEvents, type Connection } from 'rhea-promise';
import { FakeArtemis } from '../support/fake-artemis/index.js';
import { connect, ManagementClient, sendTo, waitFor } from './client.js';

async function withBroker(fn: (b: FakeArtemis, conn: Connection) => Promise<void>): Promise<void> {
  const broker = await FakeArtemis.start();
  broker.createAddress('q', ['ANYCAST']);
  broker.createQueue({ name: 'q', address: 'q', 'routing-type': 'ANYCAST' });
  const conn = await connect(broker);
  try {
    await fn(broker, conn);
  } finally {
    await conn.close();
    await broker.stop();
  }
}

const anycast = { address: 'q', capabilities: ['queue'] };

test('x-opt-delivery-time is recorded, counted as scheduled, and not delivered before its time', async () => {
  await withBroker(async (b, conn) => {
    const at = Date.now() + 400;
    await sendTo(conn, anycast, [
      { body: 'later', message_annotations: { 'x-opt-delivery-time': rhea.types.wrap_long(at) } },
      { body: 'now' },
    ]);
    const [later, now] = b.messages('q');
    assert.equal(later.scheduledTime, at);
    assert.equal(now.scheduledTime, undefined);
    const mgmt = await ManagementClient.open(conn);
    assert.deepEqual((await mgmt.attribute('queue.q', 'ScheduledCount')).values, [1]);
    assert.deepEqual((await mgmt.attribute('queue.q', 'MessageCount')).values, [2]);

    const receiver = await conn.createReceiver({ source: { address: 'q' } });
    const got: Array<{ body: unknown; at: number }> = [];
    receiver.on(ReceiverEvents.message, (ctx) => got.push({ body: ctx.message!.body, at: Date.now() }));
    await waitFor(() => got.length === 1, 'the unscheduled message');
    assert.equal(got[0].body, 'now');
    await waitFor(() => got.length === 2, 'the scheduled message', 3000);
    assert.equal(got[1].body, 'later');
    assert.ok(got[1].at >= at, `delivered ${at - got[1].at} ms early`);
    await receiver.close();
  });
});

test('x-opt-delivery-delay schedules relative to arrival; a past delivery time is not scheduled', async () => {
  await withBroker(async (b, conn) => {
    const before = Date.now();
    await sendTo(conn, anycast, [
      { body: 'delayed', message_annotations: { 'x-opt-delivery-delay': rhea.types.wrap_long(60000) } },
      { body: 'past', message_annotations: { 'x-opt-delivery-time': rhea.types.wrap_long(before - 1000) } },
    ]);
    const [delayed, past] = b.messages('q');
    assert.ok(delayed.scheduledTime! >= before + 60000 && delayed.scheduledTime! <= Date.now() + 60000);
    assert.equal(past.scheduledTime, before - 1000);
    assert.equal(b.scheduledCount('q'), 1);
  });
});

test('priority (capped at 9, default 4), durable, expiry from absolute-expiry-time or ttl', async () => {
  await withBroker(async (b, conn) => {
    const expiresAt = Date.now() + 3_600_000;
    await sendTo(conn, anycast, [
      { body: 'p', priority: 12, durable: true },
      { body: 'd' },
      { body: 'abs', absolute_expiry_time: new Date(expiresAt), ttl: 5 },
      { body: 'ttl', ttl: 60000 },
    ]);
    const [p, d, abs, ttl] = b.messages('q');
    assert.deepEqual([p.priority, p.durable], [9, true]);
    assert.deepEqual([d.priority, d.durable, d.expiration], [4, false, undefined]);
    assert.equal(abs.expiration, expiresAt);
    assert.equal(ttl.expiration, ttl.receivedAt + 60000);
  });
});

test('a message already expired on arrival is accepted and not stored', async () => {
  await withBroker(async (b, conn) => {
    const [d] = await sendTo(conn, anycast, [{ body: 'stale', absolute_expiry_time: new Date(Date.now() - 1000) }]);
    assert.equal((d.remote_state as { constructor: { composite_type: string } }).constructor.composite_type, 'accepted');
    assert.deepEqual(b.messages('q'), []);
    assert.deepEqual(b.dropped.map((x) => x.reason), ['expired']);
  });
});
