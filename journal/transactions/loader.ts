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
import { RecordType, type RawRecord, type RecordTypeCode } from '../file/record.js';
import { idFromHalves, ScannedRecord } from '../file/scanner.js';
import { F, ROW } from '../file/descriptors.js';
import { openScanSource } from './scan-source.js';
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
  /** Peek message headers while scanning (EffectiveRecord.summary), possibly on another thread. */
  messageSummaries?: boolean;
}

/** Bodies of transactions that outlive their file are kept if this small, whatever the budget. */
const INLINE_BODY_LIMIT = 512;
/** Bytes of open transactions' bodies kept in memory across files; beyond, they are re-read. */
const RETAINED_BODY_BUDGET = 64 * 1024 * 1024;

interface PendingRecord {
  type: number;
  summary: number;
  idHi: number;
  idLo: number;
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
  const open = new Map<number | bigint, OpenTx>();
  /** Ids deleted before anything was known under them: later records with that id are dead too. */
  const orphanDeletes = new Set<bigint>();
  const stats: FileStats[] = [];
  let total = 0;
  let bytesRead = 0;
  let buf: Buffer = Buffer.alloc(0);
  const source = openScanSource(files, options.messageSummaries === true);
  const rec = new ScannedRecord(buf);
  let retainedBytes = 0;

