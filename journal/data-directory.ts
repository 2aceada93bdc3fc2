/**
 * The library's entry point: open a broker data directory read-only and get the live state the
 * broker itself would recover — topology, every pending message of every queue in delivery
 * order, prepared XA transactions, duplicate-id caches — plus every problem found on the way.
 *
 * Opening indexes everything (bounded memory: positions, not bodies); message bodies are
 * decoded only when an entry's `load()` is called.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Diagnostics } from './diagnostics.js';
import { Diagnostics as DiagnosticsImpl } from './diagnostics.js';
import { BINDINGS_JOURNAL, MESSAGE_JOURNAL, listJournalFiles, type JournalFile } from './file/file-set.js';
import { locateDataDirectory, type DataDirLayout } from './layout.js';
import { loadJournal, type LoadResult } from './transactions/loader.js';
import { TopologyBuilder, type Topology, type QueueInfo } from './bindings/topology.js';
import { MessageJournalBuilder } from './state/message-journal.js';
import { MessageFlag } from './state/message-index.js';
import { JournalMessageReader } from './state/journal-message-reader.js';
import { PagingState } from './state/paging-state.js';
import type { StoredMessage } from './model/message.js';
import type { Xid } from './binary/xid.js';

export class NotArtemisDataError extends Error {
  constructor(
    message: string,
    readonly reason: 'missing' | 'not-a-data-directory' | 'artemis-1x',
  ) {
    super(message);
    this.name = 'NotArtemisDataError';
  }
}

export type EntryState = 'pending' | 'in-doubt-send' | 'in-doubt-ack';

/** One (queue, message) pair of the live state. */
export interface QueueEntry {
  queue: QueueInfo;
  messageId: bigint;
  state: EntryState;
  /** Key of the prepared XA transaction for in-doubt entries. */
  xidKey: string | null;
  priority: number;
  durable: boolean;
  large: boolean;
  paged: boolean;
  deliveryCount: number;
  /** Scheduled delivery time recorded for this queue (ms), 0 = none recorded. */
  scheduledTime: number;
  /** Decodes the message; null when it is unreadable (a diagnostic says why). */
  load(): StoredMessage | null;
}

export interface QueueSummary {
  queue: QueueInfo;
  /** Pending messages (journal + paged), in-doubt ones excluded. */
  messageCount: number;
  journal: number;
  paged: number;
  large: number;
  scheduled: number;
  inDoubtAcks: number;
  inDoubtSends: number;
  /** Refs whose message could not be decoded. */
  unreadable: number;
}

export interface PreparedTransactionView {
  xid: Xid | null;
  xidKey: string;
  txId: bigint;
  file: string;
  offset: number;
  sends: Array<{ queue: string; queueId: bigint; messageId: bigint; paged: boolean }>;
  acks: Array<{ queue: string; queueId: bigint; messageId: bigint; paged: boolean }>;
}

export interface JournalStats {
  files: number;
  bytes: number;
  records: number;
  openTransactions: number;
}

export class ArtemisDataDirectory {
  private constructor(
    readonly layout: DataDirLayout,
    readonly topology: Topology,
    readonly diagnostics: Diagnostics,
    readonly bindingsStats: JournalStats,
    readonly journalStats: JournalStats,
    private readonly messages: MessageJournalBuilder,
    private readonly reader: JournalMessageReader | null,
    readonly paging: PagingState,
  ) {}

