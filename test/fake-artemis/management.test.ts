import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeArtemis } from '../support/fake-artemis/index.js';
import { connect, ManagementClient, types, waitFor } from './client.js';

async function withBroker(
  fn: (b: FakeArtemis, mgmt: ManagementClient) => Promise<void>,
  opts: Parameters<typeof FakeArtemis.start>[0] = {},
): Promise<void> {
  const broker = await FakeArtemis.start(opts);
  const first = opts.users ? Object.entries(opts.users)[0] : undefined;
  const conn = await connect(broker, first ? { username: first[0], password: first[1] } : undefined);
  try {
    await fn(broker, await ManagementClient.open(conn));
  } finally {
    await conn.close();
    await broker.stop();
  }
}

test('open frame and Version attribute announce Artemis and the configured version', async () => {
  await withBroker(async (broker, mgmt) => {
    const conn = await connect(broker);
    assert.deepEqual(conn.properties, { product: 'apache-activemq-artemis', version: '2.33.0.redhat-00012' });
    await conn.close();
    const r = await mgmt.attribute('broker', 'Version');
    assert.equal(r.succeeded, true);
    assert.deepEqual(r.values, ['2.33.0.redhat-00012']);
  }, { version: '2.33.0.redhat-00012' });
});

test('createAddress creates, a second one fails with AMQ229204, updateAddress adds a routing type', async () => {
  await withBroker(async (broker, mgmt) => {
    const ok = await mgmt.invoke('broker', 'createAddress', ['orders', 'ANYCAST']);
    assert.equal(ok.succeeded, true);
    assert.match(String(ok.values![0]), /name=orders/);
    assert.deepEqual([...broker.address('orders')!.routingTypes], ['ANYCAST']);

    const again = await mgmt.invoke('broker', 'createAddress', ['orders', 'MULTICAST']);
    assert.equal(again.succeeded, false);
    assert.deepEqual(again.values, ['AMQ229204: Address already exists: orders']);

    const upd = await mgmt.invoke('broker', 'updateAddress', ['orders', 'MULTICAST,ANYCAST']);
    assert.equal(upd.succeeded, true);
    assert.deepEqual([...broker.address('orders')!.routingTypes], ['ANYCAST', 'MULTICAST']);

    const missing = await mgmt.invoke('broker', 'updateAddress', ['nope', 'ANYCAST']);
    assert.deepEqual([missing.succeeded, missing.values], [false, ['AMQ229203: Address Does Not Exist: nope']]);

    const badType = await mgmt.invoke('broker', 'createAddress', ['x', 'ANYCASTT']);
    assert.equal(badType.succeeded, false);
    assert.match(String(badType.values![0]), /RoutingType\.ANYCASTT/);
    assert.equal(broker.address('x'), undefined);
  });
});

test('createQueue(json) returns the effective config and keeps the given attributes; conflicts use AMQ229019', async () => {
  await withBroker(async (broker, mgmt) => {
    await mgmt.invoke('broker', 'createAddress', ['orders', 'MULTICAST']);
    const cfg = { name: 'sub-a', address: 'orders', 'routing-type': 'MULTICAST', 'filter-string': "color = 'red'", durable: true, 'max-consumers': 3, exclusive: 'true', 'ring-size': '10', bogus: 1 };
    const r = await mgmt.invoke('broker', 'createQueue', [JSON.stringify(cfg)]);
    assert.equal(r.succeeded, true);
    const eff = JSON.parse(String(r.values![0])) as Record<string, unknown>;
    const q = broker.queue('sub-a')!;
    assert.equal(eff.id, Number(q.id));
    assert.equal(eff.name, 'sub-a');
    assert.equal(eff.address, 'orders');
    assert.equal(eff['routing-type'], 'MULTICAST');
    assert.equal(eff['filter-string'], "color = 'red'");
    assert.equal(eff.durable, true);
    assert.equal(eff['max-consumers'], 3);
    assert.equal(eff.exclusive, true);
    assert.equal(eff['ring-size'], 10);
    assert.equal(eff['purge-on-no-consumers'], false); // a default filled in
    assert.equal('bogus' in eff, false);
    // The model keeps what was given, as given.
    assert.deepEqual(q.config, { name: 'sub-a', address: 'orders', 'routing-type': 'MULTICAST', 'filter-string': "color = 'red'", durable: true, 'max-consumers': 3, exclusive: 'true', 'ring-size': '10' });
    assert.equal(q.filter, "color = 'red'");
    assert.equal(q.routingType, 'MULTICAST');

    const dup = await mgmt.invoke('broker', 'createQueue', [JSON.stringify({ name: 'sub-a', address: 'orders' })]);
    assert.deepEqual([dup.succeeded, dup.values], [false, ['AMQ229019: Queue sub-a already exists on address orders']]);

    // ignoreIfExists checks only the name and hands back the existing queue, even on another address.
    await mgmt.invoke('broker', 'createAddress', ['other', 'ANYCAST']);
    const ign = await mgmt.invoke('broker', 'createQueue', [JSON.stringify({ name: 'sub-a', address: 'other', 'routing-type': 'ANYCAST' }), true]);
    assert.equal(ign.succeeded, true);
    const existing = JSON.parse(String(ign.values![0])) as Record<string, unknown>;
    assert.deepEqual([existing.address, existing['routing-type'], existing.id], ['orders', 'MULTICAST', Number(q.id)]);
    assert.equal(broker.queue('sub-a')!.address, 'orders');
  });
});

