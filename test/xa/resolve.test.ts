/**
 * Issue 4 acceptance, `resolve`: after a park drain, resolving every Xid with --commit (or
 * --rollback) leaves the target exactly as a direct drain with --prepared-transactions=commit
 * (rollback) does — the same messages, byte for byte, on the same queues, and an empty parking
 * queue. Resolving one Xid leaves the other's parked copies untouched; --list shows the Xids and
 * their operations as the manifest has them; a second resolve changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeArtemis } from '../support/fake-artemis/index.js';
import { scenarios } from '../support/fixtures.js';
import { copyData, logText, runDrainCli } from '../support/drain-run.js';
import { compareParked, Conversions, fixtureId, wantFromManifest } from './expected.js';
import { targetDiffs } from './target-diffs.js';
import { runResolveCli } from './resolve-run.js';

const XA = scenarios().filter((s) => s.name === 'e_xa_transactions');
const PARK = 'drainer.in-doubt';

/** Every queue's content as sorted raw bytes (resolve appends; a direct drain keeps queue order). */
function contentOf(b: FakeArtemis): Record<string, string[]> {
  return Object.fromEntries(b.queueNames().map((q) => [q, b.messages(q).map((m) => m.raw.toString('hex')).sort()]));
}

for (const s of XA) {
  for (const decision of ['commit', 'rollback'] as const) {
    test(`${s.version}: park, then resolve each Xid --${decision} == drain --prepared-transactions=${decision}`, async () => {
      const parked = await FakeArtemis.start();
      const direct = await FakeArtemis.start();
      try {
        const dataDir = copyData(s.dataDir);
        const run = await runDrainCli({ dataDir, args: ['--target', parked.url] });
        assert.equal(run.code, 0, logText(run));

        const list = await runResolveCli(['--target', parked.url, '--list']);
        assert.equal(list.code, 0, list.stderr);
        const conv = await Conversions.of(dataDir);
        const listed = list.out.map((x) => ({ xid: x.xid, ops: (x.operations as Array<{ operation: string; queue: string; messageId: string }>).map((o) => `${o.operation} ${o.queue} ${o.messageId}`).sort() })).sort((a, b) => String(a.xid).localeCompare(String(b.xid)));
        const wantListed = s.manifest.prepared_transactions
          .map((p) => ({
            xid: `${p.xid.format_id}:${p.xid.global_transaction_id_hex}:${p.xid.branch_qualifier_hex}`,
            ops: [
              ...p.sends.map((x) => `send ${x.queue} ${conv.messageId(x.queue, x.message.fixture_id)}`),
              ...p.acks.map((x) => `ack ${x.queue} ${conv.messageId(x.queue, x.fixture_id)}`),
            ].sort(),
          }))
          .sort((a, b) => a.xid.localeCompare(b.xid));
        assert.deepEqual(listed, wantListed, '--list: the parked Xids and their operations');
        assert.equal(parked.messages(PARK).length, wantFromManifest(s.manifest, 'park').parked.length, '--list changes nothing');

        // One Xid by its full key, the other by its gtrid alone (every branch).
        const [first, second] = s.manifest.prepared_transactions;
        const r1 = await runResolveCli(['--target', parked.url, '--xid', `${first!.xid.format_id}:${first!.xid.global_transaction_id_hex}:${first!.xid.branch_qualifier_hex}`, `--${decision}`]);
        assert.equal(r1.code, 0, r1.stderr);
        // The other Xid's parked copies are still there, untouched.
        const rest = wantFromManifest({ ...s.manifest, prepared_transactions: [second!] }, 'park').parked;
        assert.deepEqual(await compareParked(rest, parked.messages(PARK).map((m) => m.raw), conv), []);
        assert.deepEqual(parked.queue(PARK)!.refs.map((r) => r.deliveryCount), rest.map(() => 0), 'returned untouched (not counted as deliveries)');
        const r2 = await runResolveCli(['--target', parked.url, '--xid', second!.xid.global_transaction_id_hex, `--${decision}`]);
        assert.equal(r2.code, 0, r2.stderr);
        assert.deepEqual(
          [...r1.out, ...r2.out].map((x) => [x.decision, x.forwarded, x.dropped]),
          [first!, second!].map((p) => [decision, decision === 'commit' ? p.sends.length : p.acks.length, decision === 'commit' ? p.acks.length : p.sends.length]),
        );

        const d = await runDrainCli({ dataDir: copyData(s.dataDir), args: ['--target', direct.url, '--prepared-transactions', decision] });
        assert.equal(d.code, 0, logText(d));
        assert.equal(parked.messages(PARK).length, 0, 'parking queue empty');
        const { [PARK]: _park, ...resolved } = contentOf(parked);
        assert.deepEqual(resolved, contentOf(direct), 'resolve == direct drain, byte for byte');
        assert.deepEqual(await targetDiffs(parked, s, dataDir, decision, { ordered: false }), []);

        // Idempotent: running it again finds nothing and changes nothing.
        const before = contentOf(parked);
        const again = await runResolveCli(['--target', parked.url, '--all', `--${decision}`]);
        assert.equal(again.code, 0, again.stderr);
        assert.deepEqual(contentOf(parked), before);
        assert.ok(fixtureId(parked.messages('xa.q')[0]!.raw));
      } finally {
        await parked.stop();
        await direct.stop();
      }
    });
  }
}

test('resolve: usage errors and an unreachable target have their exit codes', async () => {
  assert.equal((await runResolveCli(['--target', 'amqp://127.0.0.1:1', '--all'])).code, 2, 'no decision');
  assert.equal((await runResolveCli(['--target', 'amqp://127.0.0.1:1', '--commit', '--rollback', '--all'])).code, 2);
  assert.equal((await runResolveCli(['--target', 'amqp://127.0.0.1:1', '--commit'])).code, 2, 'no --xid nor --all');
  assert.equal((await runResolveCli(['--target', 'amqp://127.0.0.1:1', '--commit', '--xid', 'zz'])).code, 2);
  assert.equal((await runResolveCli(['--target', 'amqp://127.0.0.1:1', '--commit', '--all', '--wait-for-target', '1'])).code, 20);
  const empty = await FakeArtemis.start();
  try {
    for (const args of [['--list'], ['--all', '--commit']]) {
      const r = await runResolveCli(['--target', empty.url, ...args]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.out, [], 'no parking queue: nothing parked');
    }
  } finally {
    await empty.stop();
  }
});

test('resolve: the target stored a forward but the connection died before its outcome: exit 24, parked copy kept; the re-run is dropped as a duplicate', async () => {
  const s = XA[0]!;
  const broker = await FakeArtemis.start();
  try {
    const dataDir = copyData(s.dataDir);
    assert.equal((await runDrainCli({ dataDir, args: ['--target', broker.url] })).code, 0);
    const parkedBefore = broker.messages(PARK).length;
    broker.dropConnectionAfter(1, { storeLast: true });
    const first = await runResolveCli(['--target', broker.url, '--all', '--commit']);
    assert.equal(first.code, 24, first.stderr);
    assert.ok(broker.messages(PARK).length >= parkedBefore - 1, 'the parked copy of the forward in doubt is still there');
    const second = await runResolveCli(['--target', broker.url, '--all', '--commit']);
    assert.equal(second.code, 0, second.stderr);
    assert.ok(broker.dropped.some((d) => d.reason === 'duplicate'), 'the forward sent again was dropped by duplicate detection');
    assert.equal(broker.messages(PARK).length, 0);
    assert.deepEqual(await targetDiffs(broker, s, dataDir, 'commit', { ordered: false }), []);
  } finally {
    await broker.stop();
  }
});
