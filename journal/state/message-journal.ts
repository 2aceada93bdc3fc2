/**
 * Builds the live message state from the message journal's effective records (format spec
 * §9, §13.2, §13.4, §14): which message is on which queue, in which order, with which delivery
 * count and schedule; duplicate-id caches; records that paging needs; and what each prepared
 * XA transaction holds.
 */
import { BufferReader, DecodeError } from '../binary/reader.js';
import { readSimpleString } from '../binary/strings.js';
import { xidKey, type Xid } from '../binary/xid.js';
import type { Diagnostics } from '../diagnostics.js';
import type { EffectiveRecord } from '../model/effective-record.js';
import type { JournalConsumer, PreparedTransaction } from '../transactions/loader.js';
import { peekMessage, summaryDurable, summaryPriority } from '../messages/record-summary.js';
import { MessageFlag, MessageIndex, type MessageLocation } from './message-index.js';
import { idFromHalves } from '../file/scanner.js';
import { QueueRefs } from './queue-refs.js';

/** Message-journal user record types (format spec §9). */
export const MessageRecord = {
  ADD_LARGE_MESSAGE_PENDING: 29,
  ADD_LARGE_MESSAGE: 30,
  ADD_MESSAGE: 31,
  ADD_REF: 32,
  ACKNOWLEDGE_REF: 33,
  UPDATE_DELIVERY_COUNT: 34,
  PAGE_TRANSACTION: 35,
  SET_SCHEDULED_DELIVERY_TIME: 36,
  DUPLICATE_ID: 37,
  HEURISTIC_COMPLETION: 38,
  ACKNOWLEDGE_CURSOR: 39,
  PAGE_CURSOR_COUNTER_VALUE: 40,
  PAGE_CURSOR_COUNTER_INC: 41,
  PAGE_CURSOR_COMPLETE: 42,
  PAGE_CURSOR_PENDING_COUNTER: 43,
  ADD_MESSAGE_PROTOCOL: 45,
  ADD_MESSAGE_BODY: 49,
  ACK_RETRY: 53,
} as const;

const PAGING_TYPES = new Set<number>([35, 39, 40, 41, 42, 43]);

/** Receives the paging-related records (implemented by journal/paging). */
export interface PagingRecordSink {
  apply(rec: EffectiveRecord): void;
  delete(id: bigint): boolean;
  addPrepared(xidKey: string, rec: EffectiveRecord, isDelete: boolean): void;
}

export interface DuplicateIdEntry {
  cacheName: string;
  duplicateId: Buffer;
}

export interface InDoubtSend {
  queueId: bigint;
  slot: number;
  scheduledTime: number;
}

export interface InDoubtAck {
  queueId: bigint;
  messageId: bigint;
  slot: number;
}

export interface PreparedMessages {
  txId: bigint;
  xid: Xid | null;
  xidKey: string;
  file: string;
  offset: number;
  sends: InDoubtSend[];
  acks: InDoubtAck[];
}

export class MessageJournalBuilder implements JournalConsumer {
  readonly index: MessageIndex;
  readonly queues = new Map<bigint, QueueRefs>();
  readonly duplicateIds = new Map<bigint, DuplicateIdEntry>();
  /** record id -> large message id of uploads that never completed (≤ 2.41, §11.3). */
  private readonly pendingLarge = new Map<bigint, bigint>();
  readonly heuristicCompletions: Array<{ xid: Buffer; commit: boolean }> = [];
  readonly artemis1xRecords: Array<{ file: string; offset: number }> = [];
  /** Refs whose message record is not in the journal (the broker logs "cannot find message"). */
  readonly orphanRefs: Array<{ messageId: bigint; queueId: bigint; file: string; offset: number }> = [];
  readonly prepared: PreparedMessages[] = [];
  /** Reused for every message added (the index copies the fields). */
  private readonly loc: MessageLocation = { fileIndex: 0, bodyOffset: 0, bodyLength: 0, userType: 0, file: '', offset: 0 };

  constructor(
    fileNames: string[],
    private readonly diagnostics: Diagnostics,
    private readonly paging: PagingRecordSink,
  ) {
    this.index = new MessageIndex(fileNames);
  }

  apply(rec: EffectiveRecord): void {
    try {
      this.applyRecord(rec);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.diagnostics.error(rec.file, rec.offset, `unreadable record (user type ${rec.userType}, id ${rec.id}): ${e.message}`, 'unreadable record');
    }
  }

