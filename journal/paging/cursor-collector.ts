/**
 * Collects the message-journal records that decide which paged messages are still pending
 * (format spec §9 records 35, 39–43, §12.4, §13.4):
 *
 * - PAGE_TRANSACTION (35): a producer transaction that paged messages; its paged messages are live
 *   only while the creation record is live. Updates subtract acknowledged deliveries; a count that
 *   is ≤ 0 at load makes the broker drop the record, and with it the transaction's messages.
 * - ACKNOWLEDGE_CURSOR (39): (queue, page, message number) consumed.
 * - PAGE_CURSOR_COMPLETE (42): every message of (queue, page) consumed.
 * - PAGE_CURSOR_COUNTER_VALUE / _INC (40, 41) and PAGE_CURSOR_PENDING_COUNTER (43): the broker's
 *   message counters of paged queues; they do not decide liveness, kept for cross-checking.
 *
 * The collector holds only live records, keyed by record id so that deletes can find them; the
 * lookup indexes are built once, by `finish()`. Records of prepared XA transactions are kept apart:
 * they make paged messages in doubt rather than consumed or live.
 */
import { BufferReader, DecodeError } from '../binary/reader.js';
import type { Diagnostics } from '../diagnostics.js';
import type { EffectiveRecord } from '../model/effective-record.js';

export const PagingRecord = {
  PAGE_TRANSACTION: 35,
  ACKNOWLEDGE_CURSOR: 39,
  PAGE_CURSOR_COUNTER_VALUE: 40,
  PAGE_CURSOR_COUNTER_INC: 41,
  PAGE_CURSOR_COMPLETE: 42,
  PAGE_CURSOR_PENDING_COUNTER: 43,
} as const;

const PAGING_TYPES = new Set<number>(Object.values(PagingRecord));

/** Whether the collector wants records of this user type. */
export function isPagingRecordType(userType: number): boolean {
  return PAGING_TYPES.has(userType);
}

type LiveRecord =
  | { kind: 35; transactionId: bigint; remaining: number }
  | { kind: 39; queueId: bigint; page: bigint; msgNr: number }
  | { kind: 42; queueId: bigint; page: bigint; messages: number }
  | { kind: 40; queueId: bigint; value: bigint; persistentSize: bigint }
  | { kind: 41; queueId: bigint; value: number; persistentSize: bigint }
  | { kind: 43; queueId: bigint; page: bigint };

export type PageTxStatus =
  /** Committed and still expecting deliveries: its paged messages are live. */
  | { state: 'committed'; recordId: bigint; remaining: number }
  /** Committed but its count is ≤ 0: the broker deletes it at load and ignores its messages. */
  | { state: 'exhausted'; recordId: bigint; remaining: number }
  /** Only inside a prepared XA transaction: its paged messages are in doubt. */
  | { state: 'prepared'; xidKey: string }
  /** Rolled back, never committed, or completely delivered: its paged messages are not live. */
  | { state: 'missing' };

/** The broker's persisted message counter of one paged queue (≤ 2.2x; newer brokers rebuild it). */
export interface PageCounter {
  /** Last PAGE_CURSOR_COUNTER_VALUE, or null when there is none. */
  value: bigint | null;
  /** Sum of the live PAGE_CURSOR_COUNTER_INC records. */
  increments: bigint;
  /** value + increments: the number of paged messages the broker would report for the queue. */
  total: bigint;
  persistentSize: bigint;
  /** Pages with a live PAGE_CURSOR_PENDING_COUNTER record. */
  pendingPages: bigint[];
}

export interface CursorStats {
  pageTransactions: number;
  exhaustedPageTransactions: number;
  acks: number;
  completePages: number;
  counterRecords: number;
  preparedPageTransactions: number;
  preparedAcks: number;
  preparedCompletePages: number;
  undecodable: number;
}

const key = (queueId: bigint, page: bigint | number): string => `${queueId}/${page}`;

export class PageCursorCollector {
  private readonly live = new Map<bigint, LiveRecord>();
  /** PAGE_TRANSACTION creation records by the transaction id in their body (updates refer to that). */
  private readonly pageTxByTransaction = new Map<bigint, { recordId: bigint; rec: LiveRecord & { kind: 35 } }>();
  private readonly preparedPageTx = new Map<bigint, string>();
  private readonly preparedAcks = new Map<string, Map<number, string>>();
  private readonly preparedComplete = new Map<string, string>();
  private undecodable = 0;
  private preparedAckCount = 0;

  constructor(private readonly diagnostics?: Diagnostics) {}

