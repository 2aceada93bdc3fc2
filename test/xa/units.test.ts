/** Units of the in-doubt handling: routing per policy, the parked envelope, Xid selection, options. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import rhea from 'rhea';
import type { QueueEntry, QueueSummary } from '../../journal/data-directory.js';
import { parkTotal, queueTotal, routeOf } from '../../drainer/prepared/policy.js';
import { parkDuplicateId, parkEnvelope } from '../../drainer/prepared/park-message.js';
import { readParkAnnotations } from '../../drainer/prepared/park-annotations.js';
import { checkAndRecordPolicy } from '../../drainer/prepared/policy-record.js';
import { readOutgoing } from '../../drainer/convert/outgoing-bytes.js';
import { readParked, forwards } from '../../drainer/resolve/parked-message.js';
import { parseXidSelector, selects, XidSelectorError } from '../../drainer/resolve/xid-selector.js';
import { resolveDrainOptions, OptionsError } from '../../drainer/drain/options.js';
import { resolveResolveOptions } from '../../drainer/resolve/resolve-options.js';

const entry = (state: QueueEntry['state'], deliveryCount = 2) => ({ state, deliveryCount }) as QueueEntry;

test('routeOf: where each entry goes under each policy, and with which delivery count', () => {
  const table = {
    park: [{ to: 'queue', deliveryCount: 2 }, { to: 'park', deliveryCount: 2 }, { to: 'park', deliveryCount: 3 }],
    commit: [{ to: 'queue', deliveryCount: 2 }, { to: 'queue', deliveryCount: 2 }, { to: 'none' }],
    rollback: [{ to: 'queue', deliveryCount: 2 }, { to: 'none' }, { to: 'queue', deliveryCount: 3 }],
    fail: [{ to: 'queue', deliveryCount: 2 }, { to: 'none' }, { to: 'none' }],
  } as const;
  for (const [policy, want] of Object.entries(table)) {
    const got = (['pending', 'in-doubt-send', 'in-doubt-ack'] as const).map((s) => routeOf(entry(s), policy as keyof typeof table));
    assert.deepEqual(got, want, policy);
  }
  const s = { messageCount: 5, inDoubtSends: 2, inDoubtAcks: 3 } as QueueSummary;
  assert.deepEqual((['park', 'commit', 'rollback', 'fail'] as const).map((p) => [queueTotal(s, p), parkTotal(s, p)]), [[5, 5], [7, 0], [8, 0], [5, 0]]);
});

test('the parked envelope: annotations and payload read back exactly (through rhea, as resolve reads it)', async () => {
  const inner = Buffer.concat([Buffer.of(0x00, 0x53, 0x70, 0x45), Buffer.of(0x00, 0x53, 0x77, 0xa1, 0x02, 0x68, 0x69)]);
  const xid = { formatId: 131077, globalTransactionId: Buffer.from('gtrid'), branchQualifier: Buffer.alloc(0) };
  const info = { xidKey: `131077:${Buffer.from('gtrid').toString('hex')}:`, xid, operation: 'ack' as const, address: 'a', queue: 'q', routingType: 'MULTICAST' as const, sourceNode: 'node', messageId: 12345678901234n, deliveryCount: 4 };
  const env = parkEnvelope({ parts: [{ kind: 'buffer', data: inner }], size: inner.length, format: 7, duplicateId: 'x', durable: true, priority: 4 }, info);
  const raw = await readOutgoing(env);
  const m = rhea.message.decode(raw);
  const parked = readParked(m as never)!;
  assert.ok(parked.payload.equals(inner), 'the enclosed bytes are untouched');
  assert.deepEqual({ ...parked.info, xid: { ...parked.info.xid!, globalTransactionId: parked.info.xid!.globalTransactionId.toString(), branchQualifier: parked.info.xid!.branchQualifier.length } }, {
    ...info,
    xid: { formatId: 131077, globalTransactionId: 'gtrid', branchQualifier: 0 },
    messageFormat: 7,
  });
  assert.equal((m.application_properties as Record<string, unknown>)['_AMQ_DUPL_ID'], parkDuplicateId(info));
  assert.equal(m.durable, true);
  assert.equal(m.ttl, undefined);
  assert.equal(forwards(parked.info, 'rollback'), true);
  assert.equal(forwards(parked.info, 'commit'), false);
  assert.equal(readParkAnnotations({ 'x-opt-drainer-xid': 'k' }), null, 'incomplete annotations are not a parked message');
  assert.equal(readParked(rhea.message.decode(rhea.message.encode({ body: 'x' })) as never), null);
});

test('Xid selection: full key, gtrid alone (every branch), --all; malformed input refused', () => {
  const info = (key: string, gtrid: string) => ({ xidKey: key, xid: { formatId: 1, globalTransactionId: Buffer.from(gtrid, 'hex'), branchQualifier: Buffer.alloc(0) } }) as never;
  const a = info('1:aa:01', 'aa');
  const b = info('1:bb:01', 'bb');
  assert.deepEqual([a, b].map((x) => selects(parseXidSelector('1:AA:01', false), x)), [true, false]);
  assert.deepEqual([a, b].map((x) => selects(parseXidSelector('bb', false), x)), [false, true]);
  assert.deepEqual([a, b].map((x) => selects(parseXidSelector(undefined, true), x)), [true, true]);
  for (const bad of ['xyz', '1:aa', 'abc']) assert.throws(() => parseXidSelector(bad, false), XidSelectorError, bad);
  assert.throws(() => parseXidSelector('aa', true), XidSelectorError);
  assert.throws(() => parseXidSelector(undefined, false), XidSelectorError);
});

test('options: park is the default, env fallback, bad values are usage errors', () => {
  assert.equal(resolveDrainOptions({}, {}, '/d').preparedTransactions, 'park');
  assert.equal(resolveDrainOptions({}, {}, '/d').parkQueue, 'drainer.in-doubt');
  const env = { DRAINER_PREPARED_TRANSACTIONS: 'rollback', DRAINER_PARK_QUEUE: 'p' };
  assert.deepEqual([resolveDrainOptions({}, env, '/d').preparedTransactions, resolveDrainOptions({}, env, '/d').parkQueue], ['rollback', 'p']);
  assert.equal(resolveDrainOptions({ preparedTransactions: 'commit' }, env, '/d').preparedTransactions, 'commit');
  assert.throws(() => resolveDrainOptions({ preparedTransactions: 'maybe' }, {}, '/d'), OptionsError);
  assert.throws(() => resolveDrainOptions({ parkQueue: 'a::b' }, {}, '/d'), OptionsError);
  assert.equal(resolveResolveOptions({ list: true }, {}).decision, null);
  assert.equal(resolveResolveOptions({ all: true, rollback: true }, {}).decision, 'rollback');
  assert.throws(() => resolveResolveOptions({ all: true }, {}), OptionsError);
  assert.throws(() => resolveResolveOptions({ list: true, commit: true }, {}), OptionsError);
});

test('the policy record: a re-run with another policy is refused; fail never is', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drainer-policy-'));
  assert.equal(checkAndRecordPolicy(dir, 'fail', 'p', false), null);
  assert.equal(checkAndRecordPolicy(dir, 'park', 'p', false), null, 'fail moved nothing: any policy may follow');
  assert.equal(checkAndRecordPolicy(dir, 'park', 'p', false), null);
  assert.match(checkAndRecordPolicy(dir, 'commit', 'p', false) ?? '', /--prepared-transactions=park \(into p\)/);
  assert.match(checkAndRecordPolicy(dir, 'park', 'other', false) ?? '', /park/);
  assert.equal(checkAndRecordPolicy(dir, 'fail', 'p', false), null);
  assert.equal(checkAndRecordPolicy(dir, 'commit', 'p', true), null, 'earlier progress discarded: so is the record');
  assert.match(checkAndRecordPolicy(dir, 'rollback', 'p', false) ?? '', /commit/);
});

test('a large message is parked as a stream: the envelope encloses exactly the bytes its queue would get', async () => {
  const { ArtemisDataDirectory } = await import('../../journal/data-directory.js');
  const { toOutgoing } = await import('../../drainer/convert/to-outgoing.js');
  const { scenarios } = await import('../support/fixtures.js');
  const s = scenarios().find((x) => x.version === 'artemis-2.44.0' && x.name === 'f_large_messages')!;
  const data = await ArtemisDataDirectory.open(s.dataDir);
  try {
    let checked = 0;
    let fileParts = 0;
    for (const q of data.queues) {
      for await (const e of data.entries(q)) {
        if (!e.large) continue;
        const ctx = { sourceNodeId: 'n', queue: q.name, address: q.address, routingType: q.routingType, deliveryCount: 1, scheduledTime: 0, now: Date.now() };
        const inner = await toOutgoing(e.load()!, ctx);
        const env = parkEnvelope(await toOutgoing(e.load()!, ctx), { xidKey: 'tx:1', xid: null, operation: 'send', address: q.address, queue: q.name, routingType: q.routingType, sourceNode: 'n', messageId: e.messageId, deliveryCount: 1 });
        assert.deepEqual(env.parts.slice(1), inner.parts, 'the enclosed parts are passed through (file regions stay file regions)');
        fileParts += inner.parts.filter((p) => p.kind !== 'buffer').length;
        const parked = readParked(rhea.message.decode(await readOutgoing(env)) as never)!;
        assert.ok(parked.payload.equals(await readOutgoing(inner)), `${q.name}/${e.messageId}`);
        assert.equal(parked.info.xid, null);
        checked++;
      }
    }
    assert.ok(checked >= 3, `large messages checked: ${checked}`);
    assert.ok(fileParts > 0, 'some were streamed from their files');
  } finally {
    data.close();
  }
});
