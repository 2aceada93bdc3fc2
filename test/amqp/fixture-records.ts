/**
 * Test-local journal scanner (format spec §5), independent of journal/file/: finds the
 * ADD / ADD_TX records of type ADD_MESSAGE_PROTOCOL (45) whose body starts with an AMQP persister
 * id (2..5), so the AMQP decoders can be checked against real broker data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FixtureRecord {
  file: string;
  /** Offset of the record (its type byte) in the file. */
  offset: number;
  type: number;
  recordId: bigint;
  userType: number;
  /** Whole record body: persister id byte first. */
  body: Buffer;
}

const FIXED_V2: Record<number, number> = { 10: 23, 11: 23, 12: 23, 13: 31, 14: 31, 15: 30, 16: 18, 17: 26, 18: 22, 19: 18 };

export function scanJournalFile(path: string): FixtureRecord[] {
  const buf = readFileSync(path);
  const version = buf.readInt32BE(0);
  const fileId = Number(buf.readBigInt64BE(8) & 0x7fffffffn);
  const hasCompactCount = version >= 2;
  const out: FixtureRecord[] = [];
  let pos = 16;
  while (pos < buf.length) {
    const start = pos;
    const rec = tryRecord(buf, start, fileId, hasCompactCount);
    if (!rec) {
      pos = start + 1;
      continue;
    }
    out.push({ file: path, offset: start, ...rec.record });
    pos = start + rec.total;
  }
  return out;
}

function tryRecord(
  buf: Buffer,
  start: number,
  fileId: number,
  hasCompactCount: boolean,
): { record: Omit<FixtureRecord, 'file' | 'offset'>; total: number } | null {
  const t = buf[start]!;
  if (t < 10 || t > 19) return null;
  let p = start + 1;
  const need = (n: number): boolean => p + n <= buf.length;
  if (!need(4) || buf.readInt32BE(p) !== fileId) return null;
  p += 4;
  if (hasCompactCount) {
    if (!need(1)) return null;
    p += 1;
  }
  if ([13, 14, 15, 17, 18, 19].includes(t)) {
    if (!need(8)) return null;
    p += 8;
  }
  let recordId = -1n;
  if (t >= 10 && t <= 16) {
    if (!need(8)) return null;
    recordId = buf.readBigInt64BE(p);
    p += 8;
  }
  let n = 0;
  let x = 0;
  let userType = 0;
  let bodyAt = p;
  if (t >= 10 && t <= 15) {
    if (!need(4)) return null;
    n = buf.readInt32BE(p);
    p += 4;
    if (t !== 15) {
      if (!need(1)) return null;
      userType = buf[p]!;
      p += 1;
    }
    if (n < 0 || !need(n)) return null;
    bodyAt = p;
    p += n;
  }
  if (t === 17 || t === 18) {
    if (!need(4)) return null;
    p += 4;
    if (t === 17) {
      if (!need(4)) return null;
      x = buf.readInt32BE(p);
      p += 4;
    }
  }
  const total = FIXED_V2[t]! - (hasCompactCount ? 0 : 1) + n + x;
  if (total < 0 || start + total > buf.length) return null;
  if (buf.readInt32BE(start + total - 4) !== total) return null;
  return { record: { type: t, recordId, userType, body: buf.subarray(bodyAt, bodyAt + n) }, total };
}

/** ADD (11) / ADD_TX (13) records of user type 45 carrying an AMQP persister id (2..5). */
export function amqpMessageRecords(dataDir: string): FixtureRecord[] {
  const dir = join(dataDir, 'journal');
  const files = readdirSync(dir).filter((f) => f.endsWith('.amq')).sort();
  const out: FixtureRecord[] = [];
  for (const f of files) {
    for (const rec of scanJournalFile(join(dir, f))) {
      if ((rec.type === 11 || rec.type === 13) && rec.userType === 45 && rec.body.length > 0) {
        const persister = rec.body[0]!;
        if (persister >= 2 && persister <= 5) out.push(rec);
      }
    }
  }
  return out;
}
