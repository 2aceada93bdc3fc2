import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Diagnostics } from '../../journal/diagnostics.js';
import { findPageStores } from '../../journal/paging/page-store.js';
import { tempDir } from './build.js';

test('page stores: address.txt rules, page order, gaps, odd names', () => {
  const dataDir = tempDir('store');
  const paging = path.join(dataDir, 'paging');
  const mk = (folder: string, address: string | null, pages: string[]): void => {
    const d = path.join(paging, folder);
    fs.mkdirSync(d, { recursive: true });
    if (address !== null) fs.writeFileSync(path.join(d, 'address.txt'), address);
    for (const p of pages) fs.writeFileSync(path.join(d, p), Buffer.alloc(p.length));
  };
  mk('b-uuid', 'orders\n', ['000000010.page', '000000009.page', '000000012.page', '1000000000.page', 'notes.txt', 'x1.page']);
  mk('a-uuid', 'events\r\nsecond line ignored\n', ['000000001.page']);
  mk('c-uuid', null, ['000000001.page']);
  mk('d-uuid', '\nnot the first line', ['000000001.page']);

  const d = new Diagnostics();
  const stores = findPageStores(paging, dataDir, d);
  assert.deepEqual(
    stores.map((s) => [s.address, s.displayFolder, s.pages.map((p) => [p.page, p.displayPath, p.size])]),
    [
      ['events', 'paging/a-uuid', [[1, 'paging/a-uuid/000000001.page', 14]]],
      [
        'orders',
        'paging/b-uuid',
        [
          [9, 'paging/b-uuid/000000009.page', 14],
          [10, 'paging/b-uuid/000000010.page', 14],
          [12, 'paging/b-uuid/000000012.page', 14],
          [1000000000, 'paging/b-uuid/1000000000.page', 15],
        ],
      ],
    ],
  );
  const byFile = (f: string) => d.list.filter((x) => x.file === f).map((x) => [x.severity, x.message]);
  assert.deepEqual(byFile('paging/c-uuid'), [['info', 'paging folder without address.txt skipped (the broker ignores it too)']]);
  assert.deepEqual(byFile('paging/d-uuid'), [['info', 'paging folder skipped: address.txt has an empty first line']]);
  assert.deepEqual(byFile('paging/b-uuid'), [['info', 'pages 9..1000000000: missing 11, 13..999999999 (consumed pages are deleted; normal)']]);
  assert.deepEqual(byFile('paging/b-uuid/x1.page').map((x) => x[0]), ['warning']);
  assert.equal(d.errorCount, 0);
});

test('no paging directory means no page stores and no diagnostics', () => {
  const dataDir = tempDir('nostore');
  const d = new Diagnostics();
  assert.deepEqual(findPageStores(path.join(dataDir, 'paging'), dataDir, d), []);
  assert.deepEqual(d.list, []);
});

test('two folders naming the same address are both kept, with a warning', () => {
  const dataDir = tempDir('dup');
  for (const f of ['u1', 'u2']) {
    fs.mkdirSync(path.join(dataDir, 'paging', f), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'paging', f, 'address.txt'), 'same\n');
  }
  const d = new Diagnostics();
  const stores = findPageStores(path.join(dataDir, 'paging'), dataDir, d);
  assert.deepEqual(stores.map((s) => s.displayFolder), ['paging/u1', 'paging/u2']);
  assert.deepEqual(d.list.map((x) => [x.severity, x.file]), [['warning', 'paging/u2']]);
});
