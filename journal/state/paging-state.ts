/**
 * Paged messages as queue entries: joins the cursor records of the message journal with the page
 * stores (format spec §12.4, §13.3) and answers what the data directory needs — per-queue counts,
 * per-queue entries in page order, and the paged parts of prepared transactions.
 *
 * Page files are read again for each pass rather than held in memory; a pass only reads the page
 * stores of the queue's own address.
 */
import type { Diagnostics } from '../diagnostics.js';
import type { DataDirLayout } from '../layout.js';
import type { Topology, QueueInfo } from '../bindings/topology.js';
import type { QueueEntry } from '../data-directory.js';
import { PageCursorCollector, type PageCursorState } from '../paging/cursor-collector.js';
import { findPageStores, type PageStore } from '../paging/page-store.js';
import { iteratePagedMessages, type PagedEntry, type PagingInput } from '../paging/pending.js';
import { DecodeError } from '../binary/reader.js';
import type { PagingRecordSink } from './message-journal.js';

export interface PagedCount {
  pending: number;
  large: number;
  inDoubtAcks: number;
  inDoubtSends: number;
  priorities: Set<number>;
}

interface InDoubtRef {
  queueId: bigint;
  messageId: bigint;
}

export class PagingState {
  private readonly collector: PageCursorCollector;
  private cursor: PageCursorState | null = null;
  private stores: PageStore[] = [];
  private queues = new Map<bigint, { name: string; address: string }>();
  private counted: Map<bigint, PagedCount> | null = null;
  private readonly sendsByXid = new Map<string, InDoubtRef[]>();
  private readonly acksByXid = new Map<string, InDoubtRef[]>();

  constructor(
    private readonly layout: DataDirLayout,
    private readonly diagnostics: Diagnostics,
  ) {
    this.collector = new PageCursorCollector(diagnostics);
  }

  cursorSink(): PagingRecordSink {
    return this.collector;
  }

  finish(topology: Topology): void {
    this.cursor = this.collector.finish();
    this.queues = new Map(topology.queues.map((q) => [q.id, { name: q.name, address: q.address }]));
    this.stores = this.layout.pagingDir ? findPageStores(this.layout.pagingDir, this.layout.dataDir, this.diagnostics) : [];
  }

  get pageStores(): readonly PageStore[] {
    return this.stores;
  }

  /** One pass over every page store: per-queue counts and the in-doubt positions per Xid. */
  async count(): Promise<Map<bigint, PagedCount>> {
    if (this.counted) return this.counted;
    const counts = new Map<bigint, PagedCount>();
    for await (const e of this.iterate(this.stores)) {
      for (const ref of e.queues) {
        let c = counts.get(ref.queueId);
        if (!c) counts.set(ref.queueId, (c = { pending: 0, large: 0, inDoubtAcks: 0, inDoubtSends: 0, priorities: new Set() }));
        if (e.summary.large) c.large++;
        if (ref.state === 'pending') {
          c.pending++;
          c.priorities.add(e.summary.priority);
        } else if (ref.state === 'in-doubt-ack') {
          c.inDoubtAcks++;
          c.priorities.add(e.summary.priority);
          push(this.acksByXid, ref.xidKey!, { queueId: ref.queueId, messageId: e.summary.messageId });
        } else {
          c.inDoubtSends++;
          push(this.sendsByXid, ref.xidKey!, { queueId: ref.queueId, messageId: e.summary.messageId });
        }
      }
    }
    this.counted = counts;
    return counts;
  }

  async priorities(queueId: bigint): Promise<number[]> {
    return [...((await this.count()).get(queueId)?.priorities ?? [])];
  }

  /** Pending and in-doubt-acknowledged paged messages of one queue with one priority, in page order. */
  async *entries(queue: QueueInfo, priority: number): AsyncGenerator<QueueEntry> {
    const c = (await this.count()).get(queue.id);
    if (!c || !c.priorities.has(priority)) return;
    for await (const e of this.iterate(this.storesOf(queue))) {
      if (e.summary.priority !== priority) continue;
      const ref = e.queues.find((r) => r.queueId === queue.id);
      if (!ref || ref.state === 'in-doubt-send') continue;
      yield this.entry(queue, e, ref.state, ref.xidKey ?? null);
    }
  }

  /** Paged messages a prepared transaction sent to this queue. */
  async *inDoubtSendEntries(queue: QueueInfo): AsyncGenerator<QueueEntry> {
    const c = (await this.count()).get(queue.id);
    if (!c || c.inDoubtSends === 0) return;
    for await (const e of this.iterate(this.storesOf(queue))) {
      const ref = e.queues.find((r) => r.queueId === queue.id);
      if (ref?.state === 'in-doubt-send') yield this.entry(queue, e, 'in-doubt-send', ref.xidKey ?? null);
    }
  }

  /** Requires count() to have run (the data directory's summarize/entries do). */
  preparedSends(xidKey: string): InDoubtRef[] {
    return this.sendsByXid.get(xidKey) ?? [];
  }

  preparedAcks(xidKey: string): InDoubtRef[] {
    return this.acksByXid.get(xidKey) ?? [];
  }

  private storesOf(queue: QueueInfo): PageStore[] {
    return this.stores.filter((s) => s.address === queue.address);
  }

  /** The first pass (count) reports page problems; later passes read the same bytes again. */
  private iterate(stores: PageStore[]): AsyncGenerator<PagedEntry, unknown> {
    if (!this.cursor || stores.length === 0) return empty();
    const input: PagingInput = {
      stores,
      cursor: this.cursor,
      queues: this.queues,
      dataDir: this.layout.dataDir,
      largeMessagesDir: this.layout.largeMessagesDir,
      diagnostics: this.diagnostics,
      reportProblems: this.counted === null,
    };
    return iteratePagedMessages(input);
  }

  private entry(queue: QueueInfo, e: PagedEntry, state: QueueEntry['state'], xidKey: string | null): QueueEntry {
    const diagnostics = this.diagnostics;
    return {
      queue,
      messageId: e.summary.messageId,
      state,
      xidKey,
      priority: e.summary.priority,
      durable: e.summary.durable,
      large: e.summary.large,
      paged: true,
      // Paged references keep neither a delivery count nor a per-queue schedule (§14.2, §14.3).
      deliveryCount: 0,
      scheduledTime: 0,
      load: () => {
        try {
          return e.load();
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
          diagnostics.error(e.file, e.offset, `paged message ${e.msgNr} of page ${e.page}: ${err.message}`, 'undecodable paged message');
          return null;
        }
      },
    };
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  let l = m.get(k);
  if (!l) m.set(k, (l = []));
  l.push(v);
}

async function* empty(): AsyncGenerator<PagedEntry, unknown> {
  return undefined;
}
