import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Diagnostics } from '../../journal/diagnostics.js';
import type { EffectiveRecord } from '../../journal/model/effective-record.js';
import { PageCursorCollector } from '../../journal/paging/cursor-collector.js';
import { findPageStores } from '../../journal/paging/page-store.js';
import { countPaged, iteratePagedMessages, type PagedEntry, type PagingInput } from '../../journal/paging/pending.js';
import { i32, i64 } from '../support/encode.js';
import { coreMessage, pagedMessage, pageRecord, tempDir } from './build.js';

const rec = (id: bigint, userType: number, body: Buffer): EffectiveRecord => ({ id, userType, body, isUpdate: false, file: 'journal/j.amq', offset: 0 });

/** A page store for address "addr" with queues 1 and 2 (queue 3 no longer exists). */
function setup() {
  const dataDir = tempDir('pending');
  const folder = path.join(dataDir, 'paging', 'f');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'address.txt'), 'addr\n');
  const msg = (tx: bigint, id: bigint, queues: bigint[], durable = true) =>
    pageRecord(pagedMessage(tx, coreMessage({ id, durable, priority: Number(id % 10n), fixtureId: `m${id}` }), queues));
  const damaged = pagedMessage(-1n, coreMessage({ id: 55n }), [1n]);
  damaged.writeInt8(7, 8); // largeMessageType 7
  fs.writeFileSync(
    path.join(folder, '000000005.page'),
    Buffer.concat([
      msg(-1n, 50n, [1n, 2n]), // 0: pending on both
      msg(50n, 51n, [1n]), // 1: committed page transaction
      msg(51n, 52n, [1n, 2n]), // 2: page transaction missing
      msg(52n, 53n, [1n, 2n]), // 3: page transaction only in prepared X
      msg(-1n, 54n, [1n, 2n, 3n]), // 4: acked on 1, acked in prepared Y on 2, queue 3 gone
      pageRecord(damaged), // 5: undecodable
      msg(53n, 56n, [1n]), // 6: page transaction exhausted
      msg(-1n, 57n, [2n], false), // 7: non-durable
    ]),
  );
  fs.writeFileSync(path.join(folder, '000000006.page'), msg(-1n, 60n, [1n, 2n])); // page 6 complete for queue 1
  fs.writeFileSync(path.join(folder, '000000007.page'), Buffer.concat([msg(-1n, 70n, [1n]), Buffer.from('{garbage')]));

  const c = new PageCursorCollector();
  c.apply(rec(900n, 35, Buffer.concat([i64(50n), i32(1)])));
  c.apply(rec(901n, 35, Buffer.concat([i64(53n), i32(0)])));
  c.addPrepared('X', rec(902n, 35, Buffer.concat([i64(52n), i32(2)])), false);
  c.apply(rec(903n, 39, Buffer.concat([i64(1n), i64(5n), i32(4)])));
  c.addPrepared('Y', rec(904n, 39, Buffer.concat([i64(2n), i64(5n), i32(4)])), false);
  c.apply(rec(905n, 42, Buffer.concat([i64(1n), i64(6n), i32(1)])));

  const diagnostics = new Diagnostics();
  const input: PagingInput = {
    stores: findPageStores(path.join(dataDir, 'paging'), dataDir, diagnostics),
    cursor: c.finish(),
    queues: new Map([
      [1n, { name: 'q1', address: 'addr' }],
      [2n, { name: 'q2', address: 'addr' }],
    ]),
    dataDir,
    largeMessagesDir: null,
    diagnostics,
  };
  return { input, diagnostics };
}

