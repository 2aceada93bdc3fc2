import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Diagnostics } from '../../journal/diagnostics.js';
import { readPageFile, type PageReadOptions, type PageRecord, type PageReadResult } from '../../journal/paging/page-file.js';
import type { PageFileRef } from '../../journal/paging/page-store.js';
import { i32 } from '../support/encode.js';
import { coreMessage, pagedMessage, pageRecord, tempDir } from './build.js';

const dir = tempDir('file');
let n = 0;

function pageFile(content: Buffer): PageFileRef {
  const p = path.join(dir, `${String(++n).padStart(9, '0')}.page`);
  fs.writeFileSync(p, content);
  return { page: n, path: p, displayPath: `paging/x/${path.basename(p)}`, size: content.length };
}

async function readAll(file: PageFileRef, options?: PageReadOptions) {
  const diagnostics = new Diagnostics();
  const it = readPageFile(file, diagnostics, options);
  const records: PageRecord[] = [];
  let result: PageReadResult;
  for (;;) {
    const r = await it.next();
    if (r.done) {
      result = r.value;
      break;
    }
    records.push(r.value);
  }
  return { records, result, diagnostics };
}

const encodings = [0n, 1n, 2n].map((i) => pagedMessage(-1n, coreMessage({ id: 100n + i, body: Buffer.alloc(Number(i) * 7, 0x61) }), [5n]));
const good = Buffer.concat(encodings.map(pageRecord));
const offsets = [0, 6 + encodings[0]!.length, 12 + encodings[0]!.length + encodings[1]!.length];

function assertGoodRecords(records: PageRecord[]): void {
  assert.deepEqual(
    records.map((r) => [r.msgNr, r.offset, r.length]),
    encodings.map((e, i) => [i, offsets[i], e.length]),
  );
  records.forEach((r, i) => assert.ok(r.body.equals(encodings[i]!), `body of record ${i}`));
}

test('a clean page file: records numbered from 0, exact end, no diagnostics', async () => {
  const { records, result, diagnostics } = await readAll(pageFile(good));
  assertGoodRecords(records);
  assert.deepEqual(result, { records: 3, endOfData: good.length, size: good.length, tail: 'end' });
  assert.deepEqual(diagnostics.list, []);
});

test('an empty page file has no records and no problem', async () => {
  const { records, result, diagnostics } = await readAll(pageFile(Buffer.alloc(0)));
  assert.equal(records.length, 0);
  assert.equal(result.tail, 'end');
  assert.deepEqual(diagnostics.list, []);
});

test('a zero tail (any length, even shorter than a record) is an ERROR: page files are never pre-allocated', async () => {
  for (const zeros of [3, 5, 6, 4096]) {
    const file = pageFile(Buffer.concat([good, Buffer.alloc(zeros)]));
    const { records, result, diagnostics } = await readAll(file);
    assertGoodRecords(records);
    assert.equal(result.tail, 'zeros', `${zeros} zeros`);
    assert.equal(result.endOfData, good.length);
    assert.equal(diagnostics.list.length, 1);
    assert.equal(diagnostics.list[0]!.severity, 'error');
    assert.equal(diagnostics.list[0]!.offset, good.length);
    assert.equal(diagnostics.list[0]!.file, file.displayPath);
  }
});

function assertDamagedAt(diagnostics: Diagnostics, file: PageFileRef, offset: number, reason: RegExp): void {
  assert.equal(diagnostics.list.length, 1, JSON.stringify(diagnostics.list));
  const d = diagnostics.list[0]!;
  assert.equal(d.severity, 'error');
  assert.equal(d.file, file.displayPath);
  assert.equal(d.offset, offset);
  assert.match(d.message, reason);
}

test('a torn last record (size runs past the end) stops reading with an ERROR at its offset', async () => {
  const torn = pageRecord(encodings[0]!).subarray(0, 40);
  const file = pageFile(Buffer.concat([good, torn]));
  const { records, result, diagnostics } = await readAll(file);
  assertGoodRecords(records);
  assert.equal(result.tail, 'damaged');
  assertDamagedAt(diagnostics, file, good.length, /runs past the end/);
});

