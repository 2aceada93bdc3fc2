/**
 * The drain's small parts on their own: settings from flags and the drain pod's environment,
 * target discovery from DNS (a fake resolver), the restart state file, the termination message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveDrainOptions, OptionsError } from '../../drainer/drain/options.js';
import { discoverTargets, type Resolver } from '../../drainer/target/discovery.js';
import { DrainState } from '../../drainer/drain/state-file.js';
import { terminationMessage } from '../../drainer/drain/reconcile.js';

test('settings: flags win over the drain pod environment, which wins over defaults', () => {
  const env = {
    AMQ_DATA_DIR: '/opt/amq/data',
    AMQ_NAME: 'broker',
    POD_NAMESPACE: 'msg',
    HOSTNAME: 'broker-ss-2',
    DRAINER_HOST: '10.0.0.7',
    AMQ_USER: 'admin',
    AMQ_PASSWORD: 'secret-a',
    AMQ_CLUSTER_USER: 'cluster',
    AMQ_CLUSTER_PASSWORD: 'secret-c',
  };
  const o = resolveDrainOptions({}, env);
  assert.equal(o.dataDir, '/opt/amq/data');
  assert.equal(o.headlessService, 'broker-amq-headless');
  assert.equal(o.namespace, 'msg');
  assert.equal(o.podName, 'broker-ss-2');
  assert.equal(o.podIp, '10.0.0.7');
  assert.deepEqual(o.credentials.map((c) => [c.source, c.user, c.password]), [
    ['AMQ_USER', 'admin', 'secret-a'],
    ['AMQ_CLUSTER_USER', 'cluster', 'secret-c'],
  ]);
  assert.equal(o.stateDir, path.resolve('/opt/amq/data/.artemis-drainer'));
  assert.equal(o.waitForTargetMs, 600_000);
  const f = resolveDrainOptions({ headlessService: 'other-hdls', target: 'amqp://a:5672,amqps://b:5671', window: '10' }, { ...env, HEADLESS_SVC_NAME: 'env-hdls' }, '/copy');
  assert.equal(f.dataDir, path.resolve('/copy'));
  assert.equal(f.headlessService, 'other-hdls');
  assert.deepEqual(f.targets, ['amqp://a:5672', 'amqps://b:5671']);
  assert.equal(f.window, 10);
  assert.equal(resolveDrainOptions({}, { ...env, HEADLESS_SVC_NAME: 'env-hdls' }).headlessService, 'env-hdls');
});

test('settings: a password file is read, bad values are usage errors', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drainer-opts-'));
  fs.writeFileSync(path.join(dir, 'pw'), 'from-file\n');
  const o = resolveDrainOptions({ user: 'u', passwordFile: path.join(dir, 'pw') }, {}, '/d');
  assert.deepEqual(o.credentials.map((c) => [c.source, c.user, c.password]), [['--user', 'u', 'from-file']]);
  assert.throws(() => resolveDrainOptions({}, {}), OptionsError);
  assert.throws(() => resolveDrainOptions({ target: 'http://x' }, {}, '/d'), OptionsError);
  assert.throws(() => resolveDrainOptions({ window: '0' }, {}, '/d'), OptionsError);
  assert.throws(() => resolveDrainOptions({ sasl: 'KERBEROS' }, {}, '/d'), OptionsError);
});

test('discovery: SRV then A records of the headless service, this pod excluded, deterministic order', async () => {
  const lookedUp: string[] = [];
  const resolver: Resolver = {
    resolveSrv: async (name: string) => {
      lookedUp.push(name);
      if (name === '_amqp._tcp.hdls.ns.svc.cluster.local') {
        return [
          { name: 'broker-ss-1.hdls.ns.svc.cluster.local', port: 5672, priority: 0, weight: 1 },
          { name: 'broker-ss-2.hdls.ns.svc.cluster.local', port: 5672, priority: 0, weight: 1 },
          { name: 'broker-ss-0.hdls.ns.svc.cluster.local', port: 5672, priority: 0, weight: 1 },
        ];
      }
      throw Object.assign(new Error('no'), { code: 'ENOTFOUND' });
    },
    resolve4: async () => ['10.0.0.9', '10.0.0.7', '10.0.0.3'],
    resolve6: async () => {
      throw Object.assign(new Error('no'), { code: 'ENODATA' });
    },
  } as unknown as Resolver;
  const o = resolveDrainOptions({ headlessService: 'hdls', namespace: 'ns', podName: 'broker-ss-2', podIp: '10.0.0.7', port: '61616' }, {}, '/d');
  const r = await discoverTargets(o, resolver);
  assert.deepEqual(
    r.candidates.map((c) => c.url),
    [
      'amqp://broker-ss-0.hdls.ns.svc.cluster.local:5672',
      'amqp://broker-ss-1.hdls.ns.svc.cluster.local:5672',
      'amqp://10.0.0.3:61616',
      'amqp://10.0.0.9:61616',
    ],
  );
  assert.ok(r.lookups.some((l) => l.type === 'AAAA' && l.result === 'ENODATA'), 'failed lookups are reported, not fatal');
  assert.ok(lookedUp.includes('_amqp._tcp.hdls.ns.svc.cluster.local'));
});

test('discovery: explicit targets are used as given', async () => {
  const o = resolveDrainOptions({ target: 'amqps://b.example:5671,amqp://[::1]:5672' }, {}, '/d');
  const r = await discoverTargets(o);
  assert.deepEqual(r.candidates.map((c) => [c.url, c.host, c.port, c.tls]), [
    ['amqps://b.example:5671', 'b.example', 5671, true],
    ['amqp://[::1]:5672', '::1', 5672, false],
  ]);
});

test('state file: confirmations survive a restart; out-of-order settlements; changed data voids it', () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'drainer-data-'));
  fs.mkdirSync(path.join(data, 'journal'));
  fs.writeFileSync(path.join(data, 'journal', 'activemq-data-1.amq'), 'x');
  const stateDir = path.join(data, '.artemis-drainer');
  const s1 = DrainState.open(stateDir, data);
  assert.equal(s1.resetReason, null);
  for (const p of [0, 1, 3, 5]) s1.confirm('q', p);
  s1.flush(true);
  const s2 = DrainState.open(stateDir, data);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((p) => s2.isConfirmed('q', p)), [true, true, false, true, false, true]);
  assert.equal(s2.confirmedCount('q'), 4);
  s2.confirm('q', 2);
  s2.flush(true);
  const doc = JSON.parse(fs.readFileSync(path.join(stateDir, 'drain-state.json'), 'utf8'));
  assert.deepEqual(doc.queues.q, { prefix: 4, beyond: [5] });
  // the broker's files changed: progress recorded against the old content is void
  fs.writeFileSync(path.join(data, 'journal', 'activemq-data-1.amq'), 'changed!');
  const s3 = DrainState.open(stateDir, data);
  assert.match(s3.resetReason!, /changed/);
  assert.equal(s3.isConfirmed('q', 0), false);
  // a corrupt state file is reported and ignored, never trusted
  fs.writeFileSync(path.join(stateDir, 'drain-state.json'), '{not json');
  assert.match(DrainState.open(stateDir, data).resetReason!, /unreadable/);
});

test('termination message: problem queues first, within 4 KiB', () => {
  const rows = Array.from({ length: 300 }, (_, i) => ({ queue: `q${i}`, pending: 10, confirmed: 10, inDoubt: 0, unreadable: 0, rejected: 0 }));
  rows.push({ queue: 'bad', pending: 10, confirmed: 3, inDoubt: 0, unreadable: 0, rejected: 0 });
  const text = terminationMessage(24, 'deadline', rows);
  assert.ok(text.length <= 4096);
  assert.match(text.split('\n')[2]!, /^bad 10 3/);
});
