/**
 * The records of a real data directory, for tests, read through the library's own journal
 * container (file-set + scanner + transaction loader) instead of a test-local scanner: the
 * decoder tests then check their code on exactly the records the product hands over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BufferReader } from '../../journal/binary/reader.js';
import { xidKey } from '../../journal/binary/xid.js';
import { TopologyBuilder, type QueueInfo, type Topology } from '../../journal/bindings/topology.js';
import { Diagnostics } from '../../journal/diagnostics.js';
import { BINDINGS_JOURNAL, listJournalFiles, MESSAGE_JOURNAL, type JournalFile } from '../../journal/file/file-set.js';
import type { RawRecord } from '../../journal/file/record.js';
import { scanJournalBuffer } from '../../journal/file/scanner.js';
import { locateDataDirectory, type DataDirLayout } from '../../journal/layout.js';
import { decodePersistedMessage } from '../../journal/messages/persisted.js';
import type { EffectiveRecord } from '../../journal/model/effective-record.js';
import type { StoredMessage } from '../../journal/model/message.js';
import { isPagingRecordType, PageCursorCollector, type PageCursorState } from '../../journal/paging/cursor-collector.js';
import { loadJournal, type JournalConsumer, type LoadResult } from '../../journal/transactions/loader.js';

export type JournalName = 'messages' | 'bindings';

/** The files of one journal of a data directory, chosen and ordered as the library does. */
export function journalFiles(dataDir: string, which: JournalName, diagnostics: Diagnostics): JournalFile[] {
  return filesOf(locateDataDirectory(dataDir), which, diagnostics);
}

function filesOf(layout: DataDirLayout | null, which: JournalName, diagnostics: Diagnostics): JournalFile[] {
  const dir = which === 'messages' ? layout?.journalDir : layout?.bindingsDir;
  if (!layout || !dir) return [];
  return listJournalFiles(dir, which === 'messages' ? MESSAGE_JOURNAL : BINDINGS_JOURNAL, layout.dataDir, diagnostics);
}

/** Replays one journal into `consumer` with the broker's transaction rules; bodies are copies. */
export function replayJournal(dataDir: string, which: JournalName, consumer: JournalConsumer, diagnostics: Diagnostics): Promise<LoadResult> {
  return loadJournal(journalFiles(dataDir, which, diagnostics), consumer, diagnostics, { copyBodies: true });
}

/**
 * Every message-journal record that took effect (non-transactional or committed) and that
 * `accept` takes, in the order it took effect, then those of still-prepared transactions. Records
 * deleted later are kept: they are real broker bytes too, and decoders must read them.
 */
export async function messageRecords(dataDir: string, accept: (r: EffectiveRecord) => boolean): Promise<EffectiveRecord[]> {
  const out: EffectiveRecord[] = [];
  const seen = new Set<bigint>();
  const { prepared } = await replayJournal(
    dataDir,
    'messages',
    {
      apply(r) {
        seen.add(r.id);
        if (accept(r)) out.push(r);
      },
      delete: (id) => seen.has(id),
    },
    new Diagnostics(),
  );
  for (const tx of prepared) out.push(...tx.records.filter(accept));
  return out;
}

/** ADD_LARGE_MESSAGE (30), or ADD_MESSAGE_PROTOCOL (45) with the core persister (1). */
export const isCoreMessageRecord = (r: EffectiveRecord): boolean =>
  !r.isUpdate && (r.userType === 30 || (r.userType === 45 && r.body[0] === 1));

/** ADD_MESSAGE_PROTOCOL (45) with an AMQP persister (2..5). */
export const isAmqpMessageRecord = (r: EffectiveRecord): boolean =>
  !r.isUpdate && r.userType === 45 && r.body.length > 0 && r.body[0]! >= 2 && r.body[0]! <= 5;

/** Every well-framed record of one journal file, before any transaction rule (bodies copied). */
export function rawRecords(file: JournalFile): RawRecord[] {
  const buf = fs.readFileSync(file.path);
  const out: RawRecord[] = [];
  scanJournalBuffer(buf, buf.length, file.formatVersion, file.recordFileId, (r) => out.push({ ...r, body: Buffer.from(r.body) }));
  return out;
}

