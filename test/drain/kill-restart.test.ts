/**
 * Restart safety: the drainer is killed (SIGKILL) at random points — while indexing, while
 * creating destinations, with deliveries in flight — and run again to completion, as the
 * controller's restartPolicy: OnFailure does. After the final run the Artemis-like target holds
 * exactly the manifest's messages: none lost, none duplicated (the in-flight tail sent again is
 * dropped by duplicate detection, as on Artemis). Seeds are printed so a failure can be replayed
 * with KILL_SEED=<seed>.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeArtemis } from '../support/fake-artemis/index.js';
import { scenarios } from '../support/fixtures.js';
import { copyData, logText, runDrainCli } from '../support/drain-run.js';
import { checkTarget } from '../support/fake-target-check.js';

const RUNS = Number(process.env.KILL_RUNS ?? 24);
const BASE_SEED = Number(process.env.KILL_SEED ?? Date.now() % 100000);

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const pick = scenarios().filter((s) => s.version === 'artemis-2.44.0' && ['g_paging', 'h_compacted', 'f_large_messages', 'b_core_jms_types'].includes(s.name));

test(`killed at random points ${RUNS} times, re-run to completion: exactly the manifest on the target`, { timeout: 900_000 }, async () => {
  let kills = 0;
  let resentDropped = 0;
  for (let i = 0; i < RUNS; i++) {
    const seed = BASE_SEED + i;
    const rand = rng(seed);
    const s = pick[i % pick.length]!;
    const broker = await FakeArtemis.start({ creditWindow: 100 });
    try {
      const dataDir = copyData(s.dataDir);
      const total = Object.values(s.manifest.queues).reduce((n, q) => n + (q.messages?.filter((m) => !m['acked_in_prepared_xid']).length ?? 0), 0);
      // Kill once the target holds a random share of the messages (0 = before anything arrives).
      const killAt = Math.floor(rand() * total);
      const earlyKillMs = rand() < 0.2 ? Math.floor(rand() * 400) : null;
      let killed = false;
      const first = await runDrainCli({
        dataDir,
        args: ['--target', broker.url, '--window', String(1 + Math.floor(rand() * 64))],
        onStart: (child) => {
          const stored = () => [...broker.state.queues.keys()].reduce((n, q) => n + broker.messages(q).length, 0);
          const poll = setInterval(() => {
            if (killed || child.exitCode !== null) return clearInterval(poll);
            if (earlyKillMs === null ? stored() >= killAt : true) {
              killed = child.kill('SIGKILL');
              clearInterval(poll);
            }
          }, earlyKillMs ?? 2);
        },
      });
      if (first.signal === 'SIGKILL') kills++;
      else assert.equal(first.code, 0, `seed ${seed}: ${logText(first)}`);
      const second = await runDrainCli({ dataDir, args: ['--target', broker.url] });
      assert.equal(second.code, 0, `seed ${seed} (${s.name}, killed at ${killAt}/${total}): ${logText(second)}`);
      const diffs = await checkTarget(s, dataDir, broker);
      assert.deepEqual(diffs.slice(0, 10), [], `seed ${seed} (${s.name}, killed at ${killAt}/${total})`);
      resentDropped += broker.dropped.filter((d) => d.reason === 'duplicate').length;
    } finally {
      await broker.stop();
    }
  }
  console.log(`kill/restart: ${RUNS} runs (seeds ${BASE_SEED}..${BASE_SEED + RUNS - 1}), ${kills} killed mid-drain, ${resentDropped} resent deliveries dropped as duplicates, 0 lost, 0 duplicated`);
  assert.ok(kills >= Math.floor(RUNS / 2), `most runs were really killed (${kills}/${RUNS})`);
});
