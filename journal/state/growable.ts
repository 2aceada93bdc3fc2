/** Typed-array columns that double when full: the index's compact storage. */

export type TypedArray = Int32Array | Uint32Array | Uint8Array | Float64Array | BigInt64Array;

/** A copy of `a` with room for `capacity` elements. */
export function grown<T extends TypedArray>(a: T, capacity: number): T {
  const next = new (a.constructor as { new (n: number): T })(capacity);
  (next as unknown as { set(src: T): void }).set(a);
  return next;
}

/** The capacity to grow to so that `n` elements fit: doubling. */
export function nextCapacity(current: number, n: number): number {
  let cap = Math.max(16, current * 2);
  while (cap < n) cap *= 2;
  return cap;
}
