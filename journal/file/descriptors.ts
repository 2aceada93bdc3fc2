/**
 * A scanned journal file as a flat table of record descriptors (one row of int32 per record), so
 * that scanning can run on another thread and the table can be handed over without copying.
 */
import { scanJournalBuffer, type ScanProblem } from './scanner.js';
import type { RawRecord } from './record.js';

export const F = {
  TYPE: 0,
  OFFSET: 1,
  LENGTH: 2,
  COMPACT: 3,
  TX_HI: 4,
  TX_LO: 5,
  ID_HI: 6,
  ID_LO: 7,
  USER_TYPE: 8,
  NUM_RECORDS: 9,
  BODY_OFFSET: 10,
  BODY_LENGTH: 11,
  /** Precomputed message summary (see record-summary.ts), or -1. */
  SUMMARY: 12,
} as const;
export const ROW = 13;

export interface ScannedTable {
  rows: Int32Array;
  count: number;
  endOfData: number;
  problems: ScanProblem[];
}

/** Optional per-record work done while scanning (e.g. a message header summary). */
export type Summarizer = (rec: RawRecord) => number;

export function scanToTable(
  buf: Buffer,
  size: number,
  formatVersion: number,
  fileId: number,
  summarize: Summarizer | null,
  /** A table to fill (reused between files to spare the allocator); grown when too small. */
  reuse: Int32Array | null = null,
): ScannedTable {
  let rows = reuse && reuse.length >= ROW ? reuse : new Int32Array(ROW * 1024);
  let count = 0;
  const result = scanJournalBuffer(buf, size, formatVersion, fileId, (rec) => {
    if ((count + 1) * ROW > rows.length) {
      const next = new Int32Array(rows.length * 2);
      next.set(rows);
      rows = next;
    }
    const r = count * ROW;
    rows[r + F.TYPE] = rec.type;
    rows[r + F.OFFSET] = rec.offset;
    rows[r + F.LENGTH] = rec.length;
    rows[r + F.COMPACT] = rec.compactCount;
    rows[r + F.TX_HI] = rec.txIdHi;
    rows[r + F.TX_LO] = rec.txIdLo;
    rows[r + F.ID_HI] = rec.recordIdHi;
    rows[r + F.ID_LO] = rec.recordIdLo;
    rows[r + F.USER_TYPE] = rec.userType;
    rows[r + F.NUM_RECORDS] = rec.numberOfRecords;
    rows[r + F.BODY_OFFSET] = rec.bodyOffset;
    rows[r + F.BODY_LENGTH] = rec.bodyLength;
    rows[r + F.SUMMARY] = summarize ? summarize(rec) : -1;
    count++;
  });
  return { rows, count, endOfData: result.endOfData, problems: result.problems };
}
