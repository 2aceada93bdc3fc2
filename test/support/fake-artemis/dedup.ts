/**
 * Duplicate-detection caches (§5): one circular cache per routing address — the address a message was sent
 * to verbatim, so an FQQN send is keyed by the whole `addr::queue` string. A string id is compared as its
 * SimpleString bytes (UTF-16 code units, low byte first), a binary id as is, so the string "a" and the binary
 * 0x61 0x00 are the same id, as on the broker.
 */
export const DEFAULT_ID_CACHE_SIZE = 20000;

export function dupIdBytes(id: string | Buffer): Buffer {
  return typeof id === 'string' ? Buffer.from(id, 'utf16le') : Buffer.from(id);
}

interface Entry {
  key: string;
  id: string | Buffer;
}

export class DuplicateIdCache {
  private readonly slots: Array<Entry | undefined>;
  private readonly index = new Map<string, number>();
  private next = 0;

  constructor(readonly size: number) {
    this.slots = new Array<Entry | undefined>(size);
  }

  has(id: string | Buffer): boolean {
    return this.index.has(dupIdBytes(id).toString('hex'));
  }

  /** Record an id, overwriting the oldest once the cache is full. */
  add(id: string | Buffer): void {
    const key = dupIdBytes(id).toString('hex');
    if (this.index.has(key)) return;
    const old = this.slots[this.next];
    if (old) this.index.delete(old.key);
    this.slots[this.next] = { key, id };
    this.index.set(key, this.next);
    this.next = (this.next + 1) % this.size;
  }

  /** Ids currently cached, oldest first. */
  ids(): Array<string | Buffer> {
    const out: Array<string | Buffer> = [];
    for (let i = 0; i < this.size; i++) {
      const e = this.slots[(this.next + i) % this.size];
      if (e) out.push(e.id);
    }
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.index.clear();
    this.next = 0;
  }
}

export class DuplicateIdCaches {
  private readonly caches = new Map<string, DuplicateIdCache>();

  constructor(readonly size: number = DEFAULT_ID_CACHE_SIZE) {}

  /** True when `id` was already seen for `routingAddress`; otherwise records it and returns false. */
  checkAndAdd(routingAddress: string, id: string | Buffer): boolean {
    let cache = this.caches.get(routingAddress);
    if (!cache) {
      cache = new DuplicateIdCache(this.size);
      this.caches.set(routingAddress, cache);
    }
    if (cache.has(id)) return true;
    cache.add(id);
    return false;
  }

  get(routingAddress: string): DuplicateIdCache | undefined {
    return this.caches.get(routingAddress);
  }

  addresses(): string[] {
    return [...this.caches.keys()];
  }
}
