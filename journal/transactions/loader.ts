/**
 * Replays the records of one journal in file-id order and hands the live ones to a consumer, with
 * the broker's transaction semantics (format spec §7.2–§7.6):
 * - non-transactional ADD/UPDATE take effect where they are; DELETE removes an id;
 * - ADD_TX/UPDATE_TX/DELETE_TX wait for their transaction's outcome and take effect at the
 *   COMMIT's position, if the per-file record count of the COMMIT matches;
 * - ROLLBACK drops; a valid PREPARE without outcome is a prepared (in-doubt) XA transaction;
 * - anything else left open was in flight at the crash and is rolled back by the broker.
 *
 * Streaming: the consumer sees records as they become effective instead of a list of everything,
 * so memory holds only open transactions. Large bodies of open transactions are remembered by
 * position and read again at commit time.
 */
import fs from 'node:fs';
import { BufferReader } from '../binary/reader.js';
import { readXid, type Xid } from '../binary/xid.js';
import type { Diagnostics } from '../diagnostics.js';
import type { JournalFile } from '../file/file-set.js';
import { RecordType, type RawRecord } from '../file/record.js';
import { scanJournalBuffer } from '../file/scanner.js';
import type { EffectiveRecord } from '../model/effective-record.js';

export interface JournalConsumer {
  apply(rec: EffectiveRecord): void;
  /** Returns whether the consumer held something under this id. */
  delete(id: bigint): boolean;
}

export interface PreparedTransaction {
  txId: bigint;
  xid: Xid | null;
  /** ADD_TX / UPDATE_TX records, in journal order. */
  records: EffectiveRecord[];
  /** DELETE_TX records (id, and a body in older versions). */
  deletes: EffectiveRecord[];
  file: string;
  offset: number;
}

export interface FileStats {
  file: string;
  fileId: bigint;
  size: number;
  records: number;
  endOfData: number;
}

export interface LoadResult {
  files: FileStats[];
  prepared: PreparedTransaction[];
  /** Transactions with records but no outcome: in flight at the crash, rolled back by the broker. */
  openTransactions: number;
  records: number;
  bytesRead: number;
}

export interface LoadOptions {
  /**
   * true: every EffectiveRecord (and its body) is the consumer's to keep.
   * false: the record object and its body are valid only during apply(); copy what you keep.
   */
  copyBodies: boolean;
}

/** Bodies up to this size are copied when a transaction is buffered; larger ones re-read at commit. */
const INLINE_BODY_LIMIT = 512;

interface PendingRecord {
  type: number;
  id: bigint;
  userType: number;
  fileIndex: number;
  offset: number;
  bodyOffset: number;
  bodyLength: number;
  body: Buffer | null;
}

interface OpenTx {
  records: PendingRecord[];
  deletes: PendingRecord[];
  prepared: boolean;
  invalid: boolean;
  xid: Xid | null;
  counterFile: number;
  counter: number;
  prepareAt: { file: number; offset: number } | null;
}

