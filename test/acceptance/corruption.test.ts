/**
 * Acceptance: damaged copies of real data directories. Each damage yields diagnostics naming the
 * file and offset and exit code 4 (read with error diagnostics) — never a crash, never a wrong
 * message presented as good. The fixtures are copied first; the copies are what get damaged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES, PROJECT } from '../support/fixtures.js';
import { listJournalFiles, MESSAGE_JOURNAL } from '../../journal/file/file-set.js';
import { scanJournalBuffer } from '../../journal/file/scanner.js';
import { Diagnostics } from '../../journal/diagnostics.js';
import type { RawRecord } from '../../journal/file/record.js';

const CLI = path.join(PROJECT, 'dist', 'drainer', 'cli.js');

function copyScenario(version: string, name: string): string {
  const dst = fs.mkdtempSync(path.join(os.tmpdir(), `drainer-${name}-`));
  const r = spawnSync('cp', ['-a', '--sparse=always', path.join(FIXTURES, version, name, 'data'), dst]);
  assert.equal(r.status, 0);
  spawnSync('chmod', ['-R', 'u+w', dst]);
  return path.join(dst, 'data');
}

interface Run {
  code: number | null;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

function exportRun(dataDir: string): Run {
  const r = spawnSync(process.execPath, [CLI, 'export', dataDir], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const lines = r.stdout.trim() ? r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { code: r.status, lines, stderr: r.stderr };
}

function errorsIn(stderr: string): Array<{ msg: string; file?: string; offset?: number }> {
  return stderr
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; msg: string; file?: string; offset?: number })
    .filter((l) => l.level >= 50 && l.file !== undefined);
}

/** Message records (ADD_MESSAGE_PROTOCOL / ADD_LARGE_MESSAGE) of the message journal, with their file. */
function messageRecords(dataDir: string): Array<{ file: string; rec: RawRecord; size: number }> {
  const files = listJournalFiles(path.join(dataDir, 'journal'), MESSAGE_JOURNAL, dataDir, new Diagnostics());
  const out: Array<{ file: string; rec: RawRecord; size: number }> = [];
  for (const f of files) {
    const buf = fs.readFileSync(f.path);
    scanJournalBuffer(buf, buf.length, f.formatVersion, f.recordFileId, (rec) => {
      if (rec.userType === 45 || rec.userType === 30) out.push({ file: f.path, rec: { ...rec, body: Buffer.alloc(0) }, size: buf.length });
    });
  }
  return out;
}

function fixtureIds(lines: Array<Record<string, unknown>>): string[] {
  return lines.map((l) => (l['properties'] as Record<string, { value: string }>)['fixture_id']!.value).sort();
}

test('baseline: the undamaged copy exports cleanly', () => {
  const dir = copyScenario('artemis-2.44.0', 'b_core_jms_types');
  const r = exportRun(dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.lines.length, 20);
});

test('a journal file truncated in the middle of a record: exit 4, file and offset named', () => {
  const dir = copyScenario('artemis-2.44.0', 'b_core_jms_types');
  const before = exportRun(dir);
  const recs = messageRecords(dir);
  const victim = recs[Math.floor(recs.length / 2)]!;
  fs.truncateSync(victim.file, victim.rec.offset + Math.floor(victim.rec.length / 2));
  const r = exportRun(dir);
  assert.equal(r.code, 4, r.stderr);
  const errs = errorsIn(r.stderr);
  assert.ok(errs.some((e) => e.file === path.relative(dir, victim.file) && typeof e.offset === 'number'), JSON.stringify(errs));
  // Whatever is still exported is exactly what was there before, never something else.
  const beforeById = new Map(before.lines.map((l) => [l['messageId'], JSON.stringify(l)]));
  for (const l of r.lines) assert.equal(JSON.stringify(l), beforeById.get(l['messageId']), 'a surviving message is unchanged');
  assert.ok(r.lines.length < before.lines.length);
});

test('bytes flipped in a record header: exit 4, nothing wrong presented as good', () => {
  const dir = copyScenario('artemis-2.44.0', 'b_core_jms_types');
  const before = exportRun(dir);
  const recs = messageRecords(dir);
  for (const [i, field] of [
    [1, 'record id'],
    [recs.length - 2, 'body size'],
  ] as const) {
    const victim = recs[i]!;
    const fd = fs.openSync(victim.file, 'r+');
    // record id lives at +6..+14, body size at +14..+18 (format spec §4.2)
    const at = victim.rec.offset + (field === 'record id' ? 10 : 15);
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, at);
    b[0] = b[0]! ^ 0x5a;
    fs.writeSync(fd, b, 0, 1, at);
    fs.closeSync(fd);
  }
  const r = exportRun(dir);
  assert.equal(r.code, 4, r.stderr);
  assert.ok(errorsIn(r.stderr).length > 0);
  const beforeById = new Map(before.lines.map((l) => [l['messageId'], JSON.stringify(l)]));
  for (const l of r.lines) assert.equal(JSON.stringify(l), beforeById.get(l['messageId']), 'a surviving message is unchanged');
});

