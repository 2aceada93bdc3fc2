/**
 * Issue 4 acceptance against a real AMQP 1.0 broker (RabbitMQ 3.10, address template
 * `/queue/{queue}`): e_xa_transactions (both versions) drained with park, commit and rollback;
 * every queue and the parking queue consumed back and compared message by message (RabbitMQ
 * re-encodes the header only: everything after it must be byte-identical to the conversion).
 * Then `resolve --all --commit` on the parked copies gives the direct commit's content.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRabbit, type RabbitBroker } from '../support/rabbitmq/broker.js';
import { drainQueue, rawOf } from '../support/rabbitmq/client.js';
import { scenarios } from '../support/fixtures.js';
import { copyData, logText, runDrainCli } from '../support/drain-run.js';
import { compareParked, compareQueueBytes, Conversions, wantFromManifest, type Policy } from './expected.js';
import { runResolveCli } from './resolve-run.js';

const XA = scenarios().filter((s) => s.name === 'e_xa_transactions');
let rabbit: RabbitBroker;
before(async () => {
  rabbit = await startRabbit();
});
after(async () => {
  await rabbit?.stop();
});

async function consumed(prefix: string, queue: string): Promise<Buffer[]> {
  return (await drainQueue(rabbit.url, `${prefix}${queue}`, { timeoutMs: 60_000 })).map((m) => rawOf(m)!);
}

async function check(prefix: string, s: (typeof XA)[number], dataDir: string, policy: Policy, ordered: boolean): Promise<string[]> {
  const want = wantFromManifest(s.manifest, policy);
  const conv = await Conversions.of(dataDir);
  const diffs: string[] = [];
  for (const [queue, list] of want.queues) diffs.push(...(await compareQueueBytes(queue, list, await consumed(prefix, queue), conv, { ordered, headerRewritten: true })));
  if (policy === 'park') diffs.push(...(await compareParked(want.parked, await consumed(prefix, 'drainer.in-doubt'), conv, { headerRewritten: true })));
  return diffs;
}

for (const s of XA) {
  for (const policy of ['park', 'commit', 'rollback'] as const) {
    test(`${s.version} e_xa_transactions --prepared-transactions=${policy} into RabbitMQ: queues and parking queue equal the manifest`, { timeout: 120_000 }, async () => {
      const prefix = `xa.${s.version}.${policy}.`;
      const dataDir = copyData(s.dataDir);
      const run = await runDrainCli({ dataDir, args: ['--target', rabbit.url, '--address-template', `/queue/${prefix}{queue}`, '--prepared-transactions', policy, '--deadline', '100'] });
      assert.equal(run.code, 0, logText(run));
      assert.deepEqual(await check(prefix, s, dataDir, policy, true), []);
    });
  }
}

test('RabbitMQ: park, then resolve --all --commit: the direct commit content, parking queue empty', { timeout: 120_000 }, async () => {
  const s = XA[0]!;
  const prefix = 'xa.resolve.';
  const dataDir = copyData(s.dataDir);
  const template = `/queue/${prefix}{queue}`;
  const run = await runDrainCli({ dataDir, args: ['--target', rabbit.url, '--address-template', template, '--deadline', '100'] });
  assert.equal(run.code, 0, logText(run));
  const r = await runResolveCli(['--target', rabbit.url, '--address-template', template, '--all', '--commit']);
  assert.equal(r.code, 0, r.stderr);
  const diffs = await check(prefix, s, dataDir, 'commit', false);
  assert.deepEqual(diffs, []);
  assert.deepEqual(await consumed(prefix, 'drainer.in-doubt'), [], 'parking queue empty');
});
