import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../../journal/diagnostics.js';
import type { EffectiveRecord } from '../../journal/bindings/effective-record.js';
import { TopologyBuilder } from '../../journal/bindings/topology.js';
import { PayloadWriter } from './payload-writer.js';

const W = (): PayloadWriter => new PayloadWriter();
let offset = 16;
function rec(id: bigint, userType: number, body: Buffer, isUpdate = false): EffectiveRecord {
  offset += 100;
  return { id, userType, body, isUpdate, file: 'bindings/activemq-bindings-1.bindings', offset };
}

/** A 2.44-style (25-field) queue binding. */
function queue(name: string, address: string, o: { anycast?: boolean; maxConsumers?: number; exclusive?: boolean } = {}): Buffer {
  return W().ss(name).ss(address).nss(null).nss('').bool(false).i32(o.maxConsumers ?? -1).bool(false).u8(o.anycast ? 1 : 0)
    .bool(o.exclusive ?? false).bool(false).bool(false).i32(0).i64(-1n).nss(null).bool(false).bool(false).i32(-1).bool(false)
    .i64(0n).i64(0n).nss(null).i64(-1n).bool(true).bool(false).bool(false).build();
}
/** A 1.x queue binding: the 5 base fields only. */
function queue1x(name: string): Buffer {
  return W().ss(name).ss(name).nss(null).nss('user=null;').bool(false).build();
}
function address(name: string, anycast = false): Buffer {
  return W().ss(name).i32(1).u8(anycast ? 1 : 0).bool(false).bool(false).build();
}
const status = (target: bigint, s: number): Buffer => W().i64(target).i16(s).build();
const idCounter = (v: bigint): Buffer => W().i64(v).build();

test('topology: queues, addresses, later records replace earlier ones, deletes drop every record of an id', () => {
  const d = new Diagnostics();
  const b = new TopologyBuilder(d);
  b.apply(rec(2n, 44, address('orders', true)));
  b.apply(rec(3n, 21, queue('orders', 'orders', { anycast: true })));
  b.apply(rec(5n, 44, address('events')));
  b.apply(rec(6n, 21, queue('events.a', 'events')));
  b.apply(rec(7n, 21, queue('events.b', 'events')));
  // Reconfiguration: an UPDATE for queue 3 is a complete new encoding.
  b.apply(rec(3n, 21, queue('orders', 'orders', { anycast: true, maxConsumers: 1, exclusive: true }), true));
  assert.equal(b.delete(7n), true);
  assert.equal(b.delete(7n), false); // already gone
  assert.equal(b.delete(999n), false); // never seen
  b.apply(rec(7n, 21, queue('events.b', 'events'), true)); // an update after the delete stays deleted
  b.apply(rec(10n, 24, idCounter(100n)));
  b.apply(rec(11n, 24, idCounter(2147483647n)));
  b.apply(rec(12n, 24, idCounter(5n)));
  const t = b.finish();
  assert.deepEqual(d.list, []);
  assert.deepEqual(t.queues.map((q) => [q.id, q.name, q.address, q.routingType, q.maxConsumers, q.exclusive]), [
    [3n, 'orders', 'orders', 'ANYCAST', 1, true],
    [6n, 'events.a', 'events', 'MULTICAST', -1, false],
  ]);
  assert.deepEqual(t.addresses, [
    { id: 2n, name: 'orders', routingTypes: ['ANYCAST'], autoCreated: false, internal: false, paused: false },
    { id: 5n, name: 'events', routingTypes: ['MULTICAST'], autoCreated: false, internal: false, paused: false },
  ]);
  assert.equal(t.idCounter, 2147483647n);
  assert.deepEqual(t.format, { artemis1x: false, reasons: [] });
  assert.equal(t.queues[0]!.durable, true);
  assert.equal(t.queues[0]!.fieldsPresent, 25);
});

test('topology: a delete that arrives before the record (set semantics) still removes it', () => {
  const b = new TopologyBuilder(new Diagnostics());
  assert.equal(b.delete(3n), false);
  b.apply(rec(3n, 21, queue('q', 'q')));
  assert.deepEqual(b.finish().queues, []);
});

