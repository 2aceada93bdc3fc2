/**
 * A compact hash map from 64-bit ids (bigint) to non-negative int32 values. A journal can hold
 * millions of messages; a JS Map of bigint keys costs ~100 bytes an entry, this costs ~24.
 * Open addressing with linear probing; deletion by backward shift (no tombstones).
 */
export class IdMap {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private vals: Int32Array; // -1 = empty
  private count = 0;
  private mask: number;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.vals = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  get(id: bigint): number {
    return this.getHalves(high(id), low(id));
  }

  /** get() for an id given as its two 32-bit halves (unsigned). */
  getHalves(h: number, l: number): number {
    let i = hash(h, l) & this.mask;
    for (;;) {
      const v = this.vals[i]!;
      if (v === -1) return -1;
      if (this.lo[i] === l && this.hi[i] === h) return v;
      i = (i + 1) & this.mask;
    }
  }

  setHalves(h: number, l: number, value: number): void {
    if ((this.count + 1) * 2 > this.vals.length) this.grow();
    this.put(h, l, value);
  }

  set(id: bigint, value: number): void {
    this.setHalves(high(id), low(id), value);
  }

  delete(id: bigint): boolean {
    const h = high(id);
    const l = low(id);
    let i = hash(h, l) & this.mask;
    for (;;) {
      if (this.vals[i] === -1) return false;
      if (this.lo[i] === l && this.hi[i] === h) break;
      i = (i + 1) & this.mask;
    }
    this.vals[i] = -1;
    this.count--;
    // Backward-shift the rest of the cluster so lookups never stop early.
    let j = (i + 1) & this.mask;
    while (this.vals[j] !== -1) {
      const hj = this.hi[j]!;
      const lj = this.lo[j]!;
      const vj = this.vals[j]!;
      this.vals[j] = -1;
      this.count--;
      this.put(hj, lj, vj);
      j = (j + 1) & this.mask;
    }
    return true;
  }

  private put(h: number, l: number, value: number): void {
    let i = hash(h, l) & this.mask;
    for (;;) {
      const v = this.vals[i]!;
      if (v === -1) {
        this.hi[i] = h;
        this.lo[i] = l;
        this.vals[i] = value;
        this.count++;
        return;
      }
      if (this.lo[i] === l && this.hi[i] === h) {
        this.vals[i] = value;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const { hi, lo, vals } = this;
    const cap = vals.length * 2;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.vals = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < vals.length; i++) if (vals[i] !== -1) this.put(hi[i]!, lo[i]!, vals[i]!);
  }
}

/** Same idea for int32 keys (message slot -> position in a queue). */
export class IntMap {
  private keys: Int32Array;
  private vals: Int32Array;
  private count = 0;
  private mask: number;

  constructor(initialCapacity = 64) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.keys = new Int32Array(cap).fill(-1);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  get(k: number): number {
    let i = mix(k) & this.mask;
    for (;;) {
      const key = this.keys[i]!;
      if (key === -1) return -1;
      if (key === k) return this.vals[i]!;
      i = (i + 1) & this.mask;
    }
  }

  set(k: number, v: number): void {
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    this.put(k, v);
  }

  delete(k: number): boolean {
    let i = mix(k) & this.mask;
    for (;;) {
      const key = this.keys[i]!;
      if (key === -1) return false;
      if (key === k) break;
      i = (i + 1) & this.mask;
    }
    this.keys[i] = -1;
    this.count--;
    let j = (i + 1) & this.mask;
    while (this.keys[j] !== -1) {
      const kj = this.keys[j]!;
      const vj = this.vals[j]!;
      this.keys[j] = -1;
      this.count--;
      this.put(kj, vj);
      j = (j + 1) & this.mask;
    }
    return true;
  }

  private put(k: number, v: number): void {
    let i = mix(k) & this.mask;
    for (;;) {
      const key = this.keys[i]!;
      if (key === -1) {
        this.keys[i] = k;
        this.vals[i] = v;
        this.count++;
        return;
      }
      if (key === k) {
        this.vals[i] = v;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const { keys, vals } = this;
    const cap = keys.length * 2;
    this.keys = new Int32Array(cap).fill(-1);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== -1) this.put(keys[i]!, vals[i]!);
  }
}

const TWO_32 = 4294967296;

/**
 * The two 32-bit halves of a 64-bit id. Ids fit in 2^53 in practice, where one Number conversion
 * is exact and much cheaper than BigInt shifts; anything else takes the exact BigInt path.
 */
function high(id: bigint): number {
  const n = Number(id);
  if (n >= 0 && n <= Number.MAX_SAFE_INTEGER) return Math.floor(n / TWO_32);
  return Number((id >> 32n) & 0xffffffffn);
}

function low(id: bigint): number {
  const n = Number(id);
  if (n >= 0 && n <= Number.MAX_SAFE_INTEGER) return n % TWO_32;
  return Number(id & 0xffffffffn);
}

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}

function hash(h: number, l: number): number {
  return mix(l ^ Math.imul(h, 0x9e3779b1));
}
