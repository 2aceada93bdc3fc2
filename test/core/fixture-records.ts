/**
 * Test-only journal scanner (format spec §5) that returns the message-carrying records of one
 * journal file, so the core codec can be tested on real bytes independently of journal/file/.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface MessageRecord {
  /** 11 ADD or 13 ADD_TX. */
  recordType: number;
  recordId: bigint;
  txId: bigint | null;
  /** 45 ADD_MESSAGE_PROTOCOL (persister byte 1 only) or 30 ADD_LARGE_MESSAGE. */
  userType: number;
  /** The record body (a view into the file buffer). */
  body: Buffer;
  file: string;
  /** Offset of the record start in the file. */
  offset: number;
}

const FIXED_V2: Record<number, number> = { 10: 23, 11: 23, 12: 23, 13: 31, 14: 31, 15: 30, 16: 18, 17: 26, 18: 22, 19: 18 };

/** Scans every record of one file the way the broker's loader does and keeps core message records. */
export function scanCoreMessageRecords(file: string): MessageRecord[] {
  const buf = fs.readFileSync(file);
  if (buf.length < 16) return [];
  const version = buf.readInt32BE(0);
  const fid = Number(buf.readBigInt64BE(8) & 0x7fffffffn);
  const size = buf.length;
  const out: MessageRecord[] = [];
  let pos = 16;
  while (pos < size) {
    const start = pos;
    const t = buf[start]!;
    pos = start + 1; // default: rescan from the next byte
    if (t < 10 || t > 19) continue;
    let p = start + 1;
    if (p + 4 > size || buf.readInt32BE(p) !== fid) continue;
    p += 4;
    if (version >= 2) {
      if (p + 1 > size) continue;
      p += 1;
    }
    let txId: bigint | null = null;
    let recordId = 0n;
    let n = 0;
    let x = 0;
    let userType = 0;
    let bodyStart = 0;
    if ([13, 14, 15, 17, 18, 19].includes(t)) {
      if (p + 8 > size) continue;
      txId = buf.readBigInt64BE(p);
      p += 8;
    }
    if (t <= 16) {
      if (p + 8 > size) continue;
      recordId = buf.readBigInt64BE(p);
      p += 8;
    }
    if (t <= 15) {
      if (p + 4 > size) continue;
      n = buf.readInt32BE(p);
      p += 4;
      if (t !== 15) {
        if (p + 1 > size) continue;
        userType = buf[p]!;
        p += 1;
      }
      if (n < 0 || p + n > size) continue;
      bodyStart = p;
      p += n;
    }
    if (t === 17 || t === 18) {
      if (p + 4 > size) continue;
      p += 4;
      if (t === 17) {
        if (p + 4 > size) continue;
        x = buf.readInt32BE(p);
        p += 4;
      }
    }
    const total = FIXED_V2[t]! - (version >= 2 ? 0 : 1) + n + x;
    if (total < 0 || start + total > size || buf.readInt32BE(start + total - 4) !== total) continue;
    pos = start + total;
    if (t !== 11 && t !== 13) continue;
    const body = buf.subarray(bodyStart, bodyStart + n);
    if (userType === 30 || (userType === 45 && body[0] === 1)) {
      out.push({ recordType: t, recordId, txId, userType, body, file, offset: start });
    }
  }
  return out;
}

/** All core message records of a data directory's message journal, file by file. */
export function scanDataDir(dataDir: string): MessageRecord[] {
  const dir = path.join(dataDir, 'journal');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.amq'))
    .sort()
    .flatMap((f) => scanCoreMessageRecords(path.join(dir, f)));
}