test('topology: status records pause queues and addresses; orphans are ignored', () => {
  const d = new Diagnostics();
  const b = new TopologyBuilder(d);
  b.apply(rec(2n, 44, address('a')));
  b.apply(rec(3n, 21, queue('q1', 'a')));
  b.apply(rec(4n, 21, queue('q2', 'a')));
  b.apply(rec(20n, 22, status(3n, 0))); // q1 paused
  b.apply(rec(21n, 22, status(4n, 0))); // q2 paused …
  b.delete(21n); // … then resumed (the broker deletes the PAUSED record)
  b.apply(rec(22n, 46, status(2n, 0))); // address paused
  b.apply(rec(23n, 22, status(77n, 0))); // no such queue
  b.apply(rec(24n, 46, status(78n, 0))); // no such address
  const t = b.finish();
  assert.deepEqual(t.queues.map((q) => [q.name, q.paused]), [['q1', true], ['q2', false]]);
  assert.equal(t.addresses[0]!.paused, true);
  assert.deepEqual(d.list.map((x) => [x.severity, x.offset !== null]), [['info', true], ['info', true]]);
  assert.match(d.list[0]!.message, /unknown queue 77/);
  assert.match(d.list[1]!.message, /unknown address 78/);
});

test('topology: unknown user types are warnings with file and offset; undecodable bindings are errors, configuration warnings', () => {
  const d = new Diagnostics();
  const b = new TopologyBuilder(d);
  const unknown = rec(30n, 99, Buffer.from([1, 2, 3]));
  const badQueue = rec(31n, 21, Buffer.from([0, 0, 0, 4, 0x71]));
  const badAddress = rec(32n, 44, W().ss('a').i32(1).u8(9).bool(false).build());
  const badDivert = rec(33n, 27, Buffer.from([1]));
  const badJsonSetting = rec(34n, 52, W().ss('#').ss('{oops').build());
  b.apply(unknown);
  b.apply(badQueue);
  b.apply(badAddress);
  b.apply(badDivert);
  b.apply(badJsonSetting);
  b.apply(rec(35n, 21, queue('fine', 'fine')));
  const t = b.finish();
  assert.deepEqual(t.queues.map((q) => q.name), ['fine']);
  assert.deepEqual(t.addresses, []);
  assert.deepEqual(
    d.list.map((x) => [x.severity, x.file, x.offset]),
    [
      ['warning', unknown.file, unknown.offset],
      ['error', badQueue.file, badQueue.offset],
      ['error', badAddress.file, badAddress.offset],
      ['warning', badDivert.file, badDivert.offset],
      ['warning', badJsonSetting.file, badJsonSetting.offset],
    ],
  );
  assert.match(d.list[0]!.message, /unknown user record type 99/);
  assert.match(d.list[1]!.message, /record 31 \(QUEUE_BINDING\) could not be decoded/);
  assert.equal(d.errorCount, 2);
});

