/**
 * The 549 bindings-only data directories of real-world-all (Artemis 1.1 → 2.41, standalone,
 * WildFly/EAP, Corda): every Artemis 2.x one decodes without an error or warning, every 1.x one is
 * recognised as 1.x, no 2.x one is, nothing throws, and the whole run stays fast.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';
import { loadTopology } from '../support/journal-records.js';

const ROOT = fileURLToPath(new URL('../../../test/.fixtures/real-world-all/real-world-all/', import.meta.url));

interface IndexFile {
  path: string;
  kind: string;
  records?: number;
  user_record_types?: Record<string, number>;
}
interface Snapshot {
  fixture_dir: string;
  artemis_version: string;
  files: IndexFile[];
}

test('real-world-all: all 549 data directories', async (t) => {
  const indexPath = join(ROOT, 'index.json');
  if (!existsSync(indexPath)) return t.skip('real-world-all fixture not unpacked');
  const snapshots = (JSON.parse(readFileSync(indexPath, 'utf8')) as { snapshots: Snapshot[] }).snapshots;
  assert.equal(snapshots.length, 549);

  const started = Date.now();
  const counts = { v1: 0, v1Detected: 0, v2: 0, v2Detected: 0, v2WithQueues: 0, v2LegacyJms: 0, noBindings: 0, queues: 0, addresses: 0, bindingsFiles: 0 };
  const byRule = { baseFieldsOnly: 0, jmsPrefixWithoutAddresses: 0 };
  const problems: string[] = [];

  for (const s of snapshots) {
    const dir = join(ROOT, s.fixture_dir);
    const is1x = s.artemis_version.startsWith('1.');
    const where = `${s.fixture_dir} (${s.artemis_version})`;
    const expectedFiles = s.files.filter((f) => f.kind === 'bindings');

    let result: Awaited<ReturnType<typeof loadTopology>>;
    try {
      result = await loadTopology(dir);
    } catch (e) {
      problems.push(`${where}: threw ${(e as Error).stack}`);
      continue;
    }
    const { topology: top, diagnostics, scan } = result;

    // The reader saw exactly the bindings files the index lists, and (cross-checking the test
    // scanner against the index's independent record walker) the same records in each.
    assert.deepEqual(scan.journalFiles.slice().sort(), expectedFiles.map((f) => basename(f.path)).sort(), where);
    for (const f of expectedFiles) {
      const recs = scan.rawRecords.get(basename(f.path))!;
      const types: Record<string, number> = {};
      for (const r of recs) if (r.userType !== 0) types[r.userType] = (types[r.userType] ?? 0) + 1;
      assert.equal(recs.length, f.records, `${where} ${f.path}: record count`);
      assert.deepEqual(types, f.user_record_types, `${where} ${f.path}: user record types`);
      counts.bindingsFiles++;
    }
    if (expectedFiles.length === 0) {
      counts.noBindings++;
      assert.deepEqual([top.queues, top.addresses, top.format.artemis1x], [[], [], false], where);
    }
    counts.queues += top.queues.length;
    counts.addresses += top.addresses.length;

    if (is1x) {
      counts.v1++;
      if (top.format.artemis1x) counts.v1Detected++;
      else problems.push(`${where}: Artemis 1.x data not detected`);
      if (top.format.reasons.some((r) => r.includes('5 base fields'))) byRule.baseFieldsOnly++;
      if (top.format.reasons.some((r) => r.includes('no address binding'))) byRule.jmsPrefixWithoutAddresses++;
      // What 1.x wrote: base fields only, no address records.
      for (const q of top.queues) assert.equal(q.fieldsPresent, 5, `${where} ${q.name}`);
      assert.deepEqual(top.addresses, [], where);
    } else {
      counts.v2++;
      if (top.format.artemis1x) {
        counts.v2Detected++;
        problems.push(`${where}: Artemis 2.x data detected as 1.x: ${top.format.reasons.join('; ')}`);
      }
      if (top.queues.length > 0) counts.v2WithQueues++;
      if (scan.legacyJmsFiles.length > 0) counts.v2LegacyJms++;
      const bad = diagnostics.list.filter((d) => d.severity !== 'info');
      if (bad.length > 0) problems.push(`${where}: ${bad.length} diagnostics, first: ${JSON.stringify(bad[0])}`);
      // 2.x persists every address a durable queue is bound to, with the queue's routing type.
      const addr = new Map(top.addresses.map((a) => [a.name, a]));
      for (const q of top.queues) {
        assert.ok(q.fieldsPresent >= 8, `${where} ${q.name}: ${q.fieldsPresent} fields`);
        assert.ok(addr.get(q.address)?.routingTypes.includes(q.routingType), `${where}: ${q.name} ${q.routingType} on ${q.address}`);
      }
    }

    // Paged addresses (address.txt) are addresses of this broker.
    const paging = join(dir, 'paging');
    if (existsSync(paging)) {
      for (const sub of readdirSync(paging)) {
        const txt = join(paging, sub, 'address.txt');
        if (!existsSync(txt)) continue;
        const name = readFileSync(txt, 'utf8').split('\n')[0]!;
        assert.ok(top.addresses.some((a) => a.name === name) || top.queues.some((q) => q.address === name), `${where}: paged address ${name}`);
      }
    }
  }

  const elapsed = Date.now() - started;
  t.diagnostic(`counts ${JSON.stringify(counts)} 1.x rules ${JSON.stringify(byRule)} in ${elapsed} ms`);
  assert.deepEqual(problems, []);
  assert.deepEqual([counts.v1, counts.v1Detected, counts.v2, counts.v2Detected], [36, 36, 513, 0]);
  assert.ok(elapsed < 90_000, `whole run took ${elapsed} ms`);
});
