/**
 * Issue 4 acceptance, in-process target: e_xa_transactions (both versions) drained by the real CLI
 * under each --prepared-transactions policy into the Artemis-like target. Each queue must hold
 * exactly what the manifest implies for the policy (ids, order, bytes, delivery counts), the
 * parking queue exactly the in-doubt operations (decoded envelopes: Xid, operation, queue, source,
 * duplicate id, enclosed bytes), and nothing anywhere else; a re-run sends nothing twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeArtemis } from '../support/fake-artemis/index.js';
import { scenarios } from '../support/fixtures.js';
import { copyData, logText, runDrainCli } from '../support/drain-run.js';
import { targetDiffs } from './target-diffs.js';

const XA = scenarios().filter((s) => s.name === 'e_xa_transactions');
for (const s of XA) {
  for (const policy of ['park', 'commit', 'rollback', 'fail'] as const) {
    test(`${s.version} e_xa_transactions --prepared-transactions=${policy}: target queues and parking queue equal the manifest`, async () => {
      const broker = await FakeArtemis.start();
      try {
        const dataDir = copyData(s.dataDir);
        const run = await runDrainCli({ dataDir, args: ['--target', broker.url, '--prepared-transactions', policy] });
        const code = policy === 'fail' ? 25 : 0;
        assert.equal(run.code, code, logText(run));
        // The termination message names every prepared Xid, right after the verdict.
        const lines = run.termination.split('\n');
        assert.match(lines[0]!, new RegExp(`^artemis-drainer exit ${code}:`));
        for (const [i, p] of s.manifest.prepared_transactions.entries()) {
          assert.match(lines[1 + i]!, new RegExp(`^prepared XA transaction formatId=${p.xid.format_id} gtrid=${p.xid.global_transaction_id_hex} bqual=${p.xid.branch_qualifier_hex}: ${p.sends.length} send\\(s\\).*${p.acks.length} ack\\(s\\)`));
        }
        const heuristic = run.logs.filter((l) => l.xid !== undefined && /HEURISTIC/.test(String(l.msg)));
        assert.equal(heuristic.length, policy === 'commit' || policy === 'rollback' ? s.manifest.prepared_transactions.length : 0, 'heuristic decisions logged Xid by Xid');
        assert.deepEqual(await targetDiffs(broker, s, dataDir, policy, { ordered: true }), []);
        const before = broker.queueNames().map((q) => broker.messages(q).length);
        const again = await runDrainCli({ dataDir, args: ['--target', broker.url, '--prepared-transactions', policy] });
        assert.equal(again.code, code, logText(again));
        assert.deepEqual(broker.queueNames().map((q) => broker.messages(q).length), before, 'a re-run sends nothing twice');
      } finally {
        await broker.stop();
      }
    });
  }
}

test('a re-run with another policy than the one that moved in-doubt messages is refused (exit 2), fail is always allowed', async () => {
  const s = XA[0]!;
  const broker = await FakeArtemis.start();
  try {
    const dataDir = copyData(s.dataDir);
    assert.equal((await runDrainCli({ dataDir, args: ['--target', broker.url] })).code, 0);
    const other = await runDrainCli({ dataDir, args: ['--target', broker.url, '--prepared-transactions', 'commit'] });
    assert.equal(other.code, 2, logText(other));
    assert.match(other.termination, /--prepared-transactions=park/);
    assert.equal((await runDrainCli({ dataDir, args: ['--target', broker.url, '--prepared-transactions', 'fail'] })).code, 25);
    assert.deepEqual(await targetDiffs(broker, s, dataDir, 'park', { ordered: true }), []);
  } finally {
    await broker.stop();
  }
});
