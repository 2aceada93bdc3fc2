import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../../journal/binary/reader.js';
import { decodeAddressBinding } from '../../journal/bindings/address-binding.js';
import { decodeAddressSettingBinary, decodeAddressSettingJson } from '../../journal/bindings/address-settings.js';
import { decodeBridge } from '../../journal/bindings/bridge.js';
import { decodeConnector } from '../../journal/bindings/connector.js';
import { decodeDivert } from '../../journal/bindings/divert.js';
import { decodeGroupRecord } from '../../journal/bindings/group-record.js';
import { decodeIdCounter } from '../../journal/bindings/id-counter.js';
import { decodeKeyValue } from '../../journal/bindings/key-value.js';
import { decodeQueueBinding } from '../../journal/bindings/queue-binding.js';
import { decodeSecuritySetting } from '../../journal/bindings/security-settings.js';
import { decodeStatusRecord } from '../../journal/bindings/status-records.js';
import { decodeRole, decodeUser } from '../../journal/bindings/users-roles.js';
import { PayloadWriter } from './payload-writer.js';

const W = (): PayloadWriter => new PayloadWriter();

test('address binding: spec §4.4 example 2 (activemq.notifications, 2.44.0)', () => {
  const body = W().ss('activemq.notifications').i32(1).u8(0).bool(false).bool(false).build();
  assert.equal(body.length, 55); // bodySize in the example
  assert.deepEqual(decodeAddressBinding(body), {
    name: 'activemq.notifications',
    routingTypes: ['MULTICAST'],
    autoCreated: false,
    internal: false,
    internalPresent: true,
  });
});

test('address binding: both routing types, pre-2.31 layout without internal, duplicates', () => {
  const a = decodeAddressBinding(W().ss('orders').i32(2).u8(1).u8(0).bool(true).build());
  assert.deepEqual(a, { name: 'orders', routingTypes: ['MULTICAST', 'ANYCAST'], autoCreated: true, internal: false, internalPresent: false });
  const b = decodeAddressBinding(W().ss('x').i32(2).u8(1).u8(1).bool(false).bool(true).build());
  assert.deepEqual(b.routingTypes, ['ANYCAST']);
  assert.equal(b.internal, true);
  assert.deepEqual(decodeAddressBinding(W().ss('none').i32(0).bool(false).build()).routingTypes, []);
});

test('address binding: hostile payloads are DecodeErrors', () => {
  assert.throws(() => decodeAddressBinding(W().ss('a').i32(1).u8(5).bool(false).build()), /invalid routing type byte 5/);
  assert.throws(() => decodeAddressBinding(W().ss('a').i32(-1).bool(false).build()), /negative routing type count/);
  assert.throws(() => decodeAddressBinding(W().ss('a').i32(0x7fffffff).u8(0).build()), DecodeError);
  assert.throws(() => decodeAddressBinding(W().ss('a').i32(1).u8(0).build()), DecodeError); // no autoCreated
});

test('status records, id counter (spec §4.4 example 1), group record', () => {
  assert.deepEqual(decodeStatusRecord(W().i64(42n).i16(0).build()), { targetId: 42n, status: 'PAUSED', rawStatus: 0 });
  assert.deepEqual(decodeStatusRecord(W().i64(7n).i16(1).build()), { targetId: 7n, status: 'RUNNING', rawStatus: 1 });
  assert.deepEqual(decodeStatusRecord(W().i64(7n).i16(9).build()), { targetId: 7n, status: null, rawStatus: 9 });
  assert.throws(() => decodeStatusRecord(W().i64(7n).build()), DecodeError);
  assert.equal(decodeIdCounter(Buffer.from('000000007fffffff', 'hex')), 0x7fffffffn);
  assert.equal(decodeIdCounter(W().i64(-2n).build()), -2n);
  assert.throws(() => decodeIdCounter(Buffer.alloc(7)), DecodeError);
  assert.deepEqual(decodeGroupRecord(W().ss('grp-1').ss('cluster-a').build()), { groupId: 'grp-1', clusterName: 'cluster-a' });
  assert.throws(() => decodeGroupRecord(W().ss('grp-1').build()), DecodeError);
});