  /** A live (committed or non-transactional) ADD/UPDATE of one of the paging user types. */
  apply(rec: EffectiveRecord): void {
    const decoded = this.decode(rec);
    if (!decoded) return;
    if (decoded.kind === 35 && rec.isUpdate) {
      this.applyPageTxUpdate(rec, decoded.transactionId, decoded.remaining);
      return;
    }
    const previous = this.live.get(rec.id);
    if (previous?.kind === 35) this.dropPageTx(rec.id, previous);
    this.live.set(rec.id, decoded);
    if (decoded.kind === 35) {
      const other = this.pageTxByTransaction.get(decoded.transactionId);
      if (other && other.recordId !== rec.id) {
        this.diagnostics?.warning(rec.file, rec.offset, `second page-transaction record for transaction ${decoded.transactionId} (also record ${other.recordId}); the later one is used`);
      }
      this.pageTxByTransaction.set(decoded.transactionId, { recordId: rec.id, rec: decoded });
    }
  }

  /** A journal delete of `id`; true when the id was one of ours. */
  delete(id: bigint): boolean {
    const rec = this.live.get(id);
    if (!rec) return false;
    this.live.delete(id);
    if (rec.kind === 35) this.dropPageTx(id, rec);
    return true;
  }

  /**
   * A record of a still-prepared XA transaction. Only what changes the live view is kept: the
   * transaction's page-transaction creation (its paged messages are in doubt) and its cursor acks
   * (those messages are reserved by the transaction). Its deletes take effect only at commit.
   */
  addPrepared(xidKey: string, rec: EffectiveRecord, isDelete: boolean): void {
    if (isDelete) return;
    const decoded = this.decode(rec);
    if (!decoded) return;
    switch (decoded.kind) {
      case 35:
        if (!rec.isUpdate) this.preparedPageTx.set(decoded.transactionId, xidKey);
        return;
      case 39: {
        const k = key(decoded.queueId, decoded.page);
        let m = this.preparedAcks.get(k);
        if (!m) this.preparedAcks.set(k, (m = new Map()));
        if (!m.has(decoded.msgNr)) this.preparedAckCount++;
        m.set(decoded.msgNr, xidKey);
        return;
      }
      case 42:
        this.preparedComplete.set(key(decoded.queueId, decoded.page), xidKey);
        return;
      default:
        return; // counters
    }
  }

  finish(): PageCursorState {
    const pageTx = new Map<bigint, { recordId: bigint; remaining: number }>();
    const acks = new Map<string, Set<number>>();
    const complete = new Map<string, number>();
    const counters = new Map<bigint, PageCounter>();
    let ackCount = 0;
    let counterRecords = 0;
    const counterOf = (q: bigint): PageCounter => {
      let c = counters.get(q);
      if (!c) counters.set(q, (c = { value: null, increments: 0n, total: 0n, persistentSize: 0n, pendingPages: [] }));
      return c;
    };
    for (const [id, rec] of this.live) {
      switch (rec.kind) {
        case 35:
          pageTx.set(rec.transactionId, { recordId: id, remaining: rec.remaining });
          break;
        case 39: {
          const k = key(rec.queueId, rec.page);
          let s = acks.get(k);
          if (!s) acks.set(k, (s = new Set()));
          if (!s.has(rec.msgNr)) ackCount++;
          s.add(rec.msgNr);
          break;
        }
        case 42:
          complete.set(key(rec.queueId, rec.page), rec.messages);
          break;
        case 40: {
          const c = counterOf(rec.queueId);
          c.value = rec.value;
          c.persistentSize += rec.persistentSize;
          counterRecords++;
          break;
        }
        case 41: {
          const c = counterOf(rec.queueId);
          c.increments += BigInt(rec.value);
          c.persistentSize += rec.persistentSize;
          counterRecords++;
          break;
        }
        case 43:
          counterOf(rec.queueId).pendingPages.push(rec.page);
          counterRecords++;
          break;
      }
    }
    for (const c of counters.values()) c.total = (c.value ?? 0n) + c.increments;
    let exhausted = 0;
    for (const t of pageTx.values()) if (t.remaining <= 0) exhausted++;
    const stats: CursorStats = {
      pageTransactions: pageTx.size,
      exhaustedPageTransactions: exhausted,
      acks: ackCount,
      completePages: complete.size,
      counterRecords,
      preparedPageTransactions: this.preparedPageTx.size,
      preparedAcks: this.preparedAckCount,
      preparedCompletePages: this.preparedComplete.size,
      undecodable: this.undecodable,
    };
    return new PageCursorState(pageTx, acks, complete, counters, this.preparedPageTx, this.preparedAcks, this.preparedComplete, stats);
  }

  private applyPageTxUpdate(rec: EffectiveRecord, transactionId: bigint, increment: number): void {
    // The broker finds the transaction by the id in the update's body, not by record id.
    const target = this.pageTxByTransaction.get(transactionId);
    if (!target) {
      this.diagnostics?.warning(rec.file, rec.offset, `page-transaction update for unknown transaction ${transactionId} ignored (the broker ignores it too)`, 'page-transaction update without creation');
      return;
    }
    target.rec.remaining -= increment;
  }