  /** Throws NotArtemisDataError for anything that is not an Artemis 2.x data directory. */
  static async open(dir: string): Promise<ArtemisDataDirectory> {
    const layout = locateDataDirectory(dir);
    if (!layout) {
      throw new NotArtemisDataError(
        `${dir}: not an Artemis data directory (no bindings/activemq-bindings-*.bindings and no activemq-data-*.amq journal files)`,
        'not-a-data-directory',
      );
    }
    const diagnostics = new DiagnosticsImpl();

    const topo = new TopologyBuilder(diagnostics);
    let bindingsStats: JournalStats = { files: 0, bytes: 0, records: 0, openTransactions: 0 };
    const bindingsFiles = layout.bindingsDir ? listJournalFiles(layout.bindingsDir, BINDINGS_JOURNAL, layout.dataDir, diagnostics) : [];
    if (bindingsFiles.length > 0) bindingsStats = stats(bindingsFiles, await loadJournal(bindingsFiles, topo, diagnostics, { copyBodies: true }));
    topo.noteBindingsFiles(layout.legacyJmsFiles);
    const topology = topo.finish();

    const paging = new PagingState(layout, diagnostics);
    let journalFiles: JournalFile[] = [];
    if (layout.journalDir) journalFiles = listJournalFiles(layout.journalDir, MESSAGE_JOURNAL, layout.dataDir, diagnostics);
    const messages = new MessageJournalBuilder(
      journalFiles.map((f) => f.displayPath),
      diagnostics,
      paging.cursorSink(),
    );
    let journalStats: JournalStats = { files: 0, bytes: 0, records: 0, openTransactions: 0 };
    if (journalFiles.length > 0) {
      const result = await loadJournal(journalFiles, messages, diagnostics, { copyBodies: false, messageSummaries: true });
      for (const tx of result.prepared) messages.addPrepared(tx);
      messages.finishPendingLarge();
      journalStats = stats(journalFiles, result);
      if (result.openTransactions > 0) {
        diagnostics.info(null, null, `${result.openTransactions} transaction(s) were in flight at the crash; the broker rolls them back`);
      }
    } else if (bindingsFiles.length > 0) {
      diagnostics.info(null, null, 'no message journal files: no journal messages');
    }
    if (bindingsFiles.length === 0) {
      if (journalFiles.length > 0) {
        diagnostics.error(null, null, 'message journal without a bindings journal: the queues its messages belong to are unknown');
      } else {
        diagnostics.warning(null, null, 'no journal files at all: a broker that never wrote data here (empty)');
      }
    }

    const artemis1x = topology.format.artemis1x || messages.artemis1xRecords.length > 0;
    if (artemis1x) {
      const reasons = [...topology.format.reasons];
      if (messages.artemis1xRecords.length > 0) reasons.push(`${messages.artemis1xRecords.length} pre-2.0 ADD_MESSAGE (31) record(s)`);
      throw new NotArtemisDataError(
        `${layout.dataDir}: this is Artemis 1.x (or HornetQ-era) data, which Artemis 2.x itself refuses to load (${reasons.join('; ')}). ` +
          'Start an Artemis 1.x broker on a copy of it and move the messages with a client, or export/import with the 1.x tools.',
        'artemis-1x',
      );
    }

    paging.finish(topology);
    reportRefsWithoutQueue(messages, topology, diagnostics);
    for (const o of messages.orphanRefs) {
      diagnostics.error(o.file, o.offset, `queue ${o.queueId} references message ${o.messageId}, whose record is not in the journal (the broker logs "cannot find message")`, 'missing message');
    }
    const reader = journalFiles.length
      ? new JournalMessageReader(journalFiles, messages.index, layout.dataDir, layout.largeMessagesDir, diagnostics)
      : null;
    if (reader) checkLargeMessageFiles(messages, reader, layout.largeMessagesDir);
    messages.index.releaseLookup();
    for (const refs of messages.queues.values()) refs.seal();
    return new ArtemisDataDirectory(layout, topology, diagnostics, bindingsStats, journalStats, messages, reader, paging);
  }

  get dataDir(): string {
    return this.layout.dataDir;
  }

  /** Durable queues from the bindings journal. */
  get queues(): QueueInfo[] {
    return this.topology.queues;
  }

  /** Per-queue counts: journal refs from the index, paged ones from one pass over the page files. */
  async summarize(): Promise<QueueSummary[]> {
    const paged = await this.paging.count();
    return this.topology.queues.map((queue) => {
      const s: QueueSummary = { queue, messageCount: 0, journal: 0, paged: 0, large: 0, scheduled: 0, inDoubtAcks: 0, inDoubtSends: 0, unreadable: 0 };
      const refs = this.messages.queues.get(queue.id);
      const idx = this.messages.index;
      refs?.forEachLive(
        (slot) => !idx.has(slot, MessageFlag.DEAD),
        (slot, _dc, scheduledTime, inDoubtAck) => {
          if (inDoubtAck >= 0) {
            s.inDoubtAcks++;
            return;
          }
          const flags = idx.flags(slot);
          if (flags & MessageFlag.DAMAGED) s.unreadable++;
          s.journal++;
          if (flags & MessageFlag.LARGE) s.large++;
          if (scheduledTime > 0) s.scheduled++;
        },
      );
      for (const p of this.messages.prepared) s.inDoubtSends += p.sends.filter((x) => x.queueId === queue.id).length;
      const pc = paged.get(queue.id);
      if (pc) {
        s.paged = pc.pending;
        s.large += pc.large;
        s.inDoubtAcks += pc.inDoubtAcks;
        s.inDoubtSends += pc.inDoubtSends;
      }
      s.messageCount = s.journal + s.paged;
      return s;
    });
  }

  /**
   * Every message of one queue in the order the broker would deliver it: priority (high first),
   * then queue order — journal refs in reload order, then paged messages in page order — and
   * finally the messages a prepared transaction sent to it.
   */
  async *entries(queue: QueueInfo): AsyncGenerator<QueueEntry> {
    const idx = this.messages.index;
    const refs = this.messages.queues.get(queue.id);
    const live = (slot: number) => !idx.has(slot, MessageFlag.DEAD);
    const priorities = new Set<number>();
    if (refs) for (const ref of refs.refs(live)) priorities.add(idx.priority(ref.slot));
    for (const p of await this.paging.priorities(queue.id)) priorities.add(p);
    const order = [...priorities].sort((a, b) => b - a);
    for (const prio of order) {
      if (refs) {
        for (const ref of refs.refs(live)) {
          if (idx.priority(ref.slot) !== prio) continue;
          const inDoubt = ref.inDoubtAck >= 0 ? this.messages.prepared[ref.inDoubtAck]! : null;
          yield this.journalEntry(queue, ref.slot, inDoubt ? 'in-doubt-ack' : 'pending', inDoubt?.xidKey ?? null, ref.deliveryCount, ref.scheduledTime);
        }
      }
      yield* this.paging.entries(queue, prio);
    }
    for (const p of this.messages.prepared) {
      for (const s of p.sends) {
        if (s.queueId === queue.id) yield this.journalEntry(queue, s.slot, 'in-doubt-send', p.xidKey, 0, s.scheduledTime);
      }
    }
    yield* this.paging.inDoubtSendEntries(queue);
  }