test('topology: configuration records keyed like the broker (match, name, user, map+key)', () => {
  const b = new TopologyBuilder(new Diagnostics());
  b.apply(rec(40n, 52, W().ss('orders.#').ss('{"maxDeliveryAttempts":3}').build()));
  b.apply(rec(41n, 52, W().ss('orders.#').ss('{"maxDeliveryAttempts":5}').build())); // replaces 40
  b.apply(rec(42n, 52, W().ss('#').ss('{"autoCreateQueues":true}').build()));
  b.apply(rec(43n, 47, W().str('bob').str('h1').build()));
  b.apply(rec(44n, 47, W().str('bob').str('h2').build())); // replaces 43
  b.apply(rec(45n, 48, W().str('bob').i32(1).str('amq').build()));
  b.apply(rec(46n, 50, W().str('m').str('k').str('v1').build()));
  b.apply(rec(47n, 50, W().str('m').str('k2').str('v2').build()));
  b.apply(rec(48n, 51, W().str('c').str('tcp://h:1').build()));
  b.apply(rec(49n, 26, W().ss('#').nss('amq').nss('amq').nss(null).nss(null).nss(null).nss(null).nss(null).nss(null).nss(null).nss(null).build()));
  b.apply(rec(50n, 20, W().ss('g').ss('cl').build()));
  b.apply(rec(51n, 27, W().nstr('div').nstr('a').nstr('b').nstr(null).bool(false).nstr(null).u8(0).nstr(null).build()));
  // Removing the newer of two records for one key brings the older one back, as on a broker restart.
  b.apply(rec(52n, 52, W().ss('#').ss('{"autoCreateQueues":false}').build()));
  b.delete(52n);
  const t = b.finish();
  assert.deepEqual(t.addressSettings.map((s) => [s.recordId, s.addressMatch, s.settings]), [
    [41n, 'orders.#', { maxDeliveryAttempts: 5 }],
    [42n, '#', { autoCreateQueues: true }],
  ]);
  assert.deepEqual(t.users.map((u) => [u.recordId, u.username, u.password]), [[44n, 'bob', 'h2']]);
  assert.deepEqual(t.roles.map((r) => [r.username, r.roles]), [['bob', ['amq']]]);
  assert.deepEqual(t.keyValues.map((k) => [k.mapId, k.key, k.value]), [['m', 'k', 'v1'], ['m', 'k2', 'v2']]);
  assert.deepEqual(t.connectors.map((c) => [c.name, c.url]), [['c', 'tcp://h:1']]);
  assert.deepEqual(t.securitySettings.map((s) => [s.addressMatch, s.roles.send]), [['#', 'amq']]);
  assert.deepEqual(t.groupBindings.map((g) => [g.groupId, g.clusterName]), [['g', 'cl']]);
  assert.deepEqual(t.diverts.map((v) => [v.name, v.address, v.forwardingAddress]), [['div', 'a', 'b']]);
});

test('format detection: 1.x queue bindings with 5 fields', () => {
  const b = new TopologyBuilder(new Diagnostics());
  b.apply(rec(3n, 21, queue1x('p2p.inbound')));
  const t = b.finish();
  assert.equal(t.format.artemis1x, true);
  assert.equal(t.format.reasons.length, 1);
  assert.match(t.format.reasons[0]!, /only the 5 base fields/);
  assert.equal(t.queues[0]!.fieldsPresent, 5);
  assert.equal(t.queues[0]!.routingType, 'MULTICAST'); // default for missing fields 6–8
  assert.equal(t.queues[0]!.user, null);
});

test('format detection: jms.queue./jms.topic. names without any address binding', () => {
  const b = new TopologyBuilder(new Diagnostics());
  // Even if a binding had more fields, the naming + missing address records are decisive.
  b.apply(rec(3n, 21, queue('jms.queue.DLQ', 'jms.queue.DLQ')));
  b.apply(rec(4n, 21, queue('jms.topic.news', 'jms.topic.news')));
  b.noteBindingsFiles(['activemq-bindings-1.bindings', 'activemq-jms-1.jms']);
  const t = b.finish();
  assert.equal(t.format.artemis1x, true);
  assert.match(t.format.reasons[0]!, /no address binding record, and 2 use the 1.x JMS prefixes/);
  assert.match(t.format.reasons[1]!, /legacy JMS journal present \(activemq-jms-1.jms\)/);
});

test('format detection: a legacy JMS journal alone, or jms.-prefixed 2.x addresses, are not 1.x', () => {
  const b = new TopologyBuilder(new Diagnostics());
  b.apply(rec(2n, 44, address('jms.queue.legacy', true)));
  b.apply(rec(3n, 21, queue('jms.queue.legacy', 'jms.queue.legacy', { anycast: true })));
  b.noteBindingsFiles(['activemq-jms-1.jms', 'activemq-jms-2.jms', 'activemq-bindings-1.bindings']);
  const t = b.finish();
  assert.equal(t.format.artemis1x, false);
  assert.equal(t.format.reasons.length, 1);
  assert.match(t.format.reasons[0]!, /only a weak hint/);

  const empty = new TopologyBuilder(new Diagnostics()).finish();
  assert.deepEqual(empty.format, { artemis1x: false, reasons: [] });
  assert.equal(empty.idCounter, null);
});
