/**
 * The command line as a user runs it: exit codes, stdout carrying only data, logs on stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, PROJECT } from '../support/fixtures.js';

const CLI = path.join(PROJECT, 'dist', 'drainer', 'cli.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('inspect of the bundled example prints a summary and exits 0', () => {
  const r = run('inspect', path.join(PROJECT, 'test', 'example', 'data'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /redelivery\.q/);
  assert.match(r.stdout, /Pending\s+25 message\(s\)/);
});

test('inspect --json is one JSON document with queue counts', () => {
  const r = run('inspect', '--json', path.join(FIXTURES, 'artemis-2.44.0', 'd_partial_redelivery_scheduled', 'data'));
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { queues: Array<{ name: string; messageCount: number; scheduledCount: number }> };
  const q = Object.fromEntries(doc.queues.map((x) => [x.name, x]));
  assert.equal(q['partial.q']!.messageCount, 15);
  assert.equal(q['scheduled.q']!.scheduledCount, 3);
  // stderr holds pino JSON lines only
  for (const line of r.stderr.trim().split('\n').filter(Boolean)) JSON.parse(line);
});

test('export prints NDJSON with one line per (queue, message) and --queue filters', () => {
  const r = run('export', '--queue', 'redelivery.q', path.join(FIXTURES, 'artemis-2.44.0', 'd_partial_redelivery_scheduled', 'data'));
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { queue: string; deliveryCount: number; properties: Record<string, { value: unknown }> });
  assert.deepEqual(
    lines.map((l) => [l.queue, l.properties['fixture_id']!.value, l.deliveryCount]),
    [
      ['redelivery.q', 'd-redeliver-0', 3],
      ['redelivery.q', 'd-redeliver-1', 2],
      ['redelivery.q', 'd-redeliver-2', 1],
      ['redelivery.q', 'd-redeliver-3', 1],
      ['redelivery.q', 'd-redeliver-4', 1],
    ],
  );
});

test('a directory that is not an Artemis data directory exits 3 with a clear message', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'drainer-empty-'));
  const r = run('inspect', empty);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /not an Artemis data directory/);
  assert.equal(r.stdout, '');
  const missing = run('inspect', path.join(empty, 'does-not-exist'));
  assert.equal(missing.code, 3);
});

test('Artemis 1.x data is refused with exit 3 and says so', () => {
  const dir = path.join(FIXTURES, 'real-world-all', 'real-world-all', 'rafaelcn1dev__jboss7.0', '5512d30f45', 'standalone2', 'data', 'activemq');
  const r = run('inspect', dir);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /Artemis 1\.x/);
});

test('unknown options are usage errors (exit 2)', () => {
  assert.equal(run('inspect', '--no-such-flag', '.').code, 2);
  assert.equal(run('no-such-command').code, 2);
});
