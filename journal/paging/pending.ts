/**
 * Which paged messages are still pending, per queue (format spec §12.4, §13.3, §13.4).
 *
 * A paged message at (page p, number m) with transaction id t is pending on queue Q when Q is one of
 * its queue ids and still exists, no live PAGE_CURSOR_COMPLETE covers (Q, p), no live
 * ACKNOWLEDGE_CURSOR covers (Q, p, m), and — if t ≥ 0 — the page transaction t is committed and
 * still expects deliveries. Prepared XA transactions make a message in doubt instead: its page
 * transaction exists only in a prepared transaction ('in-doubt-send'), or a prepared transaction
 * consumed it from Q ('in-doubt-ack').
 *
 * Everything streams: page files are read one window at a time, each message is framed and
 * summarised (ids, priority, durability, expiration) without decoding its body, and the full
 * decode happens only when the consumer calls `load()`. Non-durable paged messages are included
 * (after a restart the broker delivers them again: the page is their only copy); `summary.durable`
 * lets the caller's policy decide. Paged messages carry no delivery count and no per-queue
 * schedule (§14.2, §14.3).
 */
import { Diagnostics } from '../diagnostics.js';
import type { StoredMessage } from '../model/message.js';
import type { MessageContext } from '../messages/context.js';
import { DecodeError } from '../binary/reader.js';
import type { PageCursorState } from './cursor-collector.js';
import { readPageFile, type PageReadOptions, type PageReadResult, type PageRecord } from './page-file.js';
import { decodePagedMessage, summarizePagedMessage, type PagedSummary } from './paged-message.js';
import type { PageStore } from './page-store.js';
import { producerSchedule } from './schedule.js';

export interface PagedQueueInfo {
  name: string;
  address: string;
}

export interface PagingInput {
  stores: readonly PageStore[];
  cursor: PageCursorState;
  /** Queues that exist in the bindings journal, by queue id. */
  queues: ReadonlyMap<bigint, PagedQueueInfo>;
  dataDir: string;
  largeMessagesDir: string | null;
  diagnostics: Diagnostics;
  readOptions?: PageReadOptions;
  /**
   * Report damaged page files and undecodable paged messages (default true). A caller that reads
   * the same stores several times can turn this off for the repeat passes so that each problem is
   * reported once.
   */
  reportProblems?: boolean;
}

export type PagedRefState = 'pending' | 'in-doubt-ack' | 'in-doubt-send';

export interface PagedQueueRef {
  queueId: bigint;
  state: PagedRefState;
  /** The prepared transaction that holds the message (in-doubt states only). */
  xidKey?: string;
}

export interface PagedEntry {
  store: PageStore;
  page: number;
  msgNr: number;
  /** Page file, relative to the data directory. */
  file: string;
  /** Offset of the record's start marker in the page file. */
  offset: number;
  /** Length S of the PagedMessage encoding. */
  length: number;
  transactionId: bigint;
  summary: PagedSummary;
  /** The existing queues this message is still pending or in doubt on, in its queue-id order. */
  queues: PagedQueueRef[];
  /** Decodes the whole message (throws DecodeError when its content is damaged). */
  load(): StoredMessage;
}

export interface PagingTotals {
  stores: number;
  pageFiles: number;
  /** Well-framed page records read. */
  records: number;
  /** Messages handed out (pending or in doubt on at least one existing queue). */
  yielded: number;
  /** Records whose PagedMessage could not be decoded (each reported as an error). */
  undecodable: number;
  /** Messages of a transaction with no page-transaction record: rolled back, never committed, or all delivered. */
  withoutPageTransaction: number;
  /** Messages whose page transaction has no deliveries left (the broker drops such transactions at load). */
  exhaustedPageTransaction: number;
  /** (message, queue) pairs consumed per the cursor records. */
  consumedRefs: number;
  /** (message, queue) pairs whose queue no longer exists. */
  missingQueueRefs: number;
  /** Page files with a damaged tail (reported as errors). */
  damagedFiles: number;
}

export function emptyTotals(): PagingTotals {
  return {
    stores: 0,
    pageFiles: 0,
    records: 0,
    yielded: 0,
    undecodable: 0,
    withoutPageTransaction: 0,
    exhaustedPageTransaction: 0,
    consumedRefs: 0,
    missingQueueRefs: 0,
    damagedFiles: 0,
  };
}

/**
 * Yields, store by store, page by page, message by message, every paged message that is pending or
 * in doubt on at least one existing queue. Per queue, the order is (page, message number): the
 * broker's delivery order. `totals` (also the return value) is updated as reading proceeds.
 */
