/**
 * Every message record of the journal, reduced to where it is and the few header fields needed
 * to count and order it. Bodies stay on disk and are decoded on demand (`loadMessage`), so a
 * journal of many GB is indexed in a few tens of bytes per message.
 */
import { grown, nextCapacity } from './growable.js';
import { IdMap } from './id-map.js';
import { idFromHalves } from '../file/scanner.js';

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

/**
 * Columns of one row per message. Offsets fit 32 bits: Artemis sizes journal files with an int.
 */
export class MessageIndex {
  /** Message ids as unsigned 32-bit halves: no BigInt per message. */
  private idHi = new Uint32Array(0);
  private idLo = new Uint32Array(0);
  private fileIndex = new Int32Array(0);
  private bodyOffset = new Int32Array(0);
  private bodyLength = new Int32Array(0);
  private recordOffset = new Int32Array(0);
  private userType = new Uint8Array(0);
  private prio = new Uint8Array(0);
  private flagBits = new Uint8Array(0);
  private byId = new IdMap(1024);
  private n = 0;
  /** Messages with the LARGE flag (their body files get checked). */
  largeCount = 0;

  constructor(private readonly fileNames: string[]) {}

  get count(): number {
    return this.n;
  }

  add(id: bigint, loc: MessageLocation, priority: number, flags: number): number {
    const u = BigInt.asUintN(64, id);
    return this.addHalves(Number(u >> 32n), Number(u & 0xffffffffn), loc, priority, flags);
  }

  /** add() for an id given as its two unsigned 32-bit halves (hot path). */
  addHalves(hi: number, lo: number, loc: MessageLocation, priority: number, flags: number): number {
    const slot = this.n++;
    if (this.n > this.idHi.length) this.grow();
    this.idHi[slot] = hi;
    this.idLo[slot] = lo;
    this.fileIndex[slot] = loc.fileIndex;
    this.bodyOffset[slot] = loc.bodyOffset;
    this.bodyLength[slot] = loc.bodyLength;
    this.recordOffset[slot] = loc.offset;
    this.userType[slot] = loc.userType;
    this.prio[slot] = priority;
    this.flagBits[slot] = flags;
    if (!(flags & MessageFlag.IN_DOUBT)) this.byId.setHalves(hi, lo, slot);
    if (flags & MessageFlag.LARGE) this.largeCount++;
    return slot;
  }

  /** Live (not deleted) slot of a committed message, or -1. */
  slotOf(id: bigint): number {
    return this.byId.get(id);
  }

  /** slotOf for an id given as two 32-bit halves (hot path: no BigInt). */
  slotOfHalves(hi: number, lo: number): number {
    return this.byId.getHalves(hi, lo);
  }

  kill(id: bigint): boolean {
    const slot = this.byId.get(id);
    if (slot < 0) return false;
    this.flagBits[slot] = this.flagBits[slot]! | MessageFlag.DEAD;
    this.byId.delete(id);
    return true;
  }

  /**
   * The id -> slot table is only needed while the journal is replayed (references name messages
   * by id); afterwards everything goes by slot. Releasing it saves ~48 bytes a message.
   */
  releaseLookup(): void {
    this.byId = new IdMap(16);
  }

  markDamaged(slot: number): void {
    this.flagBits[slot] = this.flagBits[slot]! | MessageFlag.DAMAGED;
  }

  id(slot: number): bigint {
    return idFromHalves(this.idHi[slot]!, this.idLo[slot]!);
  }

  priority(slot: number): number {
    return this.prio[slot]!;
  }

  flags(slot: number): number {
    return this.flagBits[slot]!;
  }

  has(slot: number, flag: number): boolean {
    return (this.flagBits[slot]! & flag) !== 0;
  }

  location(slot: number): MessageLocation {
    const fi = this.fileIndex[slot]!;
    return {
      fileIndex: fi,
      bodyOffset: this.bodyOffset[slot]!,
      bodyLength: this.bodyLength[slot]!,
      userType: this.userType[slot]!,
      file: this.fileNames[fi] ?? '?',
      offset: this.recordOffset[slot]!,
    };
  }

  private grow(): void {
    const cap = nextCapacity(this.idHi.length, this.n);
    this.idHi = grown(this.idHi, cap);
    this.idLo = grown(this.idLo, cap);
    this.fileIndex = grown(this.fileIndex, cap);
    this.bodyOffset = grown(this.bodyOffset, cap);
    this.bodyLength = grown(this.bodyLength, cap);
    this.recordOffset = grown(this.recordOffset, cap);
    this.userType = grown(this.userType, cap);
    this.prio = grown(this.prio, cap);
    this.flagBits = grown(this.flagBits, cap);
  }
}
