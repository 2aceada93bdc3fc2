/**
 * The references of one queue to journal messages, in the order the broker reloads them (the
 * order of their ADD_REF records), with the per-queue delivery count and scheduled time
 * (format spec §13.2). Acknowledged positions are tombstoned, not removed.
 */
import { grown, nextCapacity } from './growable.js';
import { IntMap } from './id-map.js';

export interface RefState {
  slot: number;
  deliveryCount: number;
  /** Epoch ms; 0 = not scheduled. */
  scheduledTime: number;
  /** Index of the prepared transaction that acknowledged it, or -1. */
  inDoubtAck: number;
}

export class QueueRefs {
  private slots = new Int32Array(0);
  /** Allocated on the first non-zero value: most queues never need them. */
  private dc: Int32Array | null = null;
  private sched: Float64Array | null = null;
  /** slot -> position, for the records that name a message; dropped by seal(). */
  private positionOf = new IntMap(64);
  /** position -> prepared transaction index, for refs acknowledged inside a prepared XA tx. */
  private readonly inDoubt = new Map<number, number>();
  private n = 0;

  /** ADD_REF: (re)creates the entry; an existing entry keeps its place, like a linked map. */
  add(slot: number): void {
    let pos = this.positionOf.get(slot);
    if (pos < 0) {
      pos = this.n++;
      if (this.n > this.slots.length) this.grow();
      this.slots[pos] = slot;
      this.positionOf.set(slot, pos);
    }
    if (this.dc) this.dc[pos] = 0;
    if (this.sched) this.sched[pos] = 0;
  }

  /** ACKNOWLEDGE_REF. Returns whether the queue held the message. */
  ack(slot: number): boolean {
    const pos = this.positionOf.get(slot);
    if (pos < 0) return false;
    this.slots[pos] = -1;
    this.positionOf.delete(slot);
    this.inDoubt.delete(pos);
    return true;
  }

  setDeliveryCount(slot: number, count: number): void {
    const pos = this.positionOf.get(slot);
    if (pos < 0) return;
    this.dc ??= new Int32Array(this.slots.length);
    this.dc[pos] = count;
  }

  setScheduledTime(slot: number, time: number): void {
    const pos = this.positionOf.get(slot);
    if (pos < 0) return;
    this.sched ??= new Float64Array(this.slots.length);
    this.sched[pos] = time;
  }

  /** A prepared transaction acknowledged this ref: it is in doubt, not pending. */
  markInDoubtAck(slot: number, txIndex: number): boolean {
    const pos = this.positionOf.get(slot);
    if (pos < 0) return false;
    this.inDoubt.set(pos, txIndex);
    return true;
  }

  /** refs() without an object per ref: for passes over millions of references. */
  forEachLive(isLive: (slot: number) => boolean, fn: (slot: number, deliveryCount: number, scheduledTime: number, inDoubtAck: number) => void): void {
    const inDoubt = this.inDoubt.size > 0 ? this.inDoubt : null;
    for (let pos = 0; pos < this.n; pos++) {
      const slot = this.slots[pos]!;
      if (slot < 0 || !isLive(slot)) continue;
      fn(slot, this.dc ? this.dc[pos]! : 0, this.sched ? this.sched[pos]! : 0, inDoubt ? (inDoubt.get(pos) ?? -1) : -1);
    }
  }

  /** Live refs in queue order. `isLive(slot)` filters messages deleted after their refs. */
  *refs(isLive: (slot: number) => boolean): Generator<RefState> {
    for (let pos = 0; pos < this.n; pos++) {
      const slot = this.slots[pos]!;
      if (slot < 0 || !isLive(slot)) continue;
      yield {
        slot,
        deliveryCount: this.dc ? this.dc[pos]! : 0,
        scheduledTime: this.sched ? this.sched[pos]! : 0,
        inDoubtAck: this.inDoubt.get(pos) ?? -1,
      };
    }
  }

  /**
   * The journal is replayed: no record will name a slot again, so the slot -> position table
   * (8 bytes a message, more than the queue itself) goes, and the columns shrink to their length.
   */
  seal(): void {
    this.positionOf = new IntMap(1);
    if (this.slots.length > this.n) {
      this.slots = this.slots.slice(0, this.n);
      if (this.dc) this.dc = this.dc.slice(0, this.n);
      if (this.sched) this.sched = this.sched.slice(0, this.n);
    }
  }

  private grow(): void {
    const cap = nextCapacity(this.slots.length, this.n);
    this.slots = grown(this.slots, cap);
    if (this.dc) this.dc = grown(this.dc, cap);
    if (this.sched) this.sched = grown(this.sched, cap);
  }
}