test('address settings JSON (52)', () => {
  const json = '{"addressFullMessagePolicy":"PAGE","maxSizeBytes":10485760,"deadLetterAddress":"DLQ","autoCreateQueues":true}';
  const s = decodeAddressSettingJson(W().ss('orders.#').ss(json).build());
  assert.equal(s.addressMatch, 'orders.#');
  assert.equal(s.source, 'json');
  assert.equal(s.json, json);
  assert.deepEqual(s.settings, { addressFullMessagePolicy: 'PAGE', maxSizeBytes: 10485760, deadLetterAddress: 'DLQ', autoCreateQueues: true });
  assert.throws(() => decodeAddressSettingJson(W().ss('#').ss('{"a":').build()), /invalid JSON/);
  assert.throws(() => decodeAddressSettingJson(W().ss('#').ss('[1]').build()), /not an object/);
  assert.throws(() => decodeAddressSettingJson(W().ss('#').build()), DecodeError);
});

/** Legacy binary address settings up to and including the two routing-type bytes. */
function binarySettings(withConfigDelete: boolean): PayloadWriter {
  const w = W().ss('queues.#');
  w.nss('PAGE').nlong(2048n, 0xff).nlong(1024n, 0xff).nint(null).nbool(null) // policy, maxSize, pageSize, pageCache, dropWhenFull
    .nint(5, 0xff).nint(null).nlong(1000n, 0xff).ndouble(2.5).nlong(null) // maxDelivery, counterDays, redeliveryDelay, multiplier, maxRedeliveryDelay
    .nss('DLQ').nss('ExpiryQueue').nlong(null).nbool(true, 0xff).nlong(null) // DLA, expiry, expiryDelay, LVQ, redistribution
    .nbool(null).nlong(null).nlong(null).nss('NOTIFY') // sendToDLAOnNoRoute, slowThreshold, slowCheck, slowPolicy
    .nbool(null).nbool(null).nbool(null).nbool(null).nbool(true, 0xff).nbool(false, 0xff); // jms x4, autoCreateQueues, autoDeleteQueues
  if (withConfigDelete) w.nss('OFF');
  w.nbool(true, 0xff).nbool(null); // autoCreateAddresses, autoDeleteAddresses
  if (withConfigDelete) w.nss('FORCE');
  w.nint(200, 0xff).nlong(null).nint(-1, 0xff).nbool(null).u8(1).u8(0); // browsePageSize … default routing types
  return w;
}

test('address settings binary (25): fixed part, optional trailing fields, compatibility mode', () => {
  const s = decodeAddressSettingBinary(binarySettings(true).nbool(true, 0xff).nint(2, 0xff).build());
  assert.equal(s.addressMatch, 'queues.#');
  assert.equal(s.source, 'binary');
  assert.equal(s.compatibilityMode, false);
  assert.deepEqual(s.settings, {
    addressFullMessagePolicy: 'PAGE',
    maxSizeBytes: 2048n,
    pageSizeBytes: 1024,
    maxDeliveryAttempts: 5,
    redeliveryDelay: 1000n,
    redeliveryMultiplier: 2.5,
    deadLetterAddress: 'DLQ',
    expiryAddress: 'ExpiryQueue',
    defaultLastValueQueue: true,
    slowConsumerPolicy: 'NOTIFY',
    autoCreateQueues: true,
    autoDeleteQueues: false,
    configDeleteQueues: 'OFF',
    autoCreateAddresses: true,
    configDeleteAddresses: 'FORCE',
    managementBrowsePageSize: 200,
    defaultMaxConsumers: -1,
    defaultQueueRoutingType: 'ANYCAST',
    defaultAddressRoutingType: 'MULTICAST',
    defaultExclusiveQueue: true,
    defaultConsumersBeforeDispatch: 2,
  });

  // A writer that left out the config-delete strings: the normal decode misaligns, the
  // compatible one succeeds (as in the broker).
  const c = decodeAddressSettingBinary(binarySettings(false).build());
  assert.equal(c.compatibilityMode, true);
  assert.equal(c.settings['configDeleteQueues'], undefined);
  assert.equal(c.settings['autoCreateAddresses'], true);
  assert.equal(c.settings['managementBrowsePageSize'], 200);
  assert.equal(c.settings['defaultQueueRoutingType'], 'ANYCAST');

  assert.throws(() => decodeAddressSettingBinary(binarySettings(true).build().subarray(0, 40)), DecodeError);
  assert.throws(() => decodeAddressSettingBinary(W().ss('#').nss('NOT_A_POLICY').build()), DecodeError);
});