test('bytes flipped inside a message body: exit 4 when the damage is detectable', () => {
  const dir = copyScenario('artemis-2.44.0', 'b_core_jms_types');
  const recs = messageRecords(dir);
  const victim = recs[0]!;
  // The message id copy inside the core buffer (after persister byte, id, address, length, E, body).
  const fd = fs.openSync(victim.file, 'r+');
  const head = Buffer.alloc(victim.rec.length);
  fs.readSync(fd, head, 0, head.length, victim.rec.offset);
  // Corrupt the core buffer's endOfBodyPosition: the body/header split no longer adds up.
  const bodyStart = victim.rec.bodyOffset - victim.rec.offset;
  const addrMarker = head[bodyStart + 9]!;
  const addrLen = addrMarker ? head.readInt32BE(bodyStart + 10) : 0;
  const ePos = bodyStart + 9 + 1 + (addrMarker ? 4 + addrLen : 0) + 4;
  head.writeInt32BE(head.readInt32BE(ePos) + 3, ePos);
  fs.writeSync(fd, head, ePos, 4, victim.rec.offset + ePos);
  fs.closeSync(fd);
  const r = exportRun(dir);
  assert.equal(r.code, 4, r.stderr);
  assert.ok(errorsIn(r.stderr).some((e) => e.offset === victim.rec.offset));
});

test('a zeroed page file: exit 4 and the page file named', () => {
  const dir = copyScenario('artemis-2.44.0', 'g_paging');
  const before = exportRun(dir);
  const store = fs.readdirSync(path.join(dir, 'paging')).map((d) => path.join(dir, 'paging', d)).find((d) => fs.existsSync(path.join(d, 'address.txt')))!;
  const pages = fs.readdirSync(store).filter((f) => f.endsWith('.page')).sort();
  const victim = path.join(store, pages[Math.floor(pages.length / 2)]!);
  fs.writeFileSync(victim, Buffer.alloc(fs.statSync(victim).size));
  const r = exportRun(dir);
  assert.equal(r.code, 4, r.stderr);
  assert.ok(errorsIn(r.stderr).some((e) => e.file === path.relative(dir, victim)), r.stderr.slice(0, 2000));
  const beforeById = new Map(before.lines.map((l) => [`${l['queue']}/${l['messageId']}`, JSON.stringify(l)]));
  for (const l of r.lines) assert.equal(JSON.stringify(l), beforeById.get(`${l['queue']}/${l['messageId']}`));
});

test('a deleted large-message file: exit 4, inspect names it, export leaves only that message out', () => {
  const dir = copyScenario('artemis-2.44.0', 'f_large_messages');
  const before = exportRun(dir);
  const large = fs.readdirSync(path.join(dir, 'large-messages')).filter((f) => f.endsWith('.msg')).sort();
  const victim = large[0]!;
  fs.rmSync(path.join(dir, 'large-messages', victim));
  const inspect = spawnSync(process.execPath, [CLI, 'inspect', '--json', dir], { encoding: 'utf8' });
  assert.equal(inspect.status, 4, inspect.stderr);
  const doc = JSON.parse(inspect.stdout) as { diagnostics: Array<{ severity: string; message: string; file: string | null }> };
  assert.ok(doc.diagnostics.some((d) => d.severity === 'error' && d.message.includes(victim)), JSON.stringify(doc.diagnostics));
  const r = exportRun(dir);
  assert.equal(r.code, 4);
  const missingId = victim.replace('.msg', '');
  assert.deepEqual(fixtureIds(r.lines), fixtureIds(before.lines.filter((l) => l['messageId'] !== missingId)));
});

test('--allow-diagnostics accepts damage explicitly (exit 0) and still reports it', () => {
  const dir = copyScenario('artemis-2.44.0', 'f_large_messages');
  const large = fs.readdirSync(path.join(dir, 'large-messages')).filter((f) => f.endsWith('.msg'));
  fs.rmSync(path.join(dir, 'large-messages', large[0]!));
  const r = spawnSync(process.execPath, [CLI, 'inspect', '--allow-diagnostics', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /ERROR/);
});