  private applyRecord(rec: EffectiveRecord): void {
    switch (rec.userType) {
      case MessageRecord.ADD_MESSAGE_PROTOCOL:
      case MessageRecord.ADD_LARGE_MESSAGE:
        this.addMessage(rec, 0);
        return;
      case MessageRecord.ADD_REF: {
        const queueId = queueIdOf(rec);
        const slot = slotOfRecord(this.index, rec);
        if (slot < 0) {
          this.orphanRefs.push({ messageId: rec.id, queueId, file: rec.file, offset: rec.offset });
          return;
        }
        this.queue(queueId).add(slot);
        return;
      }
      case MessageRecord.ACKNOWLEDGE_REF: {
        const queueId = queueIdOf(rec);
        const slot = slotOfRecord(this.index, rec);
        if (slot >= 0) this.queueIfAny(queueId)?.ack(slot);
        return;
      }
      case MessageRecord.UPDATE_DELIVERY_COUNT: {
        const r = new BufferReader(rec.body);
        const queueId = r.i64();
        const count = r.i32();
        const slot = this.index.slotOf(rec.id);
        if (slot >= 0) this.queues.get(queueId)?.setDeliveryCount(slot, count);
        return;
      }
      case MessageRecord.SET_SCHEDULED_DELIVERY_TIME: {
        const r = new BufferReader(rec.body);
        const queueId = r.i64();
        const time = Number(r.i64());
        const slot = this.index.slotOf(rec.id);
        if (slot >= 0) this.queues.get(queueId)?.setScheduledTime(slot, time);
        return;
      }
      case MessageRecord.DUPLICATE_ID: {
        const r = new BufferReader(rec.body);
        const cacheName = readSimpleString(r);
        const duplicateId = Buffer.from(r.lengthPrefixedBytes('duplicate id'));
        this.duplicateIds.set(rec.id, { cacheName, duplicateId });
        return;
      }
      case MessageRecord.ADD_LARGE_MESSAGE_PENDING:
        this.pendingLarge.set(rec.id, new BufferReader(rec.body).i64());
        return;
      case MessageRecord.HEURISTIC_COMPLETION:
        this.heuristicCompletions.push({ xid: Buffer.from(rec.body), commit: rec.body[rec.body.length - 1] !== 0 });
        return;
      case MessageRecord.ADD_MESSAGE:
        this.artemis1xRecords.push({ file: rec.file, offset: rec.offset });
        return;
      case MessageRecord.ACK_RETRY:
      case MessageRecord.ADD_MESSAGE_BODY:
        return; // mirroring bookkeeping / history only
      default:
        if (PAGING_TYPES.has(rec.userType)) {
          this.paging.apply(copyRecord(rec));
          return;
        }
        this.diagnostics.warning(rec.file, rec.offset, `unknown message-journal record type ${rec.userType} ignored (as the broker does)`, 'unknown record type');
    }
  }

  private addMessage(rec: EffectiveRecord, extraFlags: number): number {
    const loc = this.loc;
    loc.fileIndex = rec.fileIndex ?? -1;
    loc.bodyOffset = rec.bodyOffset ?? -1;
    const buf = rec.buf ?? rec.body;
    const start = rec.buf ? rec.bodyOffset! : 0;
    const length = rec.buf ? rec.bodyLength! : rec.body.length;
    loc.bodyLength = length;
    loc.userType = rec.userType;
    loc.file = rec.file;
    loc.offset = rec.offset;
    try {
      const persister = length > 0 ? buf[start]! : -1;
      const summary = rec.summary !== undefined && rec.summary >= 0 ? rec.summary : -1;
      // The scan may have peeked the header already (on the worker); otherwise peek here, which
      // also raises the DecodeError that reports a damaged record.
      const s = summary >= 0 ? { priority: summaryPriority(summary), durable: summaryDurable(summary) } : peekMessage(rec.userType, buf, start, length);
      const large = rec.userType === MessageRecord.ADD_LARGE_MESSAGE || persister === 4;
      let flags = extraFlags | (s.durable ? MessageFlag.DURABLE : 0) | (large ? MessageFlag.LARGE : 0);
      if (rec.userType === MessageRecord.ADD_MESSAGE_PROTOCOL && persister !== 1) flags |= MessageFlag.AMQP;
      const priority = Math.min(9, Math.max(0, s.priority));
      return rec.idHi !== undefined ? this.index.addHalves(rec.idHi, rec.idLo!, loc, priority, flags) : this.index.add(rec.id, loc, priority, flags);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.diagnostics.error(rec.file, rec.offset, `unreadable message ${rec.id}: ${e.message}`, 'unreadable message');
      return this.index.add(rec.id, loc, 4, extraFlags | MessageFlag.DAMAGED);
    }
  }

  delete(id: bigint): boolean {
    if (this.index.kill(id)) return true;
    if (this.duplicateIds.delete(id)) return true;
    if (this.pendingLarge.delete(id)) return true;
    return this.paging.delete(id);
  }