test('security setting (26): 10 role lists, and 12 with view/edit (2.33+)', () => {
  const ten = W().ss('#').nss('amq').nss('amq,guest').nss(null).nss(null).nss('amq').nss('amq').nss('admin').nss('amq').nss(null).nss(null);
  const s = decodeSecuritySetting(ten.build());
  assert.equal(s.addressMatch, '#');
  assert.deepEqual(s.roles, {
    send: 'amq',
    consume: 'amq,guest',
    createDurableQueue: null,
    deleteDurableQueue: null,
    createNonDurableQueue: 'amq',
    deleteNonDurableQueue: 'amq',
    manage: 'admin',
    browse: 'amq',
    createAddress: null,
    deleteAddress: null,
  });
  const twelve = decodeSecuritySetting(ten.nss('viewer').nss(null).build());
  assert.equal(twelve.roles.view, 'viewer');
  assert.equal(twelve.roles.edit, null);
  assert.throws(() => decodeSecuritySetting(W().ss('#').u8(1).build()), DecodeError);
});

test('divert (27) with transformer properties', () => {
  const body = W().nstr('div1').nstr('orders').nstr('orders.audit').nstr('route-xyz-0123456789').bool(true).nstr("priority > 4")
    .u8(2).nstr('org.example.Transformer').i32(2).nstr('k1').nstr('v1').nstr('k2').nstr(null).build();
  assert.deepEqual(decodeDivert(body), {
    name: 'div1',
    address: 'orders',
    forwardingAddress: 'orders.audit',
    routingName: 'route-xyz-0123456789',
    exclusive: true,
    filter: 'priority > 4',
    routingType: 'STRIP',
    transformer: { className: 'org.example.Transformer', properties: [['k1', 'v1'], ['k2', null]] },
  });
  const noTransformer = W().nstr('d').nstr(null).nstr(null).nstr(null).bool(false).nstr(null).u8(3).nstr(null).build();
  assert.equal(decodeDivert(noTransformer).transformer, null);
  assert.equal(decodeDivert(noTransformer).routingType, 'PASS');
  const hostile = W().nstr('d').nstr(null).nstr(null).nstr(null).bool(false).nstr(null).u8(0).nstr('T').i32(0x7fffffff).build();
  assert.throws(() => decodeDivert(hostile), DecodeError);
});

function bridgeBody(trailing: boolean): PayloadWriter {
  const w = W().nstr('bridge-1').nstr('bridge-1-parent').nstr('orders').nstr('remote.orders').nstr(null).nstr(null)
    .nbool(true).nlong(2000n).ndouble(1.5).nint(-1).nint(10).nint(null).nbool(true).nint(1048576).nint(null).nlong(30000n)
    .nstr('user1').nstr('secret').nlong(60000n).nlong(null).nint(102400).nlong(null).nint(1).nbool(false)
    .u8(3).nstr(null).i32(2).nstr('connector-a').nstr(null);
  if (trailing) w.nlong(5000n).nstr('client-7');
  return w;
}

test('bridge (28): all fields, with and without the optional trailing fields', () => {
  const b = decodeBridge(bridgeBody(true).build());
  assert.deepEqual(b, {
    name: 'bridge-1',
    parentName: 'bridge-1-parent',
    queueName: 'orders',
    forwardingAddress: 'remote.orders',
    filter: null,
    discoveryGroupName: null,
    ha: true,
    retryInterval: 2000n,
    retryIntervalMultiplier: 1.5,
    initialConnectAttempts: -1,
    reconnectAttempts: 10,
    reconnectAttemptsOnSameNode: null,
    useDuplicateDetection: true,
    confirmationWindowSize: 1048576,
    producerWindowSize: null,
    clientFailureCheckPeriod: 30000n,
    user: 'user1',
    password: 'secret',
    connectionTTL: 60000n,
    maxRetryInterval: null,
    minLargeMessageSize: 102400,
    callTimeout: null,
    concurrency: 1,
    configurationManaged: false,
    routingType: 'PASS',
    transformer: null,
    staticConnectors: ['connector-a', null],
    pendingAckTimeout: 5000n,
    clientId: 'client-7',
  });
  const old = decodeBridge(bridgeBody(false).build());
  assert.equal(old.pendingAckTimeout, null);
  assert.equal(old.clientId, null);
  assert.throws(() => decodeBridge(bridgeBody(false).build().subarray(0, 60)), DecodeError);
});

