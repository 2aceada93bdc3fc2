/**
 * Every message record of the journal, reduced to where it is and the few header fields needed
 * to count and order it. Bodies stay on disk and are decoded on demand (`loadMessage`), so a
 * journal of many GB is indexed in a few tens of bytes per message.
 */
import { Column } from './growable.js';
import { IdMap } from './id-map.js';

export const MessageFlag = {
  DURABLE: 1,
  LARGE: 2,
  /** Deleted by a later record: no longer live. */
  DEAD: 4,
  /** The record could not be decoded (a diagnostic says why). */
  DAMAGED: 8,
  AMQP: 16,
  /** Sent inside a still-prepared XA transaction. */
  IN_DOUBT: 32,
} as const;

export interface MessageLocation {
  fileIndex: number;
  bodyOffset: number;
  bodyLength: number;
  userType: number;
  /** Data-dir-relative file and record offset, for diagnostics. */
  file: string;
  offset: number;
}

export class MessageIndex {
  private readonly ids = new Column(BigInt64Array);
  private readonly fileIndex = new Column(Int32Array);
  private readonly bodyOffset = new Column(Float64Array);
  private readonly bodyLength = new Column(Int32Array);
  private readonly recordOffset = new Column(Float64Array);
  private readonly userType = new Column(Uint8Array);
  private readonly prio = new Column(Uint8Array);
  private readonly flagBits = new Column(Uint8Array);
  private readonly byId = new IdMap(1024);
  private n = 0;

  constructor(private readonly fileNames: string[]) {}

  get count(): number {
    return this.n;
  }

  add(id: bigint, loc: MessageLocation, priority: number, flags: number): number {
    const slot = this.n++;
    for (const c of [this.ids, this.fileIndex, this.bodyOffset, this.bodyLength, this.recordOffset, this.userType, this.prio, this.flagBits]) {
      (c as Column<Int32Array>).ensure(this.n);
    }
    this.ids.data[slot] = id;
    this.fileIndex.data[slot] = loc.fileIndex;
    this.bodyOffset.data[slot] = loc.bodyOffset;
    this.bodyLength.data[slot] = loc.bodyLength;
    this.recordOffset.data[slot] = loc.offset;
    this.userType.data[slot] = loc.userType;
    this.prio.data[slot] = priority;
    this.flagBits.data[slot] = flags;
    if (!(flags & MessageFlag.IN_DOUBT)) this.byId.set(id, slot);
    return slot;
  }

  /** Live (not deleted) slot of a committed message, or -1. */
  slotOf(id: bigint): number {
    return this.byId.get(id);
  }

  kill(id: bigint): boolean {
    const slot = this.byId.get(id);
    if (slot < 0) return false;
    this.flagBits.data[slot] = this.flagBits.data[slot]! | MessageFlag.DEAD;
    this.byId.delete(id);
    return true;
  }

  markDamaged(slot: number): void {
    this.flagBits.data[slot] = this.flagBits.data[slot]! | MessageFlag.DAMAGED;
  }

  id(slot: number): bigint {
    return this.ids.data[slot]!;
  }

  priority(slot: number): number {
    return this.prio.data[slot]!;
  }

  flags(slot: number): number {
    return this.flagBits.data[slot]!;
  }

  has(slot: number, flag: number): boolean {
    return (this.flagBits.data[slot]! & flag) !== 0;
  }

  location(slot: number): MessageLocation {
    const fi = this.fileIndex.data[slot]!;
    return {
      fileIndex: fi,
      bodyOffset: this.bodyOffset.data[slot]!,
      bodyLength: this.bodyLength.data[slot]!,
      userType: this.userType.data[slot]!,
      file: this.fileNames[fi] ?? '?',
      offset: this.recordOffset.data[slot]!,
    };
  }
}