  /** Registers what a still-prepared XA transaction holds (§13.4). */
  addPrepared(tx: PreparedTransaction): void {
    const key = tx.xid ? xidKey(tx.xid) : `tx:${tx.txId}`;
    const pm: PreparedMessages = { txId: tx.txId, xid: tx.xid, xidKey: key, file: tx.file, offset: tx.offset, sends: [], acks: [] };
    const txIndex = this.prepared.length;
    this.prepared.push(pm);
    const sentSlots = new Map<bigint, number>();
    for (const rec of tx.records) {
      try {
        switch (rec.userType) {
          case MessageRecord.ADD_MESSAGE_PROTOCOL:
          case MessageRecord.ADD_LARGE_MESSAGE:
            sentSlots.set(rec.id, this.addMessage(rec, MessageFlag.IN_DOUBT));
            break;
          case MessageRecord.ADD_REF: {
            const queueId = new BufferReader(rec.body).i64();
            const slot = sentSlots.get(rec.id);
            if (slot !== undefined) pm.sends.push({ queueId, slot, scheduledTime: 0 });
            else this.diagnostics.error(rec.file, rec.offset, `prepared transaction ${key}: reference to message ${rec.id} that is not in the transaction`);
            break;
          }
          case MessageRecord.SET_SCHEDULED_DELIVERY_TIME: {
            const r = new BufferReader(rec.body);
            const queueId = r.i64();
            const time = Number(r.i64());
            const send = pm.sends.find((s) => s.queueId === queueId && this.index.id(s.slot) === rec.id);
            if (send) send.scheduledTime = time;
            break;
          }
          case MessageRecord.ACKNOWLEDGE_REF: {
            const queueId = new BufferReader(rec.body).i64();
            const slot = this.index.slotOf(rec.id);
            if (slot >= 0 && this.queues.get(queueId)?.markInDoubtAck(slot, txIndex)) {
              pm.acks.push({ queueId, messageId: rec.id, slot });
            } else {
              this.diagnostics.warning(rec.file, rec.offset, `prepared transaction ${key} acknowledges message ${rec.id} that is not on queue ${queueId}`);
            }
            break;
          }
          case MessageRecord.DUPLICATE_ID:
          case MessageRecord.PAGE_CURSOR_COUNTER_INC:
          case MessageRecord.PAGE_CURSOR_COUNTER_VALUE:
            break;
          default:
            if (PAGING_TYPES.has(rec.userType)) this.paging.addPrepared(key, rec, false);
        }
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        this.diagnostics.error(rec.file, rec.offset, `prepared transaction ${key}: unreadable record: ${e.message}`);
      }
    }
    for (const d of tx.deletes) this.paging.addPrepared(key, d, true);
  }

  /** Large-message uploads that never completed (§11.3): their messages are not live. */
  finishPendingLarge(): void {
    for (const [, largeId] of this.pendingLarge) this.index.kill(largeId);
  }

  private queueIfAny(queueId: bigint): QueueRefs | undefined {
    if (queueId === this.lastQueueId && this.lastQueue) return this.lastQueue;
    return this.queues.get(queueId);
  }

  queue(queueId: bigint): QueueRefs {
    if (queueId === this.lastQueueId && this.lastQueue) return this.lastQueue;
    let q = this.queues.get(queueId);
    if (!q) {
      q = new QueueRefs();
      this.queues.set(queueId, q);
    }
    this.lastQueueId = queueId;
    this.lastQueue = q;
    return q;
  }

  private lastQueueId = -1n;
  private lastQueue: QueueRefs | null = null;
}

let lastQueueHi = -1;
let lastQueueLo = -1;
let lastQueueIdValue = 0n;

/** The live slot of the message a reference record names. */
function slotOfRecord(index: MessageIndex, rec: EffectiveRecord): number {
  return rec.idHi !== undefined ? index.slotOfHalves(rec.idHi, rec.idLo!) : index.slotOf(rec.id);
}

/** The queue id that starts ADD_REF / ACKNOWLEDGE_REF bodies (hot path: no view, no reader). */
function queueIdOf(rec: EffectiveRecord): bigint {
  if (rec.buf) {
    if (rec.bodyLength! < 8) throw new DecodeError(`reference record body of ${rec.bodyLength} bytes`, 0);
    const at = rec.bodyOffset!;
    const hi = rec.buf.readUInt32BE(at);
    const lo = rec.buf.readUInt32BE(at + 4);
    // References of one queue usually come in runs: reuse the last id rather than building one.
    if (hi === lastQueueHi && lo === lastQueueLo) return lastQueueIdValue;
    lastQueueHi = hi;
    lastQueueLo = lo;
    lastQueueIdValue = idFromHalves(hi, lo);
    return lastQueueIdValue;
  }
  if (rec.body.length < 8) throw new DecodeError(`reference record body of ${rec.body.length} bytes`, 0);
  return rec.body.readBigInt64BE(0);
}

/** A record the paging collector may keep: own body, no reference to the scan buffer. */
function copyRecord(rec: EffectiveRecord): EffectiveRecord {
  return {
    id: rec.id,
    userType: rec.userType,
    body: Buffer.from(rec.body),
    isUpdate: rec.isUpdate,
    file: rec.file,
    offset: rec.offset,
    fileIndex: rec.fileIndex,
    bodyOffset: rec.bodyOffset,
  };
}
