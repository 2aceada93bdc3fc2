/**
 * The compact id maps against a plain Map under random operations: ids across the whole 64-bit
 * range (negative, above 2^53, colliding low halves), deletes in the middle of probe clusters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdMap, IntMap } from '../../journal/state/id-map.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

test('IdMap behaves like Map<bigint, number> for any 64-bit id', () => {
  const rand = rng(42);
  const special = [0n, 1n, -1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 0xffffffffn, 0x100000000n];
  const pick = (): bigint => {
    const r = rand();
    if (r < 0.1) return special[Math.floor(rand() * special.length)]!;
    if (r < 0.5) return BigInt(Math.floor(rand() * 5000)); // dense small ids: long probe clusters
    if (r < 0.7) return (BigInt(Math.floor(rand() * 1000)) << 32n) | 7n; // same low half
    return BigInt.asIntN(64, (BigInt(Math.floor(rand() * 2 ** 32)) << 32n) | BigInt(Math.floor(rand() * 2 ** 32)));
  };
  const m = new IdMap(4);
  const ref = new Map<bigint, number>();
  for (let i = 0; i < 60_000; i++) {
    const id = pick();
    const op = rand();
    if (op < 0.55) {
      const v = Math.floor(rand() * 1e9);
      m.set(id, v);
      ref.set(id, v);
    } else if (op < 0.85) {
      assert.equal(m.delete(id), ref.delete(id), `delete ${id}`);
    } else {
      assert.equal(m.get(id), ref.get(id) ?? -1, `get ${id}`);
    }
  }
  assert.equal(m.size, ref.size);
  for (const [k, v] of ref) assert.equal(m.get(k), v);
});

test('IntMap behaves like Map<number, number>', () => {
  const rand = rng(7);
  const m = new IntMap(2);
  const ref = new Map<number, number>();
  for (let i = 0; i < 60_000; i++) {
    const k = Math.floor(rand() * 3000);
    const op = rand();
    if (op < 0.5) {
      m.set(k, i);
      ref.set(k, i);
    } else if (op < 0.8) {
      assert.equal(m.delete(k), ref.delete(k));
    } else {
      assert.equal(m.get(k), ref.get(k) ?? -1);
    }
  }
  assert.equal(m.size, ref.size);
  for (const [k, v] of ref) assert.equal(m.get(k), v);
});