test('a non-zero tail shorter than a record header is an ERROR', async () => {
  const file = pageFile(Buffer.concat([good, Buffer.from([0x7b, 0, 0])]));
  const { records, result, diagnostics } = await readAll(file);
  assert.equal(records.length, 3);
  assert.equal(result.tail, 'damaged');
  assertDamagedAt(diagnostics, file, good.length, /only 3 bytes left/);
});

test('a bad start marker stops reading: records after it are not rescanned', async () => {
  const garbage = Buffer.from('X');
  const file = pageFile(Buffer.concat([pageRecord(encodings[0]!), garbage, pageRecord(encodings[1]!)]));
  const { records, result, diagnostics } = await readAll(file);
  assert.equal(records.length, 1);
  assert.equal(result.endOfData, offsets[1]);
  assertDamagedAt(diagnostics, file, offsets[1]!, /start marker 0x58/);
});

test('a bad end marker invalidates the record and stops reading', async () => {
  const bad = pageRecord(encodings[1]!);
  bad[bad.length - 1] = 0x7c;
  const file = pageFile(Buffer.concat([pageRecord(encodings[0]!), bad, pageRecord(encodings[2]!)]));
  const { records, diagnostics } = await readAll(file);
  assert.equal(records.length, 1);
  assertDamagedAt(diagnostics, file, offsets[1]!, /end marker 0x7c/);
});

test('a size larger than the rest of the file stops reading', async () => {
  const big = Buffer.concat([Buffer.from('{'), i32(1_000_000), Buffer.alloc(20, 1), Buffer.from('}')]);
  const file = pageFile(Buffer.concat([good, big]));
  const { records, diagnostics } = await readAll(file);
  assert.equal(records.length, 3);
  assertDamagedAt(diagnostics, file, good.length, /record size 1000000 runs past the end/);
});

test('a negative size stops reading', async () => {
  const neg = Buffer.concat([Buffer.from('{'), i32(-5), Buffer.alloc(20, 1), Buffer.from('}')]);
  const file = pageFile(Buffer.concat([good, neg]));
  const { records, diagnostics } = await readAll(file);
  assert.equal(records.length, 3);
  assertDamagedAt(diagnostics, file, good.length, /negative record size -5/);
});

test('a record above the size limit is reported instead of being allocated', async () => {
  const file = pageFile(good);
  const { records, diagnostics } = await readAll(file, { maxRecordSize: encodings[1]!.length - 1 });
  assert.equal(records.length, 1);
  assertDamagedAt(diagnostics, file, offsets[1]!, /larger than the/);
});

test('reading in small windows gives the same records as one whole read', async () => {
  const many = Buffer.concat(
    Array.from({ length: 50 }, (_, i) => pageRecord(pagedMessage(BigInt(i), coreMessage({ id: BigInt(i), body: Buffer.alloc(i * 3, i) }), [1n, 2n]))),
  );
  const file = pageFile(Buffer.concat([many, Buffer.alloc(100)]));
  const whole = await readAll(file);
  for (const windowSize of [1, 7, 64, 1000]) {
    const small = await readAll(file, { windowSize, wholeFileLimit: 0 });
    assert.equal(small.records.length, 50);
    assert.deepEqual(
      small.records.map((r) => [r.msgNr, r.offset, r.length, r.body.toString('hex')]),
      whole.records.map((r) => [r.msgNr, r.offset, r.length, r.body.toString('hex')]),
    );
    assert.equal(small.result.tail, 'zeros');
    assert.deepEqual(small.diagnostics.list.map((d) => [d.severity, d.offset]), [['error', many.length]]);
  }
});

test('record bodies stay valid after the reader has moved on (windows are never reused)', async () => {
  const many = Buffer.concat(Array.from({ length: 20 }, (_, i) => pageRecord(pagedMessage(BigInt(i), coreMessage({ id: BigInt(i) }), [1n]))));
  const file = pageFile(many);
  const copies: string[] = [];
  const { records } = await readAll(file, { windowSize: 64, wholeFileLimit: 0 });
  for (const r of records) copies.push(r.body.toString('hex'));
  const again = await readAll(file);
  assert.deepEqual(copies, again.records.map((r) => r.body.toString('hex')));
});
