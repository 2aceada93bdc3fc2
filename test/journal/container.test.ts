/**
 * The journal container on hand-built files: which files count (compaction leftovers, retention
 * backups, temporary files), their order, record framing, and transaction outcomes — the cases the
 * real fixtures do not contain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Diagnostics } from '../../journal/diagnostics.js';
import { listJournalFiles, MESSAGE_JOURNAL } from '../../journal/file/file-set.js';
import { loadJournal, type JournalConsumer } from '../../journal/transactions/loader.js';
import { encodeRecord, writeControlFile, writeJournalFile, xid, type Rec } from '../support/journal-writer.js';
import type { EffectiveRecord } from '../../journal/model/effective-record.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'drainer-journal-'));
}

const add = (id: bigint, tag = 'x'): Rec => ({ t: 'add', id, userType: 99, body: Buffer.from(tag) });

/** Loads a journal directory and returns the live records (id -> body text) plus what else came out. */
async function load(dir: string) {
  const diagnostics = new Diagnostics();
  const files = listJournalFiles(dir, MESSAGE_JOURNAL, dir, diagnostics);
  const live = new Map<bigint, string>();
  const order: bigint[] = [];
  const consumer: JournalConsumer = {
    apply(rec: EffectiveRecord) {
      live.set(rec.id, rec.body.toString());
      order.push(rec.id);
    },
    delete(id: bigint) {
      return live.delete(id);
    },
  };
  const result = await loadJournal(files, consumer, diagnostics, { copyBodies: true });
  return { files, live, order, result, diagnostics };
}

test('files are ordered by the id in their header, not by their name', async () => {
  const dir = tmp();
  writeJournalFile(path.join(dir, 'activemq-data-9.amq'), 1, [add(1n, 'first')]);
  writeJournalFile(path.join(dir, 'activemq-data-2.amq'), 7, [add(2n, 'second')]);
  const { files, order } = await load(dir);
  assert.deepEqual(files.map((f) => f.logicalName), ['activemq-data-9.amq', 'activemq-data-2.amq']);
  assert.deepEqual(order, [1n, 2n]);
});

test('stale records of a recycled file (older file id) are ignored; zero padding is skipped', async () => {
  const dir = tmp();
  const stale = encodeRecord(add(50n, 'stale'), 3);
  writeJournalFile(path.join(dir, 'activemq-data-1.amq'), 8, [add(1n, 'live'), Buffer.alloc(100), stale]);
  const { live, diagnostics } = await load(dir);
  assert.deepEqual([...live.keys()], [1n]);
  assert.deepEqual(diagnostics.list, []);
});

test('.cmp and .tmp files are ignored without a control file; .bkp files are live', async () => {
  const dir = tmp();
  writeJournalFile(path.join(dir, 'activemq-data-1.amq'), 1, [add(1n)]);
  writeJournalFile(path.join(dir, 'activemq-data-2.amq.cmp'), 2, [add(2n)]);
  writeJournalFile(path.join(dir, 'activemq-data-3.amq.tmp'), 3, [add(3n)]);
  writeJournalFile(path.join(dir, 'activemq-data-4.amq.bkp'), 4, [add(4n)]);
  fs.writeFileSync(path.join(dir, 'activemq-data-5.amq'), Buffer.alloc(10)); // < 16 bytes: deleted by the broker
  const { live, files } = await load(dir);
  assert.deepEqual([...live.keys()].sort(), [1n, 4n]);
  assert.deepEqual(files.map((f) => f.logicalName), ['activemq-data-1.amq', 'activemq-data-4.amq']);
});

test('an interrupted compaction: the control file replaces its inputs with the .cmp outputs', async () => {
  const dir = tmp();
  // inputs (obsolete after compaction) and the compacted output carrying the survivors
  writeJournalFile(path.join(dir, 'activemq-data-1.amq'), 1, [add(1n, 'old-a'), add(2n, 'old-b')]);
  writeJournalFile(path.join(dir, 'activemq-data-2.amq'), 2, [{ t: 'delete', id: 1n }]);
  writeJournalFile(path.join(dir, 'activemq-data-5.amq.cmp'), 1, [add(2n, 'compacted-b')]);
  writeJournalFile(path.join(dir, 'activemq-data-3.amq'), 3, [add(3n, 'after')]);
  writeControlFile(path.join(dir, 'journal-rename-control.ctr'), ['activemq-data-1.amq', 'activemq-data-2.amq'], ['activemq-data-5.amq.cmp']);
  const { live, files, diagnostics } = await load(dir);
  assert.deepEqual(files.map((f) => f.logicalName), ['activemq-data-5.amq', 'activemq-data-3.amq']);
  assert.deepEqual(Object.fromEntries(live), { '2': 'compacted-b', '3': 'after' });
  assert.ok(diagnostics.list.some((d) => d.severity === 'warning' && /interrupted compaction/.test(d.message)));
});