test('createQueue needs an existing address with the routing type unless auto-create-address', async () => {
  await withBroker(async (broker, mgmt) => {
    const noAddr = await mgmt.invoke('broker', 'createQueue', [JSON.stringify({ name: 'q', address: 'a', 'routing-type': 'ANYCAST' })]);
    assert.deepEqual([noAddr.succeeded, noAddr.values], [false, ['AMQ229203: Address Does Not Exist: a']]);
    assert.equal(broker.queue('q'), undefined);

    await mgmt.invoke('broker', 'createAddress', ['m', 'MULTICAST']);
    const wrongType = await mgmt.invoke('broker', 'createQueue', [JSON.stringify({ name: 'q', address: 'm', 'routing-type': 'ANYCAST' })]);
    assert.deepEqual(wrongType.values, ['AMQ229207: Can not create queue with routing type: ANYCAST, Supported routing types for address: m are [MULTICAST]']);

    const auto = await mgmt.invoke('broker', 'createQueue', [JSON.stringify({ name: 'q', address: 'a', 'routing-type': 'ANYCAST', 'auto-create-address': true })]);
    assert.equal(auto.succeeded, true);
    assert.deepEqual([...broker.address('a')!.routingTypes], ['ANYCAST']);
    assert.equal(broker.address('a')!.autoCreated, true);

    const badFilter = await mgmt.invoke('broker', 'createQueue', [JSON.stringify({ name: 'f', address: 'm', 'filter-string': "color LIKE 'r%'" })]);
    assert.deepEqual(badFilter.values, ["AMQ229020: Invalid filter: color LIKE 'r%'"]);
  });
});

test('queue attributes ID/Address/RoutingType/Filter/MessageCount/ScheduledCount/Durable and broker lists', async () => {
  await withBroker(async (broker, mgmt) => {
    broker.createAddress('orders', ['ANYCAST', 'MULTICAST']);
    const q = broker.createQueue({ name: 'q1', address: 'orders', 'routing-type': 'ANYCAST', durable: false, 'filter-string': 'n > 2' });
    const read = async (name: string) => {
      const r = await mgmt.attribute('queue.q1', name);
      assert.equal(r.succeeded, true, name);
      return r.values;
    };
    assert.deepEqual(await read('ID'), [Number(q.id)]);
    assert.deepEqual(await read('Address'), ['orders']);
    assert.deepEqual(await read('RoutingType'), ['ANYCAST']);
    assert.deepEqual(await read('Filter'), ['n > 2']);
    assert.deepEqual(await read('MessageCount'), [0]);
    assert.deepEqual(await read('ScheduledCount'), [0]);
    assert.deepEqual(await read('Durable'), [false]);
    // A null result is a null body.
    broker.createQueue({ name: 'q2', address: 'orders', 'routing-type': 'MULTICAST' });
    const nf = await mgmt.attribute('queue.q2', 'Filter');
    assert.deepEqual([nf.succeeded, nf.values], [true, null]);

    const names = await mgmt.invoke('broker', 'getQueueNames', []);
    assert.deepEqual(names.values, [[mgmt.replyTo, 'q1', 'q2']]);
    const any = await mgmt.invoke('broker', 'getQueueNames', ['MULTICAST']);
    assert.deepEqual(any.values, [['q2']]);
    const addrs = await mgmt.invoke('broker', 'getAddressNames', []);
    assert.deepEqual(addrs.values, [[mgmt.replyTo, 'orders']]);
    const info = await mgmt.invoke('broker', 'getAddressInfo', ['orders']);
    assert.equal((JSON.parse(String(info.values![0])) as { routingTypes: string }).routingTypes, 'ANYCAST,MULTICAST');
    const rts = await mgmt.attribute('address.orders', 'RoutingTypes');
    assert.deepEqual(rts.values, [['ANYCAST', 'MULTICAST']]);
  });
});

test('failure texts: unknown resource, operation arity/types, attribute', async () => {
  await withBroker(async (_broker, mgmt) => {
    const res = await mgmt.attribute('queue.nope', 'MessageCount');
    assert.deepEqual([res.succeeded, res.values], [false, ['AMQ229067: Cannot find resource with name queue.nope']]);
    const op = await mgmt.invoke('broker', 'frobnicate', [1, 2]);
    assert.deepEqual(op.values, ['AMQ229069: no operation frobnicate/2']);
    // Arity 3 exists, but no 3-parameter overload takes a number third.
    const types3 = await mgmt.invoke('broker', 'createQueue', ['a', 'b', 5]);
    assert.deepEqual(types3.values, ['AMQ229069: no operation createQueue/3']);
    // Booleans only match boolean parameters.
    const strBool = await mgmt.invoke('broker', 'createQueue', ['a', 'ANYCAST', 'q', null, 'true', -1, false, true]);
    assert.deepEqual(strBool.values, ['AMQ229069: no operation createQueue/8']);
    const attr = await mgmt.attribute('broker', 'NoSuchThing');
    assert.deepEqual(attr.values, ['AMQ229068: no getter method for NoSuchThing']);
  });
});