export async function* iteratePagedMessages(
  input: PagingInput,
  totals: PagingTotals = emptyTotals(),
): AsyncGenerator<PagedEntry, PagingTotals> {
  const { queues, diagnostics } = input;
  // Problems of the page files themselves; content problems found by load() are always reported.
  const problems = input.reportProblems === false ? new DiagnosticsSink() : diagnostics;
  const foreignQueueWarned = new Set<string>();

  for (const store of input.stores) {
    totals.stores++;
    for (const file of store.pages) {
      totals.pageFiles++;
      const records = readPageFile(file, problems, input.readOptions);
      try {
        for (;;) {
          let next: IteratorResult<PageRecord, PageReadResult>;
          try {
            next = await records.next();
          } catch (e) {
            problems.error(file.displayPath, null, `page file cannot be read: ${errorText(e)}`, 'page file unreadable');
            break;
          }
          if (next.done) {
            if (next.value.tail === 'damaged') totals.damagedFiles++;
            break;
          }
          const rec = next.value;
          totals.records++;
          let summary: PagedSummary;
          try {
            summary = summarizePagedMessage(rec.body);
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e;
            totals.undecodable++;
            problems.error(
              file.displayPath,
              rec.offset,
              `paged message ${rec.msgNr} of page ${file.page} (address ${store.address}) cannot be decoded and is skipped: ${e.message} (at byte ${e.at} of the record)`,
              'undecodable paged message',
            );
            continue;
          }
          const refs = classify(summary, file.page, rec.msgNr, input, totals);
          if (!refs || refs.length === 0) continue;
          for (const ref of refs) {
            const q = queues.get(ref.queueId)!;
            const warnKey = `${store.displayFolder}\u0000${ref.queueId}`;
            if (q.address !== store.address && !foreignQueueWarned.has(warnKey)) {
              foreignQueueWarned.add(warnKey);
              problems.warning(
                store.displayFolder,
                null,
                `paged messages of address "${store.address}" are routed to queue "${q.name}" (id ${ref.queueId}) of address "${q.address}"`,
                'paged message for a queue of another address',
              );
            }
          }
          totals.yielded++;
          const body = rec.body;
          const ctx: MessageContext = {
            dataDir: input.dataDir,
            largeMessagesDir: input.largeMessagesDir,
            diagnostics,
            where: { file: file.displayPath, offset: rec.offset },
          };
          yield {
            store,
            page: file.page,
            msgNr: rec.msgNr,
            file: file.displayPath,
            offset: rec.offset,
            length: rec.length,
            transactionId: summary.transactionId,
            summary,
            queues: refs,
            load: () => decodePagedMessage(body, ctx).message,
          };
        }
      } finally {
        // Closes the page file when the consumer stops early.
        await records.return({ records: 0, endOfData: 0, size: 0, tail: 'end' });
      }
    }
  }
  return totals;
}

/** The states of one paged message on the existing queues it was routed to; null = not live at all. */
function classify(summary: PagedSummary, page: number, msgNr: number, input: PagingInput, totals: PagingTotals): PagedQueueRef[] | null {
  const { cursor, queues } = input;
  let sendXid: string | undefined;
  if (summary.transactionId >= 0n) {
    const tx = cursor.pageTransaction(summary.transactionId);
    switch (tx.state) {
      case 'missing':
        totals.withoutPageTransaction++;
        return null;
      case 'exhausted':
        totals.exhaustedPageTransaction++;
        return null;
      case 'prepared':
        sendXid = tx.xidKey;
        break;
      case 'committed':
        break;
    }
  }
  const refs: PagedQueueRef[] = [];
  for (const queueId of summary.queueIds) {
    if (!queues.has(queueId)) {
      totals.missingQueueRefs++;
      continue;
    }
    if (refs.some((r) => r.queueId === queueId)) continue; // a queue listed twice is routed once
    if (cursor.isConsumed(queueId, page, msgNr)) {
      totals.consumedRefs++;
      continue;
    }
    if (sendXid !== undefined) {
      refs.push({ queueId, state: 'in-doubt-send', xidKey: sendXid });
      continue;
    }
    const ackXid = cursor.preparedAck(queueId, page, msgNr);
    refs.push(ackXid === null ? { queueId, state: 'pending' } : { queueId, state: 'in-doubt-ack', xidKey: ackXid });
  }
  return refs;
}

export interface PagedQueueCount {
  /** Pending (deliverable) paged messages. */
  pending: number;
  /** Paged messages held by prepared transactions (sent or consumed in doubt). */
  inDoubt: number;
  /** Of pending + inDoubt: bodies in large-messages/. */
  large: number;
  /** Of pending + inDoubt: non-durable messages. */
  nonDurable: number;
  /** Of pending + inDoubt: expired at `now` (expiration > 0 and ≤ now). */
  expired: number;
  /** Of pending + inDoubt: producer-scheduled after `now` (only with `decodeSchedules`). */
  scheduled?: number;
}

export interface CountOptions {
  /** Decode every counted message to find producer schedules (slower: reads properties). */
  decodeSchedules?: boolean;
  /** Reference time for `expired` / `scheduled`, epoch ms (default: Date.now()). */
  now?: number;
}

/** Per-queue counts of paged messages for `inspect`, plus the totals of the pass. */
export async function countPaged(
  input: PagingInput,
  options: CountOptions = {},
): Promise<{ perQueue: Map<bigint, PagedQueueCount>; totals: PagingTotals }> {
  const now = options.now ?? Date.now();
  const perQueue = new Map<bigint, PagedQueueCount>();
  const totals = emptyTotals();
  for await (const entry of iteratePagedMessages(input, totals)) {
    let scheduled = false;
    if (options.decodeSchedules) {
      try {
        const s = producerSchedule(entry.load());
        scheduled = s !== null && (s.kind === 'delay' || s.time > now);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        input.diagnostics.error(entry.file, entry.offset, `paged message ${entry.msgNr} of page ${entry.page}: content cannot be decoded: ${e.message}`, 'undecodable paged message content');
      }
    }
    const { summary } = entry;
    const expired = summary.expiration > 0 && summary.expiration <= now;
    for (const ref of entry.queues) {
      let c = perQueue.get(ref.queueId);
      if (!c) {
        c = { pending: 0, inDoubt: 0, large: 0, nonDurable: 0, expired: 0 };
        if (options.decodeSchedules) c.scheduled = 0;
        perQueue.set(ref.queueId, c);
      }
      if (ref.state === 'pending') c.pending++;
      else c.inDoubt++;
      if (summary.large) c.large++;
      if (!summary.durable) c.nonDurable++;
      if (expired) c.expired++;
      if (scheduled) c.scheduled!++;
    }
  }
  return { perQueue, totals };
}

/** Diagnostics that keep nothing. */
class DiagnosticsSink extends Diagnostics {
  override add(): void {}
}

function errorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code ? `${code} (${(e as Error).message})` : String(e);
}
