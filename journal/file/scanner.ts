/**
 * Finds the records of one journal file exactly as the broker's loader does (format spec §5):
 * every byte position is a candidate; a candidate is a record when its type byte, 31-bit file id
 * and trailing checkSize all agree. There is no end-of-data marker and no stopping at the first
 * bad byte: pre-allocated zeros and stale records of a recycled file are skipped naturally.
 *
 * What the broker skips silently we still report: a candidate with the right type and file id
 * whose framing fails is a torn or damaged record. At the tail of the data (nothing valid after
 * it) that is the normal trace of a crash mid-write (warning); with valid records after it, data
 * in the middle of the file is damaged (error).
 */
import { RecordType, fixedSize, type RawRecord, type RecordTypeCode } from './record.js';

export interface ScanProblem {
  offset: number;
  /** Some valid record of this file starts after it. */
  beforeValidData: boolean;
  reason: string;
}

export interface ScanResult {
  records: number;
  /** End of the last valid record: where the broker would append next. */
  endOfData: number;
  problems: ScanProblem[];
}

/** Record types with a transaction id / a record id, as bit masks over the type byte. */
const HAS_TX = (1 << 13) | (1 << 14) | (1 << 15) | (1 << 17) | (1 << 18) | (1 << 19);
const HAS_ID = (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | (1 << 15) | (1 << 16);

/**
 * @param buf the whole file content (header included)
 * @param size number of valid bytes in buf
 * @param formatVersion header formatVersion (1 has no compactCount byte)
 * @param fileId header fileID & 0x7fffffff
 */
export function scanJournalBuffer(
  buf: Buffer,
  size: number,
  formatVersion: number,
  fileId: number,
  visit: (rec: RawRecord) => void,
): ScanResult {
  const problems: ScanProblem[] = [];
  let pos = 16;
  let endOfData = 16;
  let records = 0;
  // One report per run of failed candidates: bytes inside a rejected record are re-examined and
  // may look like further candidates.
  let pendingProblem: ScanProblem | null = null;
  const fail = (start: number, reason: string): void => {
    if (!pendingProblem) pendingProblem = { offset: start, beforeValidData: false, reason };
  };
  // One record object, refilled for every visit: millions of records, no garbage per record.
  const rec = new ScannedRecord(buf);

  while (pos < size) {
    const start = pos;
    const t = buf[pos]!;
    if (t < RecordType.EVENT || t > RecordType.ROLLBACK) {
      pos++;
      continue;
    }
    let p = start + 1;
    if (p + 4 > size) {
      pos++;
      continue;
    }
    const recFid = buf.readInt32BE(p);
    p += 4;
    if (recFid !== fileId) {
      pos++;
      continue;
    }
    // From here on the candidate claims to belong to this file's current life.
    let compactCount = 0;
    if (formatVersion >= 2) {
      if (p + 1 > size) {
        fail(start, 'truncated record head');
        pos = start + 1;
        continue;
      }
      compactCount = buf[p]!;
      p += 1;
    }
    let txHi = 0;
    let txLo = 0;
    let idHi = 0;
    let idLo = 0;
    if ((HAS_TX >> t) & 1) {
      if (p + 8 > size) {
        fail(start, 'truncated transaction id');
        pos = start + 1;
        continue;
      }
      txHi = buf.readUInt32BE(p);
      txLo = buf.readUInt32BE(p + 4);
      p += 8;
    }
    if ((HAS_ID >> t) & 1) {
      if (p + 8 > size) {
        fail(start, 'truncated record id');
        pos = start + 1;
        continue;
      }
      idHi = buf.readUInt32BE(p);
      idLo = buf.readUInt32BE(p + 4);
      p += 8;
    }
    let bodyLen = 0;
    let extraLen = 0;
    let userType = 0;
    let numberOfRecords = 0;
    if (t <= RecordType.DELETE_TX) {
      if (p + 4 > size) {
        fail(start, 'truncated body size');
        pos = start + 1;
        continue;
      }
      bodyLen = buf.readInt32BE(p);
      p += 4;
      if (t !== RecordType.DELETE_TX) {
        if (p + 1 > size) {
          fail(start, 'truncated user record type');
          pos = start + 1;
          continue;
        }
        userType = buf[p]!;
        p += 1;
      }
      if (bodyLen < 0 || p + bodyLen > size) {
        fail(start, `body size ${bodyLen} does not fit the file`);
        pos = start + 1;
        continue;
      }
    } else if (t === RecordType.PREPARE || t === RecordType.COMMIT) {
      if (p + 4 > size) {
        fail(start, 'truncated record count');
        pos = start + 1;
        continue;
      }
      numberOfRecords = buf.readInt32BE(p);
      p += 4;
      if (t === RecordType.PREPARE) {
        if (p + 4 > size) {
          fail(start, 'truncated prepare extra-data size');
          pos = start + 1;
          continue;
        }
        extraLen = buf.readInt32BE(p);
        p += 4;
        if (extraLen < 0 || p + extraLen > size) {
          fail(start, `prepare extra-data size ${extraLen} does not fit the file`);
          pos = start + 1;
          continue;
        }
      }
    }
    const total = fixedSize(t, formatVersion) + bodyLen + extraLen;
    if (total <= 0 || start + total > size) {
      fail(start, `record length ${total} runs past the end of the file`);
      pos = start + 1;
      continue;
    }
    const check = buf.readInt32BE(start + total - 4);
    if (check !== total) {
      fail(start, `checkSize ${check} does not match record length ${total}`);
      pos = start + 1;
      continue;
    }
    if (pendingProblem) {
      (pendingProblem as ScanProblem).beforeValidData = true;
      problems.push(pendingProblem);
      pendingProblem = null;
    }
    const dataLen = bodyLen + extraLen;
    rec.type = t as RecordTypeCode;
    rec.offset = start;
    rec.length = total;
    rec.compactCount = compactCount;
    rec.txIdHi = txHi;
    rec.txIdLo = txLo;
    rec.recordIdHi = idHi;
    rec.recordIdLo = idLo;
    rec.userType = userType;
    rec.numberOfRecords = numberOfRecords;
    rec.bodyOffset = p;
    rec.bodyLength = dataLen;
    visit(rec);
    records++;
    pos = start + total;
    endOfData = pos;
  }
  if (pendingProblem) problems.push(pendingProblem);
  return { records, endOfData, problems };
}

/** A RawRecord whose fields are refilled for every record (by the scan, or from a scanned table). */
export class ScannedRecord implements RawRecord {
  type: RecordTypeCode = RecordType.ADD;
  offset = 0;
  length = 0;
  compactCount = 0;
  txIdHi = 0;
  txIdLo = 0;
  recordIdHi = 0;
  recordIdLo = 0;
  userType = 0;
  numberOfRecords = 0;
  bodyOffset = 0;
  bodyLength = 0;
  /** A message summary computed while scanning, or -1 (see messages/record-summary.ts). */
  summary = -1;

  constructor(public buf: Buffer) {}

  get body(): Buffer {
    return this.buf.subarray(this.bodyOffset, this.bodyOffset + this.bodyLength);
  }

  get txId(): bigint {
    return idFromHalves(this.txIdHi, this.txIdLo);
  }

  /** The transaction id as a Map key: a Number when exact (almost always), else a bigint. */
  get txKey(): number | bigint {
    return this.txIdHi < 0x200000 ? this.txIdHi * 4294967296 + this.txIdLo : this.txId;
  }

  get recordId(): bigint {
    return idFromHalves(this.recordIdHi, this.recordIdLo);
  }
}

/** A signed 64-bit id from its two big-endian 32-bit halves. */
export function idFromHalves(hi: number, lo: number): bigint {
  if (hi < 0x200000) return BigInt(hi * 4294967296 + lo); // below 2^53: exact as a Number
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}
