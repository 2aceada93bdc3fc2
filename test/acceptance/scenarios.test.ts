/**
 * Acceptance: for every real-broker scenario, what `export` and `inspect --json` produce equals the
 * fixture's manifest — message by message, field by field — and agrees with what the real broker
 * recovered from the same directory (broker-view.json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArtemisDataDirectory } from '../../journal/data-directory.js';
import { exportLine, type ExportLine } from '../../drainer/format/export-line.js';
import { buildInspectReport } from '../../drainer/format/inspect-report.js';
import { scenarios, type Scenario } from '../support/fixtures.js';
import { compareScenario } from '../support/manifest-compare.js';

async function exportAll(data: ArtemisDataDirectory): Promise<ExportLine[]> {
  const lines: ExportLine[] = [];
  for (const q of data.queues) {
    for await (const entry of data.entries(q)) {
      const msg = entry.load();
      assert.ok(msg, `${q.name}: message ${entry.messageId} could not be loaded`);
      lines.push(await exportLine(entry, msg, { includeBase64: false }));
    }
  }
  return lines;
}

const all = scenarios();
test('fixtures are unpacked', () => {
  assert.ok(all.length >= 14, `expected the 2.44.0 and 2.19.1 scenarios, found ${all.length}`);
});

for (const s of all) {
  test(`${s.version}/${s.name}: export equals the manifest`, async () => {
    const data = await ArtemisDataDirectory.open(s.dataDir);
    try {
      const errors = data.diagnostics.list.filter((d) => d.severity === 'error');
      assert.deepEqual(errors, [], 'no error diagnostics on a healthy data directory');
      const lines = await exportAll(data);
      const diffs = compareScenario(s.manifest, s.brokerView, lines);
      assert.deepEqual(diffs.slice(0, 40), [], `${diffs.length} difference(s)`);
    } finally {
      data.close();
    }
  });

  test(`${s.version}/${s.name}: inspect queues, addresses and prepared transactions equal the manifest`, async () => {
    const data = await ArtemisDataDirectory.open(s.dataDir);
    try {
      const report = await buildInspectReport(data);
      checkTopology(s, report.addresses, report.queues);
      checkPrepared(s, report.preparedTransactions);
    } finally {
      data.close();
    }
  });
}

function checkTopology(s: Scenario, addresses: Array<Record<string, unknown>>, queues: Array<Record<string, unknown>>): void {
  const gotAddresses = Object.fromEntries(addresses.map((a) => [a.name as string, { routing_types: [...(a.routingTypes as string[])].sort() }]));
  const wantAddresses = Object.fromEntries(Object.entries(s.manifest.addresses).map(([n, a]) => [n, { routing_types: [...a.routing_types].sort() }]));
  assert.deepEqual(gotAddresses, wantAddresses, 'addresses');

  const byName = new Map(queues.map((q) => [q.name as string, q]));
  assert.deepEqual([...byName.keys()].sort(), Object.keys(s.manifest.queues).sort(), 'queue names');
  for (const [name, want] of Object.entries(s.manifest.queues)) {
    const got = byName.get(name)!;
    const where = `queue ${name}`;
    assert.equal(got.address, want.address, `${where} address`);
    assert.equal(got.routingType, want.routing_type, `${where} routing type`);
    assert.equal(got.filter, want.filter, `${where} filter`);
    assert.equal(got.durable, want.durable, `${where} durable`);
    if ('exclusive' in want) assert.equal(got.exclusive, want.exclusive, `${where} exclusive`);
    if ('max_consumers' in want) assert.equal(got.maxConsumers, want.max_consumers, `${where} max consumers`);
    if ('last_value_key' in want) assert.equal(got.lastValueKey, want.last_value_key, `${where} last-value key`);
    const expectedCount = want.messages ? want.messages.filter((m) => !m['acked_in_prepared_xid']).length : (want.message_count ?? 0);
    assert.equal(got.messageCount, expectedCount, `${where} message count`);
  }
}

function checkPrepared(s: Scenario, prepared: Awaited<ReturnType<typeof buildInspectReport>>['preparedTransactions']): void {
  const norm = (x: { formatId: number; globalTransactionId: string; branchQualifier: string } | null) =>
    x ? `${x.formatId}:${x.globalTransactionId}:${x.branchQualifier}` : 'null';
  const got = prepared.map((p) => ({ xid: norm(p.xid), sends: p.sends.length, acks: p.acks.length })).sort((a, b) => a.xid.localeCompare(b.xid));
  const want = s.manifest.prepared_transactions
    .map((p) => ({ xid: `${p.xid.format_id}:${p.xid.global_transaction_id_hex}:${p.xid.branch_qualifier_hex}`, sends: p.sends.length, acks: p.acks.length }))
    .sort((a, b) => a.xid.localeCompare(b.xid));
  assert.deepEqual(got, want, 'prepared transactions');
}
