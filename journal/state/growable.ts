/** Append-only typed-array columns that double when full: the index's storage. */

type TypedArray = Int32Array | Uint8Array | Float64Array | BigInt64Array;
type Ctor<T extends TypedArray> = { new (n: number): T };

export class Column<T extends TypedArray> {
  data: T;
  constructor(
    private readonly ctor: Ctor<T>,
    initial = 256,
  ) {
    this.data = new ctor(initial);
  }

  ensure(n: number): void {
    if (n <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < n) cap *= 2;
    const next = new this.ctor(cap);
    (next as unknown as { set(a: T): void }).set(this.data);
    this.data = next;
  }
}