test('a committed transaction takes effect at its COMMIT; deletes inside it apply; rollback drops', async () => {
  const dir = tmp();
  writeJournalFile(path.join(dir, 'activemq-data-1.amq'), 1, [
    add(1n, 'plain'),
    { t: 'addTx', tx: 100n, id: 2n, userType: 99, body: Buffer.from('tx') },
    add(3n, 'between'),
    { t: 'deleteTx', tx: 100n, id: 1n },
    { t: 'commit', tx: 100n, count: 2 },
    { t: 'addTx', tx: 101n, id: 4n, userType: 99, body: Buffer.from('rolled back') },
    { t: 'rollback', tx: 101n },
    { t: 'addTx', tx: 102n, id: 5n, userType: 99, body: Buffer.from('open at crash') },
  ]);
  const { live, order, result, diagnostics } = await load(dir);
  assert.deepEqual(Object.fromEntries(live), { '2': 'tx', '3': 'between' });
  assert.deepEqual(order, [1n, 3n, 2n], 'the transaction lands where it committed');
  assert.equal(result.openTransactions, 1);
  assert.deepEqual(diagnostics.list, []);
});

test('a COMMIT whose record count does not match loses the transaction, and says so (error)', async () => {
  const dir = tmp();
  writeJournalFile(path.join(dir, 'activemq-data-1.amq'), 1, [
    { t: 'addTx', tx: 7n, id: 2n, userType: 99, body: Buffer.from('a') },
    { t: 'commit', tx: 7n, count: 2 },
  ]);
  const { live, diagnostics } = await load(dir);
  assert.equal(live.size, 0);
  assert.equal(diagnostics.list[0]!.severity, 'error');
  assert.match(diagnostics.list[0]!.message, /missing records/);
  assert.equal(diagnostics.list[0]!.file, 'activemq-data-1.amq');
});

test('a prepared transaction is kept aside with its Xid; an incomplete one is an error', async () => {
  const dir = tmp();
  writeJournalFile(path.join(dir, 'activemq-data-1.amq'), 1, [
    { t: 'addTx', tx: 9n, id: 2n, userType: 99, body: Buffer.from('in doubt') },
    { t: 'updateTx', tx: 9n, id: 1n, userType: 98, body: Buffer.from('ack') },
    { t: 'prepare', tx: 9n, count: 2, xid: xid(4711, 'gtrid-1', 'bq1') },
    { t: 'addTx', tx: 10n, id: 3n, userType: 99, body: Buffer.from('x') },
    { t: 'prepare', tx: 10n, count: 5, xid: xid(1, 'g', 'b') },
  ]);
  const { live, result, diagnostics } = await load(dir);
  assert.equal(live.size, 0);
  assert.equal(result.prepared.length, 1);
  const p = result.prepared[0]!;
  assert.equal(p.xid!.formatId, 4711);
  assert.equal(p.xid!.globalTransactionId.toString(), 'gtrid-1');
  assert.equal(p.xid!.branchQualifier.toString(), 'bq1');
  assert.deepEqual(p.records.map((r) => [r.id, r.isUpdate, r.body.toString()]), [
    [2n, false, 'in doubt'],
    [1n, true, 'ack'],
  ]);
  assert.ok(diagnostics.list.some((d) => d.severity === 'error' && /incomplete/.test(d.message)));
});

test('a torn record at the end of the data is a warning; damage before valid data is an error', async () => {
  const dir = tmp();
  const good = encodeRecord(add(1n, 'ok'), 1);
  const later = encodeRecord(add(2n, 'later'), 1);
  const damaged = Buffer.from(encodeRecord(add(3n, 'damaged'), 1));
  damaged.writeInt32BE(9999, damaged.length - 4); // wrong checkSize
  writeJournalFile(path.join(dir, 'activemq-data-1.amq'), 1, [good, damaged, later]);
  const torn = encodeRecord(add(4n, 'torn'), 2).subarray(0, 20);
  writeJournalFile(path.join(dir, 'activemq-data-2.amq'), 2, [encodeRecord(add(5n, 'fine'), 2), torn]);
  const { live, diagnostics } = await load(dir);
  assert.deepEqual([...live.keys()].sort(), [1n, 2n, 5n]);
  const byFile = Object.fromEntries(diagnostics.list.map((d) => [d.file, [d.severity, d.offset]]));
  assert.deepEqual(byFile['activemq-data-1.amq'], ['error', 16 + good.length]);
  assert.equal(byFile['activemq-data-2.amq']![0], 'warning');
});

test('a journal file shorter than the others was truncated: error with its size as offset', async () => {
  const dir = tmp();
  writeJournalFile(path.join(dir, 'activemq-data-1.amq'), 1, [add(1n)], 4096);
  writeJournalFile(path.join(dir, 'activemq-data-2.amq'), 2, [add(2n)], 4096);
  fs.truncateSync(path.join(dir, 'activemq-data-2.amq'), 100);
  const { diagnostics } = await load(dir);
  assert.deepEqual(
    diagnostics.list.map((d) => [d.severity, d.file, d.offset]),
    [['error', 'activemq-data-2.amq', 100]],
  );
});

test('a header with another format version is refused with an error and the file is skipped', async () => {
  const dir = tmp();
  writeJournalFile(path.join(dir, 'activemq-data-1.amq'), 1, [add(1n)]);
  const bad = fs.readFileSync(path.join(dir, 'activemq-data-1.amq'));
  bad.writeInt32BE(7, 0);
  fs.writeFileSync(path.join(dir, 'activemq-data-2.amq'), bad);
  const { live, diagnostics } = await load(dir);
  assert.deepEqual([...live.keys()], [1n]);
  assert.ok(diagnostics.list.some((d) => d.severity === 'error' && d.file === 'activemq-data-2.amq' && /format version 7/.test(d.message)));
});