  const reader = new BodyRereader(files);
  let currentFile = -1;
  /**
   * A buffered transaction record as an EffectiveRecord. Its body is still in the buffer of the
   * file being scanned (the usual case: commits follow their records closely) or is read again.
   */
  const txShared = new SharedRecord();
  const materialize = (pr: PendingRecord, keep: boolean): EffectiveRecord => {
    const inScanBuffer = pr.body === null && pr.fileIndex === currentFile;
    if (inScanBuffer && !keep && !options.copyBodies) {
      // Handed to apply() only: the reused record reading straight from the scan buffer.
      txShared.idHi = pr.idHi;
      txShared.idLo = pr.idLo;
      txShared.userType = pr.userType;
      txShared.isUpdate = pr.type === RecordType.UPDATE_TX;
      txShared.file = files[pr.fileIndex]!.displayPath;
      txShared.offset = pr.offset;
      txShared.fileIndex = pr.fileIndex;
      txShared.buf = buf;
      txShared.bodyOffset = pr.bodyOffset;
      txShared.bodyLength = pr.bodyLength;
      txShared.summary = pr.summary;
      return txShared;
    }
    let body = pr.body;
    if (body === null) {
      body = inScanBuffer
        ? Buffer.from(buf.subarray(pr.bodyOffset, pr.bodyOffset + pr.bodyLength))
        : reader.read(pr.fileIndex, pr.bodyOffset, pr.bodyLength);
    }
    return {
      id: idFromHalves(pr.idHi, pr.idLo),
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
  const shared = new SharedRecord();

  const deleteId = (id: bigint): void => {
    if (!consumer.delete(id)) orphanDeletes.add(id);
  };

  for (let fi = 0; fi < files.length; fi++) {
    const f = files[fi]!;
    // The next file is being read and scanned (on a worker for large journals) while this one's
    // records are replayed.
    const scanned = await source.take(fi);
    const size = scanned.size;
    buf = scanned.data;
    rec.buf = buf;
    currentFile = fi;
    bytesRead += size;
    const txOf = (key: number | bigint): OpenTx => {
      let tx = open.get(key);
      if (!tx) {
        tx = { records: [], deletes: [], prepared: false, invalid: false, xid: null, counterFile: fi, counter: 0, prepareAt: null };
        open.set(key, tx);
      }
      return tx;
    };
    const countIn = (tx: OpenTx): number => (tx.counterFile === fi ? tx.counter : 0);

    const visit = (rec: RawRecord): void => {
      switch (rec.type) {
        case RecordType.ADD:
        case RecordType.UPDATE: {
          if (orphanDeletes.size > 0 && orphanDeletes.has(rec.recordId)) return; // only then is the id built
          if (options.copyBodies) {
            consumer.apply({
              id: rec.recordId,
              userType: rec.userType,
              body: Buffer.from(rec.body),
              isUpdate: rec.type === RecordType.UPDATE,
              file: f.displayPath,
              offset: rec.offset,
              fileIndex: fi,
              bodyOffset: rec.bodyOffset,
            });
            return;
          }
          shared.idHi = rec.recordIdHi;
          shared.idLo = rec.recordIdLo;
          shared.userType = rec.userType;
          shared.buf = rec.buf;
          shared.bodyOffset = rec.bodyOffset;
          shared.bodyLength = rec.bodyLength;
          shared.isUpdate = rec.type === RecordType.UPDATE;
          shared.file = f.displayPath;
          shared.offset = rec.offset;
          shared.fileIndex = fi;
          shared.summary = rec.summary;
          consumer.apply(shared);
          return;
        }
        case RecordType.DELETE:
          deleteId(rec.recordId);
          return;
        case RecordType.ADD_TX:
        case RecordType.UPDATE_TX:
        case RecordType.DELETE_TX: {
          const tx = txOf(rec.txKey);
          if (tx.counterFile !== fi) {
            tx.counterFile = fi;
            tx.counter = 0;
          }
          tx.counter++;
          // The body stays in the scan buffer; it is copied only if the transaction outlives this
          // file (see the end of the file loop).
          const pr: PendingRecord = {
            type: rec.type,
            idHi: rec.recordIdHi,
            idLo: rec.recordIdLo,
            userType: rec.userType,
            fileIndex: fi,
            offset: rec.offset,
            bodyOffset: rec.bodyOffset,
            bodyLength: rec.bodyLength,
            summary: rec.summary,
            body: null,
          };
          (rec.type === RecordType.DELETE_TX ? tx.deletes : tx.records).push(pr);
          return;
        }
        case RecordType.PREPARE: {
          const tx = txOf(rec.txKey);
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
          const key = rec.txKey;
          const tx = open.get(key);
          open.delete(key);
          if (tx) retainedBytes -= retained(tx);
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
            if (orphanDeletes.size === 0 || !orphanDeletes.has(idFromHalves(pr.idHi, pr.idLo))) consumer.apply(materialize(pr, false));
          }
          for (const d of tx.deletes) deleteId(idFromHalves(d.idHi, d.idLo));
          return;
        }
        case RecordType.ROLLBACK:
          const rolledBack = open.get(rec.txKey);
          if (rolledBack) retainedBytes -= retained(rolledBack);
          open.delete(rec.txKey);
          return;
        default:
          return; // EVENT: history copies (journal retention), not live state
      }
    };

    const rows = scanned.rows;
    for (let i = 0, r = 0; i < scanned.count; i++, r += ROW) {
      rec.type = rows[r + F.TYPE]! as RecordTypeCode;
      rec.offset = rows[r + F.OFFSET]!;
      rec.length = rows[r + F.LENGTH]!;
      rec.compactCount = rows[r + F.COMPACT]!;
      rec.txIdHi = rows[r + F.TX_HI]! >>> 0;
      rec.txIdLo = rows[r + F.TX_LO]! >>> 0;
      rec.recordIdHi = rows[r + F.ID_HI]! >>> 0;
      rec.recordIdLo = rows[r + F.ID_LO]! >>> 0;
      rec.userType = rows[r + F.USER_TYPE]!;
      rec.numberOfRecords = rows[r + F.NUM_RECORDS]!;
      rec.bodyOffset = rows[r + F.BODY_OFFSET]!;
      rec.bodyLength = rows[r + F.BODY_LENGTH]!;
      rec.summary = rows[r + F.SUMMARY]!;
      visit(rec);
    }
    const result = { records: scanned.count, endOfData: scanned.endOfData, problems: scanned.problems };
    // Transactions still open carry on into later files: keep their bodies of this file while the
    // memory they hold stays within a budget (a commit normally follows soon); past it, bodies are
    // read again at commit, so a huge open transaction cannot exhaust memory.
    for (const tx of open.values()) {
      for (const list of [tx.records, tx.deletes]) {
        for (const pr of list) {
          if (pr.fileIndex !== fi || pr.body !== null) continue;
          if (pr.bodyLength <= INLINE_BODY_LIMIT || retainedBytes + pr.bodyLength <= RETAINED_BODY_BUDGET) {
            pr.body = Buffer.from(buf.subarray(pr.bodyOffset, pr.bodyOffset + pr.bodyLength));
            retainedBytes += pr.bodyLength;
          }
        }
      }
    }
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
  for (const [key, tx] of open) {
    const txId = BigInt(key);
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
  await source.close();
  return { files: stats, prepared, openTransactions, records: total, bytesRead };
}

/** Body bytes a transaction holds in memory (counted against the retained budget). */
function retained(tx: OpenTx): number {
  let n = 0;
  for (const list of [tx.records, tx.deletes]) for (const pr of list) if (pr.body !== null) n += pr.bodyLength;
  return n;
}

/** The reused record of the non-copying path: its body view is made only if someone asks. */
class SharedRecord implements EffectiveRecord {
  idHi = 0;
  idLo = 0;
  userType = 0;
  isUpdate = false;
  file = '';
  offset = 0;
  fileIndex = 0;
  bodyOffset = 0;
  bodyLength = 0;
  summary = -1;
  buf: Buffer = Buffer.alloc(0);

  get body(): Buffer {
    return this.buf.subarray(this.bodyOffset, this.bodyOffset + this.bodyLength);
  }

  get id(): bigint {
    return idFromHalves(this.idHi, this.idLo);
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
