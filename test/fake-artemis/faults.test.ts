import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Connection as RawConnection } from 'rhea';
import { FakeArtemis } from '../support/fake-artemis/index.js';
import { connect, waitFor } from './client.js';
import { creditOf, openRaw, openSender, sendAll } from './raw-client.js';

async function broker(opts: Parameters<typeof FakeArtemis.start>[0] = {}): Promise<FakeArtemis> {
  const b = await FakeArtemis.start(opts);
  b.createAddress('q', ['ANYCAST']);
  b.createQueue({ name: 'q', address: 'q', 'routing-type': 'ANYCAST' });
  return b;
}

const target = { address: 'q', capabilities: ['queue'] };
const bodies = (b: FakeArtemis) => b.messages('q').map((m) => m.message?.body);
const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ body: from + i, durable: true, application_properties: { _AMQ_DUPL_ID: `id-${from + i}` } }));

function disconnected(conn: RawConnection): Promise<void> {
  return new Promise((resolve) => conn.once('disconnected', () => resolve()));
}

test('rejectNext / releaseNext / modifyNext settle the next messages with that outcome and store nothing', async () => {
  const b = await broker();
  const conn = await openRaw(b);
  try {
    b.rejectNext(2, { condition: 'amqp:resource-limit-exceeded', description: 'address full' });
    b.releaseNext(1);
    b.modifyNext(1, { deliveryFailed: true, undeliverableHere: true });
    const sent = sendAll(await openSender(conn, target), numbered(1, 5));
    await waitFor(() => sent.every((s) => s.outcome), 'all outcomes');
    assert.deepEqual(sent.map((s) => s.outcome), ['rejected', 'rejected', 'released', 'modified', 'accepted']);
    assert.deepEqual([sent[0].state!.error!.condition, sent[0].state!.error!.description], ['amqp:resource-limit-exceeded', 'address full']);
    assert.deepEqual([sent[3].state!.delivery_failed, sent[3].state!.undeliverable_here], [true, true]);
    assert.deepEqual(bodies(b), [5]);
    // Nothing was routed for them, so their dup ids are not cached either.
    assert.deepEqual(b.duplicateIds('q'), ['id-5']);
  } finally {
    conn.close();
    await b.stop();
  }
});

test('dropConnectionAfter(n) cuts the TCP connection after storing the n-th message, before its outcome is sent', async () => {
  const b = await broker();
  try {
    b.dropConnectionAfter(3);
    let conn = await openRaw(b);
    const gone = disconnected(conn);
    const sent = sendAll(await openSender(conn, target), numbered(1, 5));
    await gone;
    assert.deepEqual(bodies(b), [1, 2, 3]);
    // Outcomes are written per message, so the client knows about 1 and 2 but never learns the 3rd was stored.
    assert.deepEqual(sent.map((s) => s.outcome), ['accepted', 'accepted', undefined, undefined, undefined]);

    // The re-run with the same dup ids completes the set without duplicating what was stored.
    conn = await openRaw(b);
    const again = sendAll(await openSender(conn, target), numbered(1, 5));
    await waitFor(() => again.every((s) => s.outcome), 'outcomes');
    assert.deepEqual(again.map((s) => s.outcome), ['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    assert.deepEqual(bodies(b), [1, 2, 3, 4, 5]);
    assert.deepEqual(b.dropped.map((d) => d.dupId), ['id-1', 'id-2', 'id-3']);
    conn.close();
  } finally {
    await b.stop();
  }
});

test('dropConnectionAfter(n, {storeLast: false}) loses the n-th message with the connection', async () => {
  const b = await broker();
  try {
    b.dropConnectionAfter(2, { storeLast: false });
    const conn = await openRaw(b);
    const gone = disconnected(conn);
    sendAll(await openSender(conn, target), numbered(1, 4));
    await gone;
    assert.deepEqual(bodies(b), [1]);
  } finally {
    await b.stop();
  }
});

test('stallAfter(n) revokes outstanding credit and lets exactly n more in; resumeCredit lets the rest through', async () => {
  const b = await broker({ creditWindow: 50 });
  const conn = await openRaw(b);
  try {
    const sender = await openSender(conn, target);
    assert.equal(creditOf(sender), 50);
    b.stallAfter(2);
    await waitFor(() => creditOf(sender) === 2, 'credit revoked to 2');
    const sent = sendAll(sender, numbered(1, 5));
    await waitFor(() => sent.filter((s) => s.outcome).length === 2, 'two outcomes');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(bodies(b), [1, 2]);
    assert.equal(creditOf(sender), 0);
    assert.deepEqual(sent.map((s) => s.outcome), ['accepted', 'accepted', undefined, undefined, undefined]);
    b.resumeCredit();
    await waitFor(() => sent.every((s) => s.outcome), 'the rest');
    assert.deepEqual(bodies(b), [1, 2, 3, 4, 5]);
  } finally {
    conn.close();
    await b.stop();
  }
});

test('credit: a producer link gets creditWindow and is topped up as deliveries are settled', async () => {
  const b = await broker({ creditWindow: 4 });
  const conn = await openRaw(b);
  try {
    const sender = await openSender(conn, target);
    assert.equal(creditOf(sender), 4);
    const sent = sendAll(sender, numbered(1, 10));
    await waitFor(() => sent.every((s) => s.outcome === 'accepted'), 'all accepted');
    assert.deepEqual(bodies(b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Refilled to 4 whenever it fell to the low mark (1) — after messages 3, 6 and 9 — so 3 are left.
    assert.equal(creditOf(sender), 3);
  } finally {
    conn.close();
    await b.stop();
  }
});

test('goDown(ms) refuses connections, cuts clients, keeps durable state, and comes back on the same port', async () => {
  const b = await broker();
  try {
    b.createQueue({ name: 'volatile', address: 'q', 'routing-type': 'ANYCAST', durable: false });
    const port = b.port;
    const conn = await openRaw(b);
    const sent = sendAll(await openSender(conn, { address: 'q::q', capabilities: ['queue'] }), [
      { body: 'keep', durable: true },
      { body: 'lose', durable: false },
    ]);
    await waitFor(() => sent.every((s) => s.outcome), 'stored');
    const gone = disconnected(conn);
    await b.goDown(300);
    await gone;
    assert.equal(b.isUp, false);
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve('connected'); });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED');
    await b.whenUp();
    assert.equal(b.port, port);
    assert.deepEqual(bodies(b), ['keep']);
    assert.equal(b.queue('volatile'), undefined, 'a non-durable queue does not survive');
    const again = await connect(b);
    await again.close();
  } finally {
    await b.stop();
  }
});

test('goDown with graceful closes connections with amqp:connection:forced', async () => {
  const b = await broker();
  try {
    const conn = await openRaw(b);
    const closed = new Promise<string | undefined>((resolve) =>
      conn.once('connection_error', (ctx) => resolve((ctx.connection.error as { condition?: string } | undefined)?.condition)));
    await b.goDown(undefined, { graceful: true });
    assert.equal(await closed, 'amqp:connection:forced');
    await b.comeUp();
    assert.equal(b.isUp, true);
  } finally {
    await b.stop();
  }
});
