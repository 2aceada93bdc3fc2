/**
 * Acceptance: the real CLI drains every real-broker scenario into the in-process Artemis-like
 * target (test/support/fake-artemis, built to the shared docs), and what the target holds equals
 * the manifest message by message; then the faults: a connection dropped mid-stream, rejected and
 * released deliveries, a target down for a while, wrong credentials, no target, a conflicting
 * queue, a deadline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeArtemis } from '../support/fake-artemis/index.js';
import { scenarios, type Scenario } from '../support/fixtures.js';
import { assertUnchanged, copyData, logText, runDrainCli } from '../support/drain-run.js';
import { pendingInOrder } from '../support/drain-compare.js';
import { checkTarget } from '../support/fake-target-check.js';

const all = scenarios();

for (const s of all) {
  test(`drain ${s.version}/${s.name} into the Artemis-like target: the target holds exactly the manifest`, async () => {
    const broker = await FakeArtemis.start();
    try {
      const dataDir = copyData(s.dataDir);
      const run = await runDrainCli({ dataDir, args: ['--target', broker.url] });
      // In-doubt messages are parked by default (exit 0); test/xa checks every policy message by message.
      const expectedCode = 0;
      assert.equal(run.code, expectedCode, logText(run));
      assert.match(run.termination, new RegExp(`^artemis-drainer exit ${expectedCode}:`));
      const diffs = await checkTarget(s, dataDir, broker);
      assert.deepEqual(diffs.slice(0, 30), [], `${diffs.length} difference(s)`);
      // A second run finds everything confirmed and sends nothing again.
      const before = [...broker.state.queues.keys()].map((q) => broker.messages(q).length);
      const again = await runDrainCli({ dataDir, args: ['--target', broker.url] });
      assert.equal(again.code, expectedCode, logText(again));
      assert.deepEqual([...broker.state.queues.keys()].map((q) => broker.messages(q).length), before, 'a re-run sends nothing twice');
      assertUnchanged(dataDir); // two drains wrote only their .artemis-drainer/ state
    } finally {
      await broker.stop();
    }
  });
}

const partial = all.find((s) => s.version === 'artemis-2.44.0' && s.name === 'g_paging')!;

async function faultRun(setup: (b: FakeArtemis) => void | Promise<void>, args: string[] = [], opts: { users?: Record<string, string> } = {}) {
  const broker = await FakeArtemis.start({ creditWindow: 50, users: opts.users });
  await setup(broker);
  const dataDir = copyData(partial.dataDir);
  const run = await runDrainCli({ dataDir, args: ['--target', broker.url, '--window', '20', ...args] });
  return { broker, dataDir, run };
}

test('fault: the connection drops mid-stream; the drain reconnects, resumes, and nothing is lost or doubled', async () => {
  const { broker, dataDir, run } = await faultRun((b) => b.dropConnectionAfter(500));
  try {
    assert.equal(run.code, 0, logText(run));
    assert.ok(run.logs.some((l) => /reconnecting/.test(String(l.msg))), 'the reconnect is logged');
    assert.deepEqual(await checkTarget(partial, dataDir, broker), []);
    assertUnchanged(dataDir);
  } finally {
    await broker.stop();
  }
});

test('fault: released and modified deliveries are sent again', async () => {
  const { broker, dataDir, run } = await faultRun((b) => {
    b.releaseNext(7);
    b.modifyNext(3);
  });
  try {
    assert.equal(run.code, 0, logText(run));
    const diffs = await checkTarget(partial, dataDir, broker);
    // Resent messages arrive after their neighbours: membership and content must hold; order may not.
    assert.deepEqual(diffs.filter((d) => !/membership and order/.test(d)), []);
    for (const [queue, want] of pendingInOrder(partial.manifest)) assert.equal(broker.messages(queue).length, want.length, queue);
  } finally {
    await broker.stop();
  }
});

test('fault: a rejected delivery is reported with the broker error and exits 23', async () => {
  const { broker, run } = await faultRun((b) => b.rejectNext(1, { condition: 'amqp:resource-limit-exceeded', description: 'address full' }));
  try {
    assert.equal(run.code, 23, logText(run));
    assert.ok(run.logs.some((l) => /address full/.test(JSON.stringify(l))), 'the broker error is in the log');
    assert.match(run.termination, /^artemis-drainer exit 23/);
  } finally {
    await broker.stop();
  }
});

test('fault: a target down for a while is waited for', async () => {
  const broker = await FakeArtemis.start();
  try {
    await broker.goDown(3000);
    const dataDir = copyData(partial.dataDir);
    const run = await runDrainCli({ dataDir, args: ['--target', broker.url, '--wait-for-target', '60'] });
    assert.equal(run.code, 0, logText(run));
    assert.ok(run.logs.some((l) => /not reachable/.test(String(l.msg))), 'the failed attempts are logged');
    assert.deepEqual(await checkTarget(partial, dataDir, broker), []);
  } finally {
    await broker.stop();
  }
});

test('fault: wrong credentials exit 11, and the password is never logged', async () => {
  const { broker, run } = await faultRun(() => undefined, ['--user', 'admin', '--password', 'WRONG-s3cret'], { users: { admin: 'right' } });
  try {
    assert.equal(run.code, 21, logText(run));
    assert.ok(!JSON.stringify(run.logs).includes('WRONG-s3cret'), 'the secret is not in the log');
    assert.ok(!run.termination.includes('WRONG-s3cret'), 'nor in the termination message');
  } finally {
    await broker.stop();
  }
});

test('fault: no target reachable exits 20 after --wait-for-target', async () => {
  const dataDir = copyData(partial.dataDir);
  const run = await runDrainCli({ dataDir, args: ['--target', 'amqp://127.0.0.1:1', '--wait-for-target', '2'] });
  assert.equal(run.code, 20, logText(run));
  assert.match(run.termination, /^artemis-drainer exit 20/);
});

test('fault: an existing queue with another filter is a conflict (exit 22), never merged', async () => {
  const { broker, run } = await faultRun((b) => {
    b.createAddress('paged.q', ['ANYCAST']);
    b.createQueue({ name: 'paged.q', address: 'paged.q', 'routing-type': 'ANYCAST', 'filter-string': "color = 'blue'", durable: true });
  });
  try {
    assert.equal(run.code, 22, logText(run));
    assert.equal(broker.messages('paged.q').length, 0, 'nothing sent into the conflicting queue');
  } finally {
    await broker.stop();
  }
});

test('fault: a target that stops granting credit hits the deadline: exit 24, data kept', async () => {
  const { broker, run } = await faultRun((b) => b.stallAfter(100), ['--deadline', '3']);
  try {
    assert.equal(run.code, 24, logText(run));
    assert.match(run.termination, /^artemis-drainer exit 24/);
  } finally {
    await broker.stop();
  }
});