test('users, roles, key-value pairs, connectors: all three §1.6 string encodings', () => {
  const short = 'bob'; // < 9 chars: raw UTF-16 units
  const medium = 'ENC(5493dd76567ee5ec269d11823973462f)'; // < 4095: UTF
  const long = 'x'.repeat(5000) + 'é'; // ≥ 4095: SimpleString
  assert.deepEqual(decodeUser(W().str(short).str(medium).build()), { username: short, password: medium });
  assert.deepEqual(decodeUser(W().str('ü€').str(long).build()), { username: 'ü€', password: long });
  assert.deepEqual(decodeRole(W().str(short).i32(2).str('amq').str('operators-group').build()), { username: short, roles: ['amq', 'operators-group'] });
  assert.deepEqual(decodeRole(W().str(short).i32(0).build()), { username: short, roles: [] });
  assert.throws(() => decodeRole(W().str(short).i32(-1).build()), /negative role count/);
  assert.throws(() => decodeRole(W().str(short).i32(1000000).build()), DecodeError);
  assert.deepEqual(decodeKeyValue(W().str('router-1').str('client-9').str('broker-b').build()), { mapId: 'router-1', key: 'client-9', value: 'broker-b' });
  assert.deepEqual(decodeConnector(W().str('remote').str('tcp://10.0.0.5:61616?ha=true').build()), { name: 'remote', url: 'tcp://10.0.0.5:61616?ha=true' });
  assert.throws(() => decodeConnector(W().str('remote').build()), DecodeError);
  assert.throws(() => decodeUser(W().i32(-5).build()), DecodeError);
});

test('every decoder: random and truncated payloads only ever throw DecodeError', () => {
  const decoders: Array<[string, (b: Buffer) => unknown]> = [
    ['queue', decodeQueueBinding],
    ['address', decodeAddressBinding],
    ['status', decodeStatusRecord],
    ['idCounter', decodeIdCounter],
    ['group', decodeGroupRecord],
    ['settingsJson', decodeAddressSettingJson],
    ['settingsBinary', decodeAddressSettingBinary],
    ['security', decodeSecuritySetting],
    ['divert', decodeDivert],
    ['bridge', decodeBridge],
    ['user', decodeUser],
    ['role', decodeRole],
    ['keyValue', decodeKeyValue],
    ['connector', decodeConnector],
  ];
  // Deterministic PRNG (mulberry32) so a failure is reproducible.
  let seed = 0x5eed;
  const rnd = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const valid = [bridgeBody(true).build(), binarySettings(true).build(), W().ss('q').ss('a').nss(null).nss('user=x;').bool(true).i32(1).bool(false).u8(1).build()];
  const samples: Buffer[] = [];
  for (let i = 0; i < 400; i++) {
    const len = Math.floor(rnd() * 64);
    // Small values in length fields make deep decoding likely; mix with random bytes.
    samples.push(Buffer.from(Array.from({ length: len }, () => (rnd() < 0.6 ? Math.floor(rnd() * 4) : Math.floor(rnd() * 256)))));
  }
  for (const v of valid) for (let l = 0; l < v.length; l++) samples.push(v.subarray(0, l));
  for (const v of valid) for (let i = 0; i < 50; i++) {
    const m = Buffer.from(v);
    m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
    samples.push(m);
  }
  for (const [name, decode] of decoders) {
    for (const s of samples) {
      try {
        decode(s);
      } catch (e) {
        assert.ok(e instanceof DecodeError, `${name} threw ${(e as Error).name}: ${(e as Error).message} on ${s.toString('hex')}`);
      }
    }
  }
});