  private dropPageTx(recordId: bigint, rec: LiveRecord & { kind: 35 }): void {
    const cur = this.pageTxByTransaction.get(rec.transactionId);
    if (cur?.recordId === recordId) this.pageTxByTransaction.delete(rec.transactionId);
  }

  private decode(rec: EffectiveRecord): LiveRecord | null {
    try {
      return decodePagingRecord(rec.userType, rec.body);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.undecodable++;
      this.diagnostics?.error(rec.file, rec.offset, `paging record ${rec.id} (type ${rec.userType}) undecodable: ${e.message}; ignored`, 'undecodable paging record');
      return null;
    }
  }
}

/** Decodes the body of one paging record (for 35, creation and update share the layout). */
function decodePagingRecord(userType: number, body: Buffer): LiveRecord | null {
  const r = new BufferReader(body);
  switch (userType) {
    case PagingRecord.PAGE_TRANSACTION:
      return { kind: 35, transactionId: r.i64(), remaining: r.i32() };
    case PagingRecord.ACKNOWLEDGE_CURSOR:
      return { kind: 39, queueId: r.i64(), page: r.i64(), msgNr: r.i32() };
    case PagingRecord.PAGE_CURSOR_COMPLETE:
      return { kind: 42, queueId: r.i64(), page: r.i64(), messages: r.i32() };
    case PagingRecord.PAGE_CURSOR_COUNTER_VALUE: {
      const queueId = r.i64();
      const value = r.i64();
      // persistentSize was added later; old records end after the value.
      return { kind: 40, queueId, value, persistentSize: r.remaining >= 8 ? r.i64() : 0n };
    }
    case PagingRecord.PAGE_CURSOR_COUNTER_INC: {
      const queueId = r.i64();
      const value = r.i32();
      return { kind: 41, queueId, value, persistentSize: r.remaining >= 8 ? r.i64() : 0n };
    }
    case PagingRecord.PAGE_CURSOR_PENDING_COUNTER:
      return { kind: 43, queueId: r.i64(), page: r.i64() };
    default:
      return null;
  }
}

/** The paging view of the message journal after loading (answers the questions of §12.4). */
export class PageCursorState {
  constructor(
    private readonly pageTx: ReadonlyMap<bigint, { recordId: bigint; remaining: number }>,
    private readonly acks: ReadonlyMap<string, ReadonlySet<number>>,
    private readonly complete: ReadonlyMap<string, number>,
    private readonly counters: ReadonlyMap<bigint, PageCounter>,
    private readonly preparedPageTx: ReadonlyMap<bigint, string>,
    private readonly preparedAcks: ReadonlyMap<string, ReadonlyMap<number, string>>,
    private readonly preparedComplete: ReadonlyMap<string, string>,
    readonly stats: CursorStats,
  ) {}

  /** What became of the producer transaction `transactionId` (the id stamped in paged messages). */
  pageTransaction(transactionId: bigint): PageTxStatus {
    const t = this.pageTx.get(transactionId);
    if (t) return { state: t.remaining > 0 ? 'committed' : 'exhausted', recordId: t.recordId, remaining: t.remaining };
    const xidKey = this.preparedPageTx.get(transactionId);
    if (xidKey !== undefined) return { state: 'prepared', xidKey };
    return { state: 'missing' };
  }

  /** A live PAGE_CURSOR_COMPLETE says every message of the page is consumed by the queue. */
  isPageComplete(queueId: bigint, page: bigint | number): boolean {
    return this.complete.has(key(queueId, page));
  }

  /** A live ACKNOWLEDGE_CURSOR for exactly this position. */
  isAcked(queueId: bigint, page: bigint | number, msgNr: number): boolean {
    return this.acks.get(key(queueId, page))?.has(msgNr) ?? false;
  }

  /** Consumed for the queue by committed records (page complete or position acked). */
  isConsumed(queueId: bigint, page: bigint | number, msgNr: number): boolean {
    const k = key(queueId, page);
    return this.complete.has(k) || (this.acks.get(k)?.has(msgNr) ?? false);
  }

  /** The Xid key of a prepared transaction that consumed this position, or null. */
  preparedAck(queueId: bigint, page: bigint | number, msgNr: number): string | null {
    const k = key(queueId, page);
    return this.preparedAcks.get(k)?.get(msgNr) ?? this.preparedComplete.get(k) ?? null;
  }

  /** Whether any committed cursor record (ack or complete) concerns this queue and page. */
  hasCursorRecords(queueId: bigint, page: bigint | number): boolean {
    const k = key(queueId, page);
    return this.complete.has(k) || this.acks.has(k);
  }

  /** The broker's persisted paged-message counter of a queue (older brokers only). */
  counter(queueId: bigint): PageCounter | null {
    return this.counters.get(queueId) ?? null;
  }

  /** Queues that have persisted paged-message counters. */
  countedQueues(): bigint[] {
    return [...this.counters.keys()];
  }
}
