import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../../journal/diagnostics.js';
import type { EffectiveRecord } from '../../journal/model/effective-record.js';
import { isPagingRecordType, PageCursorCollector } from '../../journal/paging/cursor-collector.js';
import { i32, i64 } from '../support/encode.js';

let offset = 0;
const rec = (id: bigint, userType: number, body: Buffer, isUpdate = false): EffectiveRecord => ({
  id,
  userType,
  body,
  isUpdate,
  file: 'journal/activemq-data-1.amq',
  offset: (offset += 40),
});
const pageTx = (id: bigint, tx: bigint, n: number, isUpdate = false) => rec(id, 35, Buffer.concat([i64(tx), i32(n)]), isUpdate);
const ack = (id: bigint, q: bigint, page: bigint, m: number) => rec(id, 39, Buffer.concat([i64(q), i64(page), i32(m)]));
const complete = (id: bigint, q: bigint, page: bigint, n: number) => rec(id, 42, Buffer.concat([i64(q), i64(page), i32(n)]));

test('only the paging user types are wanted', () => {
  assert.deepEqual(
    [30, 32, 35, 38, 39, 40, 41, 42, 43, 44, 45].filter(isPagingRecordType),
    [35, 39, 40, 41, 42, 43],
  );
});

test('page transactions: live, exhausted by updates, deleted, prepared, missing', () => {
  const c = new PageCursorCollector();
  c.apply(pageTx(100n, 13n, 5));
  c.apply(pageTx(101n, 14n, 2));
  c.apply(pageTx(102n, 15n, 1));
  // Updates find their transaction by the id in their body and subtract deliveries.
  c.apply(pageTx(101n, 14n, 1, true));
  c.apply(pageTx(101n, 14n, 1, true));
  c.apply(pageTx(100n, 13n, 2, true));
  assert.equal(c.delete(102n), true);
  assert.equal(c.delete(999n), false, 'unknown ids are not ours');
  c.addPrepared('1:aa:bb', pageTx(103n, 16n, 3), false);
  const s = c.finish();
  assert.deepEqual(s.pageTransaction(13n), { state: 'committed', recordId: 100n, remaining: 3 });
  assert.deepEqual(s.pageTransaction(14n), { state: 'exhausted', recordId: 101n, remaining: 0 });
  assert.deepEqual(s.pageTransaction(15n), { state: 'missing' });
  assert.deepEqual(s.pageTransaction(16n), { state: 'prepared', xidKey: '1:aa:bb' });
  assert.deepEqual(s.pageTransaction(-1n), { state: 'missing' });
  assert.equal(s.stats.pageTransactions, 2);
  assert.equal(s.stats.exhaustedPageTransactions, 1);
});

test('an update for an unknown page transaction is ignored with a warning, like the broker', () => {
  const d = new Diagnostics();
  const c = new PageCursorCollector(d);
  c.apply(pageTx(7n, 70n, 1, true));
  assert.deepEqual(c.finish().pageTransaction(70n), { state: 'missing' });
  assert.equal(d.list.length, 1);
  assert.equal(d.list[0]!.severity, 'warning');
});

test('cursor acks and page completion, with deletes', () => {
  const c = new PageCursorCollector();
  c.apply(ack(1n, 33n, 24n, 0));
  c.apply(ack(2n, 33n, 24n, 5));
  c.apply(ack(3n, 17n, 24n, 5));
  c.apply(complete(4n, 33n, 23n, 28));
  c.apply(complete(5n, 17n, 22n, 28));
  assert.equal(c.delete(2n), true);
  assert.equal(c.delete(5n), true);
  const s = c.finish();
  assert.equal(s.isAcked(33n, 24n, 0), true);
  assert.equal(s.isAcked(33n, 24, 0), true, 'page as a number works too');
  assert.equal(s.isAcked(33n, 24n, 5), false, 'deleted ack');
  assert.equal(s.isAcked(17n, 24n, 5), true);
  assert.equal(s.isAcked(17n, 24n, 0), false, 'acks are per queue');
  assert.equal(s.isPageComplete(33n, 23n), true);
  assert.equal(s.isPageComplete(17n, 22n), false, 'deleted completion');
  assert.equal(s.isConsumed(33n, 23, 1000), true, 'a complete page covers every message number');
  assert.equal(s.isConsumed(33n, 24, 1), false);
  assert.deepEqual([s.stats.acks, s.stats.completePages], [2, 1]);
});

test('prepared acks make positions in doubt, prepared deletes change nothing', () => {
  const c = new PageCursorCollector();
  c.apply(ack(1n, 33n, 3n, 1));
  c.addPrepared('x1', ack(10n, 33n, 3n, 2), false);
  c.addPrepared('x2', complete(11n, 17n, 4n, 9), false);
  c.addPrepared('x1', rec(1n, 0, Buffer.alloc(0)), true);
  const s = c.finish();
  assert.equal(s.isAcked(33n, 3n, 1), true, 'a prepared delete of an ack takes effect only at commit');
  assert.equal(s.preparedAck(33n, 3n, 2), 'x1');
  assert.equal(s.isAcked(33n, 3n, 2), false);
  assert.equal(s.preparedAck(17n, 4n, 7), 'x2');
  assert.equal(s.preparedAck(33n, 3n, 1), null);
  assert.deepEqual([s.stats.preparedAcks, s.stats.preparedCompletePages], [1, 1]);
});

test('page counters: value + increments, both with and without persistentSize', () => {
  const c = new PageCursorCollector();
  c.apply(rec(1n, 40, Buffer.concat([i64(24n), i64(2164n), i64(1000n)])));
  c.apply(rec(2n, 41, Buffer.concat([i64(24n), i32(10), i64(20n)])));
  c.apply(rec(3n, 41, Buffer.concat([i64(24n), i32(-4)])));
  c.apply(rec(4n, 40, Buffer.concat([i64(33n), i64(7n)])));
  c.apply(rec(5n, 43, Buffer.concat([i64(33n), i64(12n)])));
  c.apply(rec(6n, 41, Buffer.concat([i64(24n), i32(100)])));
  assert.equal(c.delete(6n), true);
  const s = c.finish();
  assert.deepEqual(s.counter(24n), { value: 2164n, increments: 6n, total: 2170n, persistentSize: 1020n, pendingPages: [] });
  assert.deepEqual(s.counter(33n), { value: 7n, increments: 0n, total: 7n, persistentSize: 0n, pendingPages: [12n] });
  assert.equal(s.counter(1n), null);
});

test('an undecodable paging record is reported as an error and ignored', () => {
  const d = new Diagnostics();
  const c = new PageCursorCollector(d);
  c.apply(rec(1n, 39, Buffer.alloc(7)));
  const s = c.finish();
  assert.equal(s.stats.undecodable, 1);
  assert.equal(s.stats.acks, 0);
  assert.equal(d.list[0]!.severity, 'error');
  assert.equal(d.list[0]!.file, 'journal/activemq-data-1.amq');
  assert.equal(c.delete(1n), false);
});