test('long createQueue forms are selected by arity and map their positions', async () => {
  await withBroker(async (broker, mgmt) => {
    broker.createAddress('t', ['MULTICAST']);
    const r8 = await mgmt.invoke('broker', 'createQueue', ['t', 'MULTICAST', 's8', "k = 'v'", false, 4, true, false]);
    assert.equal(r8.succeeded, true, String(r8.values));
    assert.match(String(r8.values![0]), /name=s8/);
    const s8 = broker.queue('s8')!;
    assert.deepEqual([s8.address, s8.routingType, s8.filter, s8.durable, s8.config['max-consumers'], s8.config['purge-on-no-consumers']], ['t', 'MULTICAST', "k = 'v'", false, 4, true]);

    const args16 = ['t', 'MULTICAST', 's16', null, true, -1, false, true, false, -1, false, null, false, 0, -1, false];
    assert.equal((await mgmt.invoke('broker', 'createQueue', args16)).succeeded, true);
    assert.equal(broker.queue('s16')!.config.exclusive, true);

    const args21 = ['n', 'ANYCAST', 's21', null, true, -1, false, false, false, -1, 'gk', false, null, false, 0, -1, false, 0, 0, true, 50];
    const r21 = await mgmt.invoke('broker', 'createQueue', args21);
    assert.equal(r21.succeeded, true, String(r21.values));
    const s21 = broker.queue('s21')!;
    assert.deepEqual([s21.address, s21.routingType, s21.config['group-first-key'], s21.config['ring-size'], broker.address('n')!.autoCreated], ['n', 'ANYCAST', 'gk', 50, true]);

    const r2 = await mgmt.invoke('broker', 'createQueue', ['t', 's2']);
    assert.deepEqual([r2.succeeded, r2.values], [true, null]); // the short forms are void
    assert.equal(broker.queue('s2')!.routingType, 'MULTICAST');
  });
});

test('JSON createQueue does not exist before 2.12; the 21-arg form not before 2.10', async () => {
  await withBroker(async (_broker, mgmt) => {
    const r = await mgmt.invoke('broker', 'createQueue', [JSON.stringify({ name: 'q', address: 'q' })]);
    assert.deepEqual(r.values, ['AMQ229069: no operation createQueue/1']);
    const args21 = ['n', 'ANYCAST', 's21', null, true, -1, false, false, false, -1, 'gk', false, null, false, 0, -1, false, 0, 0, true, 50];
    assert.deepEqual((await mgmt.invoke('broker', 'createQueue', args21)).values, ['AMQ229069: no operation createQueue/21']);
  }, { version: '2.9.0' });
});

test('reply correlation: correlation-id wins, else message-id, keeping its AMQP type', async () => {
  await withBroker(async (_broker, mgmt) => {
    const props = { _AMQ_ResourceName: 'broker', _AMQ_Attribute: 'Version' };
    const a = await mgmt.request({ message_id: 'm-1', correlation_id: 'c-1', application_properties: props, body: '[]' }, 'string:c-1');
    assert.equal(a.message.correlation_id, 'c-1');
    const b = await mgmt.request({ message_id: types.wrap_ulong(42) as unknown as number, application_properties: props, body: '[]' }, 'number:42');
    assert.equal(b.message.correlation_id, 42); // a ulong comes back as a number, not the string "42"
    const bin = Buffer.from('0102ff', 'hex');
    const c = await mgmt.request({ message_id: types.wrap_binary(bin) as unknown as Buffer, application_properties: props, body: '[]' }, `bin:${bin.toString('hex')}`);
    assert.deepEqual(c.message.correlation_id, bin);
    assert.equal(c.message.to, mgmt.replyTo);
  });
});

test('a request without reply-to is executed without a reply; a user without manage is rejected', async () => {
  await withBroker(async (broker, mgmt) => {
    await mgmt.sender.send({ application_properties: { _AMQ_ResourceName: 'broker', _AMQ_OperationName: 'createAddress' }, body: '["silent","ANYCAST"]' });
    await waitFor(() => broker.address('silent') !== undefined, 'address created');

    const conn = await connect(broker, { username: 'viewer', password: 'v' });
    const other = await ManagementClient.open(conn);
    await assert.rejects(other.invoke('broker', 'createAddress', ['nope', 'ANYCAST']), (e: Error & { innerError?: { condition?: string; description?: string } }) => {
      assert.equal(e.innerError?.condition, 'amqp:unauthorized-access');
      assert.equal(e.innerError?.description, "AMQ229032: User: viewer does not have permission='MANAGE' on address activemq.management");
      return true;
    });
    assert.equal(broker.address('nope'), undefined);
    await conn.close();
  }, { users: { admin: 'a', viewer: 'v' }, denyManage: ['viewer'] });
});