export async function loadJournal(
  files: JournalFile[],
  consumer: JournalConsumer,
  diagnostics: Diagnostics,
  options: LoadOptions,
): Promise<LoadResult> {
  const open = new Map<bigint, OpenTx>();
  /** Ids deleted before anything was known under them: later records with that id are dead too. */
  const orphanDeletes = new Set<bigint>();
  const stats: FileStats[] = [];
  let total = 0;
  let bytesRead = 0;
  let buf: Buffer = Buffer.alloc(0);
  const prefetch = new Prefetcher(files);

  const reader = new BodyRereader(files);
  let currentFile = -1;
  /**
   * A buffered transaction record as an EffectiveRecord. Its body is still in the buffer of the
   * file being scanned (the usual case: commits follow their records closely) or is read again.
   */
  const materialize = (pr: PendingRecord, keep: boolean): EffectiveRecord => {
    let body = pr.body;
    if (body === null) {
      if (pr.fileIndex === currentFile) {
        const view = buf.subarray(pr.bodyOffset, pr.bodyOffset + pr.bodyLength);
        body = keep || options.copyBodies ? Buffer.from(view) : view;
      } else {
        body = reader.read(pr.fileIndex, pr.bodyOffset, pr.bodyLength);
      }
    }
    return {
      id: pr.id,
      userType: pr.userType,
      body,
      isUpdate: pr.type === RecordType.UPDATE_TX,
      file: files[pr.fileIndex]!.displayPath,
      offset: pr.offset,
      fileIndex: pr.fileIndex,
      bodyOffset: pr.bodyOffset,
    };
  };

  // Without body copies, non-transactional records reach the consumer through one reused object.
  const shared: EffectiveRecord = { id: 0n, userType: 0, body: Buffer.alloc(0), isUpdate: false, file: '', offset: 0, fileIndex: 0, bodyOffset: 0 };

  const deleteId = (id: bigint): void => {
    if (!consumer.delete(id)) orphanDeletes.add(id);
  };

  for (let fi = 0; fi < files.length; fi++) {
    const f = files[fi]!;
    // The next file is read by the thread pool while this one is scanned.
    const { data, size } = await prefetch.take(fi);
    buf = data;
    currentFile = fi;
    bytesRead += size;
    const txOf = (txId: bigint): OpenTx => {
      let tx = open.get(txId);
      if (!tx) {
        tx = { records: [], deletes: [], prepared: false, invalid: false, xid: null, counterFile: fi, counter: 0, prepareAt: null };
        open.set(txId, tx);
      }
      return tx;
    };
    const countIn = (tx: OpenTx): number => (tx.counterFile === fi ? tx.counter : 0);

    const visit = (rec: RawRecord): void => {
      switch (rec.type) {
        case RecordType.ADD:
        case RecordType.UPDATE: {
          if (orphanDeletes.size > 0 && orphanDeletes.has(rec.recordId)) return;
          const e: EffectiveRecord = options.copyBodies ? { ...shared } : shared;
          e.id = rec.recordId;
          e.userType = rec.userType;
          e.body = options.copyBodies ? Buffer.from(rec.body) : rec.body;
          e.isUpdate = rec.type === RecordType.UPDATE;
          e.file = f.displayPath;
          e.offset = rec.offset;
          e.fileIndex = fi;
          e.bodyOffset = rec.bodyOffset;
          consumer.apply(e);
          return;
        }
        case RecordType.DELETE:
          deleteId(rec.recordId);
          return;
        case RecordType.ADD_TX:
        case RecordType.UPDATE_TX:
        case RecordType.DELETE_TX: {
          const tx = txOf(rec.txId);
          if (tx.counterFile !== fi) {
            tx.counterFile = fi;
            tx.counter = 0;
          }
          tx.counter++;
          const pr: PendingRecord = {
            type: rec.type,
            id: rec.recordId,
            userType: rec.userType,
            fileIndex: fi,
            offset: rec.offset,
            bodyOffset: rec.bodyOffset,
            bodyLength: rec.body.length,
            body: rec.body.length <= INLINE_BODY_LIMIT ? Buffer.from(rec.body) : null,
          };
          (rec.type === RecordType.DELETE_TX ? tx.deletes : tx.records).push(pr);
          return;
        }
        case RecordType.PREPARE: {
          const tx = txOf(rec.txId);
          tx.prepared = true;
          tx.prepareAt = { file: fi, offset: rec.offset };
          try {
            tx.xid = readXid(new BufferReader(rec.body));
          } catch (e) {
            tx.xid = null;
            diagnostics.error(f.displayPath, rec.offset, `prepared transaction ${rec.txId}: unreadable Xid (${(e as Error).message})`);
          }
          if (countIn(tx) !== rec.numberOfRecords) {
            tx.invalid = true;
            diagnostics.error(
              f.displayPath,
              rec.offset,
              `prepared transaction ${rec.txId} is incomplete: ${countIn(tx)} of ${rec.numberOfRecords} records found in this file`,
            );
          }
          return;
        }
        case RecordType.COMMIT: {
          const tx = open.get(rec.txId);
          open.delete(rec.txId);
          if (!tx) return; // its records were already reclaimed: legal
          if (countIn(tx) !== rec.numberOfRecords) {
            // The broker drops such a transaction silently; its content was committed to a client.
            diagnostics.error(
              f.displayPath,
              rec.offset,
              `committed transaction ${rec.txId} is missing records: ${countIn(tx)} of ${rec.numberOfRecords} found in this file; the broker would discard all of it`,
            );
            return;
          }
          for (const pr of tx.records) {
            if (!orphanDeletes.has(pr.id)) consumer.apply(materialize(pr, false));
          }
          for (const d of tx.deletes) deleteId(d.id);
          return;
        }
        case RecordType.ROLLBACK:
          open.delete(rec.txId);
          return;
        default:
          return; // EVENT: history copies (journal retention), not live state
      }
    };

    const result = scanJournalBuffer(buf, size, f.formatVersion, f.recordFileId, visit);
    total += result.records;
    stats.push({ file: f.displayPath, fileId: f.fileId, size: f.size, records: result.records, endOfData: result.endOfData });
    for (const p of result.problems) {
      if (p.beforeValidData) {
        diagnostics.error(f.displayPath, p.offset, `damaged record in the middle of the data: ${p.reason}`, 'damaged record');
      } else {
        diagnostics.warning(f.displayPath, p.offset, `torn record at the end of the data (a write cut short by the crash; the broker drops it too): ${p.reason}`, 'torn record');
      }
    }
  }

  currentFile = -1; // prepared transactions outlive the scan buffer: copy or re-read
  const prepared: PreparedTransaction[] = [];
  let openTransactions = 0;
  for (const [txId, tx] of open) {
    if (tx.prepared && !tx.invalid) {
      prepared.push({
        txId,
        xid: tx.xid,
        records: tx.records.map((pr) => materialize(pr, true)),
        deletes: tx.deletes.map((pr) => materialize(pr, true)),
        file: files[tx.prepareAt!.file]!.displayPath,
        offset: tx.prepareAt!.offset,
      });
    } else {
      openTransactions++;
    }
  }
  reader.close();
  return { files: stats, prepared, openTransactions, records: total, bytesRead };
}