test('pending paged messages: states, order, skipped messages and damage reports', async () => {
  const { input, diagnostics } = setup();
  const entries: PagedEntry[] = [];
  const gen = iteratePagedMessages(input);
  let r = await gen.next();
  while (!r.done) {
    entries.push(r.value);
    r = await gen.next();
  }
  const totals = r.value;
  assert.deepEqual(
    entries.map((e) => [e.page, e.msgNr, e.summary.messageId, e.queues.map((q) => [q.queueId, q.state, q.xidKey ?? null])]),
    [
      [5, 0, 50n, [[1n, 'pending', null], [2n, 'pending', null]]],
      [5, 1, 51n, [[1n, 'pending', null]]],
      [5, 3, 53n, [[1n, 'in-doubt-send', 'X'], [2n, 'in-doubt-send', 'X']]],
      [5, 4, 54n, [[2n, 'in-doubt-ack', 'Y']]],
      [5, 7, 57n, [[2n, 'pending', null]]],
      [6, 0, 60n, [[2n, 'pending', null]]],
      [7, 0, 70n, [[1n, 'pending', null]]],
    ],
  );
  // Content is decoded on demand, from the right record.
  const loaded = entries.map((e) => e.load());
  assert.deepEqual(
    loaded.map((m) => (m.protocol === 'core' ? m.properties.get('fixture_id')?.value : null)),
    ['m50', 'm51', 'm53', 'm54', 'm57', 'm60', 'm70'],
  );
  assert.deepEqual(entries.map((e) => e.summary.durable), [true, true, true, true, false, true, true]);
  assert.deepEqual(entries.map((e) => e.summary.priority), [0, 1, 3, 4, 7, 0, 0]);
  assert.equal(entries[1]!.transactionId, 50n);
  assert.equal(entries[0]!.file, 'paging/f/000000005.page');

  assert.deepEqual(totals, {
    stores: 1,
    pageFiles: 3,
    records: 10,
    yielded: 7,
    undecodable: 1,
    withoutPageTransaction: 1,
    exhaustedPageTransaction: 1,
    consumedRefs: 2, // (5,4) on queue 1, (6,0) on queue 1
    missingQueueRefs: 1,
    damagedFiles: 1,
  });
  const errors = diagnostics.list.filter((d) => d.severity === 'error').map((d) => [d.file, d.offset]);
  const page5 = fs.readFileSync(path.join(input.stores[0]!.folder, '000000005.page'));
  let off = 0;
  for (let i = 0; i < 5; i++) off += 6 + page5.readInt32BE(off + 1);
  const page7Good = 6 + fs.readFileSync(path.join(input.stores[0]!.folder, '000000007.page')).readInt32BE(1);
  assert.deepEqual(errors, [
    ['paging/f/000000005.page', off],
    ['paging/f/000000007.page', page7Good],
  ]);
});

test('countPaged: per-queue pending and in-doubt counts', async () => {
  const { input } = setup();
  const { perQueue, totals } = await countPaged(input, { decodeSchedules: true });
  assert.deepEqual(Object.fromEntries(perQueue), {
    1: { pending: 3, inDoubt: 1, large: 0, nonDurable: 0, expired: 0, scheduled: 0 },
    2: { pending: 3, inDoubt: 2, large: 0, nonDurable: 1, expired: 0, scheduled: 0 },
  });
  assert.equal(totals.yielded, 7);
});

test('stopping the iteration early closes the page file', async () => {
  const { input } = setup();
  const fdCount = (): number => fs.readdirSync('/proc/self/fd').length;
  const before = fdCount();
  for await (const e of iteratePagedMessages(input)) {
    assert.equal(e.msgNr, 0);
    assert.ok(fdCount() > before, 'a page file is open while iterating');
    break;
  }
  assert.equal(fdCount(), before);
});

test('reportProblems: false keeps repeat passes from reporting the same damage again', async () => {
  const { input, diagnostics } = setup();
  for await (const _ of iteratePagedMessages(input));
  const first = diagnostics.list.length;
  assert.ok(diagnostics.errorCount >= 2);
  let n = 0;
  for await (const _ of iteratePagedMessages({ ...input, reportProblems: false })) n++;
  assert.equal(n, 7);
  assert.equal(diagnostics.list.length, first);
});
