/**
 * Acceptance against a real AMQP 1.0 broker: every scenario is drained by the real CLI into
 * Debian's RabbitMQ 3.10 (AMQP 1.0 plugin, started by the test on loopback), consumed back and
 * compared message by message with the manifest.
 *
 * RabbitMQ 3.10's plugin resets the session on some valid AMQP content: a footer section, and an
 * amqp-value list body (JMS StreamMessage, c-05). The drain must isolate each such message,
 * report it as refused (exit 23) and still deliver every other one; the test checks exactly that.
 * RabbitMQ has no duplicate detection: messages it enqueued but never confirmed before such a
 * reset are sent again. That happens only around a refused message, and at most once per message
 * of the in-flight window; the test bounds it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRabbit, type RabbitBroker } from '../support/rabbitmq/broker.js';
import { drainQueue, rawOf } from '../support/rabbitmq/client.js';
import { scenarios } from '../support/fixtures.js';
import { assertUnchanged, copyData, logText, runDrainCli } from '../support/drain-run.js';
import { compareQueue, expectedViews, pendingInOrder, viewOf } from '../support/drain-compare.js';

/** Messages RabbitMQ 3.10 cannot take (it resets the session), by fixture id. */
const RABBIT_REFUSES = new Set(['b-04-stream', 'c-01-full-data', 'c-05-value-list', 'c-11-footer-data', 'c-11-footer-value']);

let rabbit: RabbitBroker;
before(async () => {
  rabbit = await startRabbit();
});
after(async () => {
  await rabbit?.stop();
});

for (const s of scenarios()) {
  test(`drain ${s.version}/${s.name} into RabbitMQ: consumed back, equal to the manifest`, { timeout: 180_000 }, async () => {
    const dataDir = copyData(s.dataDir);
    // Queue names are unique per scenario run: RabbitMQ keeps queues across tests.
    const run = await runDrainCli({ dataDir, args: ['--target', rabbit.url, '--address-template', `/queue/${s.version}.${s.name}.{queue}`, '--deadline', '150'] });
    const want = pendingInOrder(s.manifest);
    const refusedHere = [...want.values()].flat().filter((m) => RABBIT_REFUSES.has(m.fixture_id));
    // In-doubt messages are parked by default (exit 0); test/xa checks every policy message by message.
    const expectedCode = refusedHere.length > 0 ? 23 : 0;
    assert.equal(run.code, expectedCode, logText(run));
    assertUnchanged(dataDir);
    const expected = await expectedViews(dataDir);
    const diffs: string[] = [];
    let duplicates = 0;
    for (const [queue, list] of want) {
      const got = await drainQueue(rabbit.url, `${s.version}.${s.name}.${queue}`, { timeoutMs: 60_000 });
      const seen = new Set<string>();
      const received = [];
      for (const m of got) {
        const raw = rawOf(m)!;
        const v = viewOf(raw);
        const id = String(v.applicationProperties?.['fixture_id']?.value);
        if (seen.has(id)) {
          duplicates++;
          continue;
        }
        seen.add(id);
        const t = v.messageAnnotations?.['x-opt-delivery-time'];
        received.push({ raw, scheduledTime: t ? Number(t.value) : undefined });
      }
      const accepted = list.filter((m) => !RABBIT_REFUSES.has(m.fixture_id));
      diffs.push(...compareQueue(queue, accepted, expected.get(queue) ?? new Map(), received, { headerRewritten: true }));
    }
    assert.deepEqual(diffs.slice(0, 30), [], `${diffs.length} difference(s)`);
    if (refusedHere.length === 0) assert.equal(duplicates, 0, 'no duplicates without a session reset');
    else assert.ok(duplicates <= 256 * refusedHere.length, `duplicates (${duplicates}) within the in-flight window per reset`);
    const refusedLogged = run.logs.filter((l) => /cannot accept it/.test(String(l.msg))).length;
    assert.equal(refusedLogged, refusedHere.length, 'each message RabbitMQ cannot take is reported, and only those');
  });
}