export interface BindingsScan {
  /** On-disk names of the bindings journal files read, in file-id order. */
  journalFiles: string[];
  /** Every well-framed record of each of those files, by on-disk name. */
  rawRecords: Map<string, RawRecord[]>;
  legacyJmsFiles: string[];
}

/** The topology of a data directory's bindings journal; loader and topology share `diagnostics`. */
export async function loadTopology(dataDir: string): Promise<{ topology: Topology; diagnostics: Diagnostics; scan: BindingsScan }> {
  const diagnostics = new Diagnostics();
  const builder = new TopologyBuilder(diagnostics);
  const layout = locateDataDirectory(dataDir);
  const files = filesOf(layout, 'bindings', diagnostics);
  if (files.length > 0) await loadJournal(files, builder, diagnostics, { copyBodies: true });
  const legacyJmsFiles = layout?.legacyJmsFiles ?? [];
  builder.noteBindingsFiles(legacyJmsFiles);
  const names = files.map((f) => path.basename(f.path));
  const scan = { journalFiles: names, rawRecords: new Map(files.map((f, i) => [names[i]!, rawRecords(f)])), legacyJmsFiles };
  return { topology: builder.finish(), diagnostics, scan };
}

/** The durable queues of a data directory by queue id. */
export async function queuesById(dataDir: string): Promise<Map<bigint, QueueInfo>> {
  return new Map((await loadTopology(dataDir)).topology.queues.map((q) => [q.id, q]));
}

export interface PagingJournal {
  cursor: PageCursorState;
  /** Messages referenced per queue from the message journal, in ADD_REF order. */
  journalRefs: Map<bigint, StoredMessage[]>;
  diagnostics: Diagnostics;
}

/**
 * The message journal as the paging tests need it: the paging records (35, 39–43) in a
 * PageCursorCollector, and the journal messages (45) still referenced (32 minus 33) per queue.
 */
export async function pagingJournal(dataDir: string): Promise<PagingJournal> {
  const diagnostics = new Diagnostics();
  const collector = new PageCursorCollector(diagnostics);
  const messages = new Map<bigint, EffectiveRecord>();
  const refs = new Map<bigint, Set<bigint>>();
  const result = await replayJournal(
    dataDir,
    'messages',
    {
      apply(r) {
        if (isPagingRecordType(r.userType)) return collector.apply(r);
        if (r.userType === 45 && !r.isUpdate) messages.set(r.id, r);
        if (r.userType === 32 || r.userType === 33) {
          const q = r.body.readBigInt64BE(0);
          let ids = refs.get(q);
          if (!ids) refs.set(q, (ids = new Set()));
          if (r.userType === 33) ids.delete(r.id);
          else if (messages.has(r.id)) ids.add(r.id);
        }
      },
      delete(id) {
        if (collector.delete(id)) return true;
        for (const ids of refs.values()) ids.delete(id);
        return messages.delete(id);
      },
    },
    diagnostics,
  );
  for (const tx of result.prepared) {
    const key = tx.xid ? xidKey(tx.xid) : `tx:${tx.txId}`;
    for (const r of tx.records) if (isPagingRecordType(r.userType)) collector.addPrepared(key, r, false);
    for (const r of tx.deletes) collector.addPrepared(key, r, true);
  }
  const journalRefs = new Map<bigint, StoredMessage[]>();
  for (const [q, ids] of refs) {
    const list: StoredMessage[] = [];
    for (const id of ids) {
      const rec = messages.get(id);
      if (!rec) continue;
      const where = { file: rec.file, offset: rec.offset };
      list.push(decodePersistedMessage(new BufferReader(rec.body), { dataDir, largeMessagesDir: null, diagnostics, where }));
    }
    journalRefs.set(q, list);
  }
  return { cursor: collector.finish(), journalRefs, diagnostics };
}
