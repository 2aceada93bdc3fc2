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

const HAS_TX = new Set<number>([13, 14, 15, 17, 18, 19]);
const HAS_ID = new Set<number>([10, 11, 12, 13, 14, 15, 16]);

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
    const fail = (reason: string): void => {
      if (!pendingProblem) pendingProblem = { offset: start, beforeValidData: false, reason };
      pos = start + 1;
    };
    let compactCount = 0;
    if (formatVersion >= 2) {
      if (p + 1 > size) {
        fail('truncated record head');
        continue;
      }
      compactCount = buf[p]!;
      p += 1;
    }
    let txId = 0n;
    let idHi = 0;
    let idLo = 0;
    if (HAS_TX.has(t)) {
      if (p + 8 > size) {
        fail('truncated transaction id');
        continue;
      }
      txId = buf.readBigInt64BE(p);
      p += 8;
    }
    if (HAS_ID.has(t)) {
      if (p + 8 > size) {
        fail('truncated record id');
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
        fail('truncated body size');
        continue;
      }
      bodyLen = buf.readInt32BE(p);
      p += 4;
      if (t !== RecordType.DELETE_TX) {
        if (p + 1 > size) {
          fail('truncated user record type');
          continue;
        }
        userType = buf[p]!;
        p += 1;
      }
      if (bodyLen < 0 || p + bodyLen > size) {
        fail(`body size ${bodyLen} does not fit the file`);
        continue;
      }
    } else if (t === RecordType.PREPARE || t === RecordType.COMMIT) {
      if (p + 4 > size) {
        fail('truncated record count');
        continue;
      }
      numberOfRecords = buf.readInt32BE(p);
      p += 4;
      if (t === RecordType.PREPARE) {
        if (p + 4 > size) {
          fail('truncated prepare extra-data size');
          continue;
        }
        extraLen = buf.readInt32BE(p);
        p += 4;
        if (extraLen < 0 || p + extraLen > size) {
          fail(`prepare extra-data size ${extraLen} does not fit the file`);
          continue;
        }
      }
    }
    const total = fixedSize(t, formatVersion) + bodyLen + extraLen;
    if (total <= 0 || start + total > size) {
      fail(`record length ${total} runs past the end of the file`);
      continue;
    }
    const check = buf.readInt32BE(start + total - 4);
    if (check !== total) {
      fail(`checkSize ${check} does not match record length ${total}`);
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
    rec.txId = txId;
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

class ScannedRecord implements RawRecord {
  type: RecordTypeCode = RecordType.ADD;
  offset = 0;
  length = 0;
  compactCount = 0;
  txId = 0n;
  recordIdHi = 0;
  recordIdLo = 0;
  userType = 0;
  numberOfRecords = 0;
  bodyOffset = 0;
  bodyLength = 0;

  constructor(readonly buf: Buffer) {}

  get body(): Buffer {
    return this.buf.subarray(this.bodyOffset, this.bodyOffset + this.bodyLength);
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
