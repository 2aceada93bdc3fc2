/**
 * Data-directory layouts: classic, the operator's restricted layout (journal files directly in the
 * data directory, `largemessages/`), and a broker instance directory holding `data/`. The same
 * broker data read through each layout gives the same messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtemisDataDirectory } from '../../journal/data-directory.js';
import { locateDataDirectory } from '../../journal/layout.js';
import { FIXTURES } from '../support/fixtures.js';

async function messageIds(dir: string): Promise<string[]> {
  const data = await ArtemisDataDirectory.open(dir);
  const ids: string[] = [];
  for (const q of data.queues) for await (const e of data.entries(q)) ids.push(`${q.name}/${e.messageId}/${e.large}`);
  assert.deepEqual(data.diagnostics.list.filter((d) => d.severity === 'error'), []);
  data.close();
  return ids;
}

function copy(src: string, dst: string): void {
  assert.equal(spawnSync('cp', ['-a', '--sparse=always', src, dst]).status, 0);
  spawnSync('chmod', ['-R', 'u+w', dst]);
}

test('restricted layout and instance directory read like the classic layout', async () => {
  const classic = path.join(FIXTURES, 'artemis-2.44.0', 'f_large_messages', 'data');
  const want = await messageIds(classic);
  assert.ok(want.length > 0);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'drainer-layout-'));
  const restricted = path.join(root, 'app-data');
  copy(classic, restricted);
  for (const f of fs.readdirSync(path.join(restricted, 'journal'))) fs.renameSync(path.join(restricted, 'journal', f), path.join(restricted, f));
  fs.rmdirSync(path.join(restricted, 'journal'));
  fs.renameSync(path.join(restricted, 'large-messages'), path.join(restricted, 'largemessages'));
  const layout = locateDataDirectory(restricted)!;
  assert.equal(layout.journalDir, restricted);
  assert.equal(layout.largeMessagesDir, path.join(restricted, 'largemessages'));
  assert.deepEqual(await messageIds(restricted), want);

  const instance = path.join(root, 'broker');
  fs.mkdirSync(instance);
  copy(classic, path.join(instance, 'data'));
  assert.equal(locateDataDirectory(instance)!.dataDir, path.join(instance, 'data'));
  assert.deepEqual(await messageIds(instance), want);
});

test('a directory without bindings/ or journal/ is not a data directory', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'drainer-layout-'));
  fs.mkdirSync(path.join(root, 'something-else'));
  assert.equal(locateDataDirectory(root), null);
  assert.equal(locateDataDirectory(path.join(root, 'missing')), null);
});