/**
 * Reads journal files one ahead into two alternating buffers, so that disk reads overlap with the
 * synchronous scan of the previous file.
 */
class Prefetcher {
  private readonly buffers: [Buffer, Buffer];
  private pending: Promise<{ data: Buffer; size: number }> | null = null;

  constructor(private readonly files: JournalFile[]) {
    const max = files.reduce((m, f) => Math.max(m, f.size), 0);
    this.buffers = [Buffer.allocUnsafe(max), Buffer.allocUnsafe(max)];
  }

  async take(index: number): Promise<{ data: Buffer; size: number }> {
    const current = this.pending ?? this.read(index);
    const result = await current;
    this.pending = index + 1 < this.files.length ? this.read(index + 1) : null;
    return result;
  }

  private async read(index: number): Promise<{ data: Buffer; size: number }> {
    const f = this.files[index]!;
    const data = this.buffers[index % 2]!;
    const fh = await fs.promises.open(f.path, 'r');
    try {
      let done = 0;
      while (done < f.size) {
        const { bytesRead } = await fh.read(data, done, f.size - done, done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return { data, size: done };
    } finally {
      await fh.close();
    }
  }
}

/** Reads bodies of earlier files again, keeping their descriptors open while the load runs. */
class BodyRereader {
  private readonly fds = new Map<number, number>();

  constructor(private readonly files: JournalFile[]) {}

  read(fileIndex: number, offset: number, length: number): Buffer {
    let fd = this.fds.get(fileIndex);
    if (fd === undefined) {
      if (this.fds.size >= 64) this.close();
      fd = fs.openSync(this.files[fileIndex]!.path, 'r');
      this.fds.set(fileIndex, fd);
    }
    const b = Buffer.alloc(length);
    fs.readSync(fd, b, 0, length, offset);
    return b;
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }
}
