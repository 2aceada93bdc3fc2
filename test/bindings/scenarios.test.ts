/**
 * Real data written by Artemis 2.44.0 and 2.19.1: the topology read from the bindings journal must
 * be what the fixture generator created (manifest.json) and what the real broker recovered from the
 * same directory (broker-view.json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadTopology } from '../support/journal-records.js';

const FIXTURES = fileURLToPath(new URL('../../../test/.fixtures/', import.meta.url));

interface ManifestQueue {
  name: string;
  address: string;
  routing_type: string;
  filter: string | null;
  durable: boolean;
  exclusive?: boolean;
  max_consumers?: number;
  last_value_key?: string;
  jms_durable_subscription?: string;
}
interface Manifest {
  queues: Record<string, ManifestQueue>;
  addresses: Record<string, { routing_types: string[] }>;
  not_persisted: Array<{ queue: string; fixture_id?: string }>;
}
interface ViewQueue {
  id: number;
  name: string;
  address: string;
  routing_type: string;
  filter: string | null;
  durable: boolean;
  internal: boolean;
  exclusive: boolean;
  last_value: boolean;
  last_value_key: string | null;
  max_consumers: number;
}
interface BrokerView {
  queues: Record<string, ViewQueue>;
  addresses: Record<string, { routing_types: string[]; internal: boolean; auto_created: boolean; paused: boolean }>;
}

const scenarios: Array<{ version: string; name: string; dir: string }> = [];
for (const version of ['artemis-2.44.0', 'artemis-2.19.1']) {
  const root = join(FIXTURES, version);
  if (!existsSync(root)) continue;
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (existsSync(join(dir, 'manifest.json'))) scenarios.push({ version, name, dir });
  }
}

test('fixtures are present', () => {
  assert.ok(scenarios.length >= 14, `expected the 2.44.0 and 2.19.1 scenarios under ${FIXTURES}, found ${scenarios.length}`);
});

for (const s of scenarios) {
  test(`${s.version}/${s.name}: queues and addresses match manifest.json and broker-view.json`, async () => {
    const manifest = JSON.parse(readFileSync(join(s.dir, 'manifest.json'), 'utf8')) as Manifest;
    const view = JSON.parse(readFileSync(join(s.dir, 'broker-view.json'), 'utf8')) as BrokerView;
    const { topology: t, diagnostics } = await loadTopology(join(s.dir, 'data'));

    assert.deepEqual(diagnostics.list, []);
    assert.deepEqual(t.format, { artemis1x: false, reasons: [] });
    assert.ok(t.idCounter !== null && t.idCounter > 0n, 'ID counter record present');

    // Queues: exactly the durable ones of the manifest, with their attributes.
    const byName = new Map(t.queues.map((q) => [q.name, q]));
    assert.equal(byName.size, t.queues.length, 'queue names are unique');
    assert.deepEqual([...byName.keys()].sort(), Object.keys(manifest.queues).sort());
    for (const [name, m] of Object.entries(manifest.queues)) {
      const q = byName.get(name)!;
      assert.equal(q.address, m.address, `${name}.address`);
      assert.equal(q.routingType, m.routing_type, `${name}.routing_type`);
      assert.equal(q.filter, m.filter, `${name}.filter`);
      assert.equal(q.durable, m.durable, `${name}.durable`);
      if (m.exclusive !== undefined) assert.equal(q.exclusive, m.exclusive, `${name}.exclusive`);
      if (m.max_consumers !== undefined) assert.equal(q.maxConsumers, m.max_consumers, `${name}.max_consumers`);
      if (m.last_value_key !== undefined) assert.equal(q.lastValueKey, m.last_value_key, `${name}.last_value_key`);
      assert.equal(q.fieldsPresent, s.version === 'artemis-2.44.0' ? 25 : 24, `${name}: fields written by this broker version`);
      assert.equal(q.enabled, true);
      assert.equal(q.paused, false);
    }
    for (const np of manifest.not_persisted) {
      if (np.fixture_id === undefined) assert.equal(byName.has(np.queue), false, `${np.queue} must not be persisted`);
    }

    // …and what the broker recovered, including the queue ids every message reference uses.
    assert.deepEqual([...byName.keys()].sort(), Object.keys(view.queues).sort());
    for (const v of Object.values(view.queues)) {
      const q = byName.get(v.name)!;
      assert.equal(q.id, BigInt(v.id), `${v.name}.id`);
      assert.deepEqual(
        [q.address, q.routingType, q.filter, q.durable, q.internal, q.exclusive, q.lastValue, q.lastValueKey, q.maxConsumers],
        [v.address, v.routing_type, v.filter, v.durable, v.internal, v.exclusive, v.last_value, v.last_value_key, v.max_consumers],
        v.name,
      );
    }

    // Addresses (activemq.notifications included: every broker persists it).
    const addr = new Map(t.addresses.map((a) => [a.name, a]));
    assert.equal(addr.size, t.addresses.length, 'address names are unique');
    assert.deepEqual([...addr.keys()].sort(), Object.keys(manifest.addresses).sort());
    for (const [name, m] of Object.entries(manifest.addresses)) {
      assert.deepEqual([...addr.get(name)!.routingTypes].sort(), [...m.routing_types].sort(), `${name}.routing_types`);
    }
    assert.deepEqual([...addr.keys()].sort(), Object.keys(view.addresses).sort());
    for (const [name, v] of Object.entries(view.addresses)) {
      const a = addr.get(name)!;
      assert.deepEqual([a.internal, a.autoCreated, a.paused], [v.internal, v.auto_created, v.paused], name);
    }
    // Every queue's address exists and allows the queue's routing type.
    for (const q of t.queues) assert.ok(addr.get(q.address)?.routingTypes.includes(q.routingType), `${q.name} on ${q.address}`);
  });
}

test('artemis-2.44.0/a_topology: the specific shapes the scenario created', async (t) => {
  const dir = join(FIXTURES, 'artemis-2.44.0', 'a_topology');
  if (!existsSync(dir)) return t.skip('fixture not unpacked');
  const { topology } = await loadTopology(join(dir, 'data'));
  const q = new Map(topology.queues.map((x) => [x.name, x]));
  const a = new Map(topology.addresses.map((x) => [x.name, x]));

  assert.deepEqual([q.get('orders')!.address, q.get('orders')!.routingType], ['orders', 'ANYCAST']);
  for (const sub of ['events.sub1', 'events.sub2']) assert.deepEqual([q.get(sub)!.address, q.get(sub)!.routingType], ['events', 'MULTICAST']);
  assert.equal(q.get('filtered.red')!.filter, "color = 'red' AND weight > 10");
  const lvq = q.get('prices.lvq')!;
  assert.deepEqual([lvq.lastValue, lvq.lastValueKey, lvq.exclusive], [true, 'symbol', false]);
  const ex = q.get('exclusive.q')!;
  assert.deepEqual([ex.exclusive, ex.maxConsumers, ex.lastValue], [true, 1, false]);
  // The JMS durable subscription: queue "<clientID>.<subscription>" on the topic's address.
  const sub = q.get('fixture-client.durable-sub')!;
  assert.deepEqual([sub.address, sub.routingType, sub.filter], ['news', 'MULTICAST', null]);
  assert.equal(a.get('news')!.autoCreated, true);
  // volatile.q is non-durable: no queue binding, but its address was persisted.
  assert.equal(q.has('volatile.q'), false);
  assert.deepEqual(a.get('volatile')!.routingTypes, ['ANYCAST']);
  assert.deepEqual(a.get('activemq.notifications')!.routingTypes, ['MULTICAST']);
  // DLQ / ExpiryQueue come from broker.xml: stored too, flagged as configuration managed.
  assert.equal(q.get('DLQ')!.configurationManaged, true);
  assert.equal(q.get('orders')!.configurationManaged, false);
});
