/**
 * Restart safety of park and resolve: the drainer (park) and then `resolve` are killed (SIGKILL)
 * at random points — before anything arrives, with a random share of the messages stored, with
 * forwards accepted but their parked copies not yet removed — and run again to completion. After
 * the final runs the target holds exactly what the manifest implies: nothing lost, nothing doubled
 * (the tail sent again is dropped by duplicate detection, as on Artemis). Seeded: a failure is
 * replayed with XA_KILL_SEED=<seed>; XA_KILL_RUNS sets the number of runs of each kind (default 10).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { FakeArtemis } from '../support/fake-artemis/index.js';
import { scenarios } from '../support/fixtures.js';
import { copyData, logText, runDrainCli } from '../support/drain-run.js';
import { targetDiffs, PARK } from './target-diffs.js';
import { wantFromManifest } from './expected.js';
import { runResolveCli } from './resolve-run.js';

const RUNS = Number(process.env.XA_KILL_RUNS ?? 10);
const BASE_SEED = Number(process.env.XA_KILL_SEED ?? Date.now() % 100000);
const XA = scenarios().filter((s) => s.name === 'e_xa_transactions');

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Messages on the target's queues (the parking queue too, or not: resolve empties it). */
const stored = (b: FakeArtemis, withPark = true) => b.queueNames().filter((q) => withPark || q !== PARK).reduce((n, q) => n + b.messages(q).length, 0);

/**
 * Kills the child once the broker has let `n` producer messages in (it grants no more credit
 * after that, so the child is caught mid-way), plus a random delay for settlements in flight to
 * land or not; or after `earlyMs` when given.
 */
function killer(b: FakeArtemis, rand: () => number, limit: number, withPark: boolean) {
  const early = rand() < 0.25 ? Math.floor(rand() * 500) : null;
  const n = Math.floor(rand() * (limit + 1));
  const extraMs = Math.floor(rand() * 300);
  const start = stored(b, withPark);
  if (early === null) b.stallAfter(n);
  let killed = false;
  return {
    describe: early !== null ? `killed after ${early} ms` : `killed after ${n} message(s) + ${extraMs} ms`,
    onStart: (child: ChildProcess) => {
      const t0 = Date.now();
      let reachedAt: number | null = null;
      const poll = setInterval(() => {
        if (killed || child.exitCode !== null) return clearInterval(poll);
        const now = Date.now();
        let due: boolean;
        if (early !== null) due = now - t0 >= early;
        else {
          if (reachedAt === null && stored(b, withPark) - start >= n) reachedAt = now;
          // a stalled child waits for credit: a time bound keeps the test moving either way
          due = (reachedAt !== null && now - reachedAt >= extraMs) || now - t0 > 8000;
        }
        if (due) {
          killed = child.kill('SIGKILL');
          clearInterval(poll);
        }
      }, 2);
    },
  };
}

test(`park killed at random points ${RUNS} times, re-run: exactly the manifest's queues and parking queue`, { timeout: 600_000 }, async () => {
  let kills = 0;
  let dropped = 0;
  for (let i = 0; i < RUNS; i++) {
    const seed = BASE_SEED + i;
    const rand = rng(seed);
    const s = XA[i % XA.length]!;
    const broker = await FakeArtemis.start({ creditWindow: 4 });
    try {
      const dataDir = copyData(s.dataDir);
      const want = wantFromManifest(s.manifest, 'park');
      const total = [...want.queues.values()].reduce((n, l) => n + l.length, 0) + want.parked.length;
      const k = killer(broker, rand, total, true);
      const first = await runDrainCli({ dataDir, args: ['--target', broker.url, '--window', String(1 + Math.floor(rand() * 4))], onStart: k.onStart });
      if (first.signal === 'SIGKILL') kills++;
      else assert.equal(first.code, 0, `seed ${seed}: ${logText(first)}`);
      broker.clearFaults();
      const second = await runDrainCli({ dataDir, args: ['--target', broker.url] });
      assert.equal(second.code, 0, `seed ${seed} (${s.version}, ${k.describe}): ${logText(second)}`);
      assert.deepEqual(await targetDiffs(broker, s, dataDir, 'park', { ordered: true }), [], `seed ${seed} (${s.version}, ${k.describe})`);
      dropped += broker.dropped.filter((d) => d.reason === 'duplicate').length;
    } finally {
      await broker.stop();
    }
  }
  console.log(`xa park kill/restart: ${RUNS} runs (seeds ${BASE_SEED}..${BASE_SEED + RUNS - 1}), ${kills} killed mid-drain, ${dropped} resent deliveries dropped as duplicates`);
  assert.ok(kills >= Math.floor(RUNS / 2), `most runs were really killed (${kills}/${RUNS})`);
});

test(`resolve killed at random points ${RUNS} times, re-run: exactly the decision's end state`, { timeout: 600_000 }, async () => {
  let kills = 0;
  let dropped = 0;
  for (let i = 0; i < RUNS; i++) {
    const seed = BASE_SEED + 1000 + i;
    const rand = rng(seed);
    const s = XA[i % XA.length]!;
    const decision = rand() < 0.5 ? 'commit' : 'rollback';
    const broker = await FakeArtemis.start({ creditWindow: 4 });
    try {
      const dataDir = copyData(s.dataDir);
      const run = await runDrainCli({ dataDir, args: ['--target', broker.url] });
      assert.equal(run.code, 0, logText(run));
      // Stalled after n < forwards deliveries: caught with some parked copies resolved and some not.
      const forwards = s.manifest.prepared_transactions.reduce((n, p) => n + (decision === 'commit' ? p.sends.length : p.acks.length), 0);
      const k = killer(broker, rand, forwards - 1, false);
      const first = await runResolveCli(['--target', broker.url, '--all', `--${decision}`], k.onStart);
      if (first.signal === 'SIGKILL') kills++;
      else assert.equal(first.code, 0, `seed ${seed}: ${first.stderr}`);
      broker.clearFaults();
      const second = await runResolveCli(['--target', broker.url, '--all', `--${decision}`]);
      assert.equal(second.code, 0, `seed ${seed} (${s.version} ${decision}, ${k.describe}): ${second.stderr}`);
      assert.equal(broker.messages(PARK).length, 0, `seed ${seed}: parking queue emptied`);
      assert.deepEqual(await targetDiffs(broker, s, dataDir, decision, { ordered: false }), [], `seed ${seed} (${s.version} ${decision}, ${k.describe})`);
      dropped += broker.dropped.filter((d) => d.reason === 'duplicate').length;
    } finally {
      await broker.stop();
    }
  }
  console.log(`xa resolve kill/restart: ${RUNS} runs (seeds ${BASE_SEED + 1000}..${BASE_SEED + 1000 + RUNS - 1}), ${kills} killed mid-resolve, ${dropped} re-forwarded messages dropped as duplicates`);
  assert.ok(kills >= Math.floor(RUNS / 2), `most runs were really killed (${kills}/${RUNS})`);
});