  preparedTransactions(): PreparedTransactionView[] {
    const name = (id: bigint) => this.topology.queues.find((q) => q.id === id)?.name ?? `unknown-queue-${id}`;
    return this.messages.prepared.map((p) => ({
      xid: p.xid,
      xidKey: p.xidKey,
      txId: p.txId,
      file: p.file,
      offset: p.offset,
      sends: [
        ...p.sends.map((s) => ({ queue: name(s.queueId), queueId: s.queueId, messageId: this.messages.index.id(s.slot), paged: false })),
        ...this.paging.preparedSends(p.xidKey).map((s) => ({ ...s, queue: name(s.queueId), paged: true })),
      ],
      acks: [
        ...p.acks.map((a) => ({ queue: name(a.queueId), queueId: a.queueId, messageId: a.messageId, paged: false })),
        ...this.paging.preparedAcks(p.xidKey).map((a) => ({ ...a, queue: name(a.queueId), paged: true })),
      ],
    }));
  }

  /** Live duplicate-id cache entries per cache name (address, or BRIDGE.<address>). */
  duplicateIdCaches(): Map<string, Buffer[]> {
    const caches = new Map<string, Buffer[]>();
    for (const e of this.messages.duplicateIds.values()) {
      let list = caches.get(e.cacheName);
      if (!list) caches.set(e.cacheName, (list = []));
      list.push(e.duplicateId);
    }
    return caches;
  }

  close(): void {
    this.reader?.close();
  }

  private journalEntry(
    queue: QueueInfo,
    slot: number,
    state: EntryState,
    xidKey: string | null,
    deliveryCount: number,
    scheduledTime: number,
  ): QueueEntry {
    const idx = this.messages.index;
    const reader = this.reader;
    return {
      queue,
      messageId: idx.id(slot),
      state,
      xidKey,
      priority: idx.priority(slot),
      durable: idx.has(slot, MessageFlag.DURABLE),
      large: idx.has(slot, MessageFlag.LARGE),
      paged: false,
      deliveryCount,
      scheduledTime,
      // A damaged message was already reported; it is never presented as readable.
      load: () => (reader && !idx.has(slot, MessageFlag.DAMAGED) ? reader.load(slot) : null),
    };
  }
}

/**
 * Every live large message must have its body file. Checked once at open so that `inspect`
 * reports a missing file too; the decoders name the file (after the legacy original-id fallback).
 */
function checkLargeMessageFiles(messages: MessageJournalBuilder, reader: JournalMessageReader, largeDir: string | null): void {
  const idx = messages.index;
  if (idx.largeCount === 0) return;
  const slots = new Set<number>();
  const live = (slot: number) => !idx.has(slot, MessageFlag.DEAD);
  for (const refs of messages.queues.values()) {
    refs.forEachLive(live, (slot) => {
      if (idx.has(slot, MessageFlag.LARGE)) slots.add(slot);
    });
  }
  for (const p of messages.prepared) for (const s of p.sends) if (idx.has(s.slot, MessageFlag.LARGE)) slots.add(s.slot);
  for (const slot of slots) {
    if (largeDir && fs.existsSync(path.join(largeDir, `${idx.id(slot)}.msg`))) continue;
    const msg = reader.load(slot);
    if (!msg || !bodyFilesExist(msg)) idx.markDamaged(slot);
  }
}

function bodyFilesExist(msg: StoredMessage): boolean {
  const sources = msg.protocol === 'core' ? [msg.body] : msg.encoded;
  return sources.every((s) => s.kind !== 'file' || (s.length >= 0 && fs.existsSync(s.path)));
}

function stats(files: JournalFile[], r: LoadResult): JournalStats {
  return { files: files.length, bytes: r.bytesRead, records: r.records, openTransactions: r.openTransactions };
}

function reportRefsWithoutQueue(messages: MessageJournalBuilder, topology: Topology, diagnostics: Diagnostics): void {
  const known = new Set(topology.queues.map((q) => q.id));
  for (const [queueId, refs] of messages.queues) {
    if (known.has(queueId)) continue;
    let n = 0;
    for (const _ of refs.refs((slot) => !messages.index.has(slot, MessageFlag.DEAD))) n++;
    if (n > 0) {
      diagnostics.warning(null, null, `${n} message reference(s) to queue id ${queueId}, which is not in the bindings journal (a deleted queue: the broker drops them too)`);
    }
  }
}
