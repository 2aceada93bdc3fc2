/**
 * Test-only stand-in for the journal container reader: scans the bindings journal files of a data
 * directory (§3, §5) and applies the transaction rules of §7.2 in their simplest form, producing
 * the events a TopologyBuilder consumes. Deliberately small; the product uses journal/file and
 * journal/transactions.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EffectiveRecord } from '../../journal/bindings/effective-record.js';

export type BindingsEvent = { kind: 'record'; rec: EffectiveRecord } | { kind: 'delete'; id: bigint };

export interface BindingsScan {
  events: BindingsEvent[];
  /** All file names of the bindings folder (for the legacy JMS journal hint). */
  fileNames: string[];
  /** Bindings journal files read, in header fileID order. */
  journalFiles: string[];
  /** Every well-formed record of each file (before transaction rules), by file name. */
  rawRecords: Map<string, RawRecord[]>;
}

export interface RawRecord {
  type: number;
  txId: bigint;
  id: bigint;
  userType: number;
  body: Buffer;
  count: number;
  offset: number;
}

const FIXED_V2: Record<number, number> = { 10: 23, 11: 23, 12: 23, 13: 31, 14: 31, 15: 30, 16: 18, 17: 26, 18: 22, 19: 18 };
const HAS_TX = new Set([13, 14, 15, 17, 18, 19]);
const HAS_ID = new Set([10, 11, 12, 13, 14, 15, 16]);
const HAS_BODY = new Set([10, 11, 12, 13, 14, 15]);

/** §5: every well-formed record of one file whose file id matches the header. */
export function scanJournalFile(buf: Buffer): RawRecord[] {
  if (buf.length < 16) return [];
  const ver = buf.readInt32BE(0);
  const fid = Number(buf.readBigInt64BE(8) & 0x7fffffffn);
  const verAdjust = ver >= 2 ? 0 : -1;
  const out: RawRecord[] = [];
  let pos = 16;
  while (pos < buf.length) {
    const start = pos;
    const rec = tryRecord(buf, start, ver, fid, verAdjust);
    if (rec === null) {
      pos = start + 1;
      continue;
    }
    out.push(rec.rec);
    pos = start + rec.total;
  }
  return out;
}

function tryRecord(buf: Buffer, start: number, ver: number, fid: number, verAdjust: number): { rec: RawRecord; total: number } | null {
  const end = buf.length;
  const t = buf[start]!;
  if (t < 10 || t > 19) return null;
  let p = start + 1;
  if (p + 4 > end || buf.readInt32BE(p) !== fid) return null;
  p += 4;
  if (ver >= 2) {
    if (p + 1 > end) return null;
    p += 1;
  }
  let txId = 0n;
  let id = 0n;
  let n = 0;
  let x = 0;
  let userType = 0;
  let count = 0;
  if (HAS_TX.has(t)) {
    if (p + 8 > end) return null;
    txId = buf.readBigInt64BE(p);
    p += 8;
  }
  if (HAS_ID.has(t)) {
    if (p + 8 > end) return null;
    id = buf.readBigInt64BE(p);
    p += 8;
  }
  if (HAS_BODY.has(t)) {
    if (p + 4 > end) return null;
    n = buf.readInt32BE(p);
    p += 4;
    if (t !== 15) {
      if (p + 1 > end) return null;
      userType = buf[p]!;
      p += 1;
    }
    if (n < 0 || p + n > end) return null;
  }
  const bodyStart = p;
  if (t === 17 || t === 18) {
    if (p + 4 > end) return null;
    count = buf.readInt32BE(p);
    p += 4;
    if (t === 17) {
      if (p + 4 > end) return null;
      x = buf.readInt32BE(p);
      p += 4;
    }
  }
  const total = FIXED_V2[t]! + verAdjust + n + x;
  if (total < 0 || start + total > end) return null;
  if (buf.readInt32BE(start + total - 4) !== total) return null;
  const body = HAS_BODY.has(t) ? Buffer.from(buf.subarray(bodyStart, bodyStart + n)) : Buffer.alloc(0);
  return { rec: { type: t, txId, id, userType, body, count, offset: start }, total };
}

/** Reads `<dataDir>/bindings/*.bindings` in header fileID order and applies §7.2. */
export function readBindingsEvents(dataDir: string): BindingsScan {
  const dir = join(dataDir, 'bindings');
  if (!existsSync(dir)) return { events: [], fileNames: [], journalFiles: [], rawRecords: new Map() };
  const fileNames = readdirSync(dir).sort();
  const files = fileNames
    .filter((n) => n.endsWith('.bindings'))
    .map((n) => ({ n, buf: readFileSync(join(dir, n)) }))
    .filter((f) => f.buf.length >= 16)
    .sort((a, b) => {
      const fa = a.buf.readBigInt64BE(8);
      const fb = b.buf.readBigInt64BE(8);
      return fa < fb ? -1 : fa > fb ? 1 : 0;
    });

  const events: BindingsEvent[] = [];
  interface Tx {
    adds: EffectiveRecord[];
    deletes: bigint[];
    file: string;
    n: number;
  }
  const pending = new Map<bigint, Tx>();
  const rawRecords = new Map<string, RawRecord[]>();
  for (const { n: name, buf } of files) {
    const file = `bindings/${name}`;
    const raw = scanJournalFile(buf);
    rawRecords.set(name, raw);
    for (const r of raw) {
      const eff = (isUpdate: boolean): EffectiveRecord => ({ id: r.id, userType: r.userType, body: r.body, isUpdate, file, offset: r.offset });
      const tx = (): Tx => {
        let t = pending.get(r.txId);
        if (!t) pending.set(r.txId, (t = { adds: [], deletes: [], file, n: 0 }));
        if (t.file !== file) {
          t.file = file;
          t.n = 0;
        }
        return t;
      };
      switch (r.type) {
        case 11:
        case 12:
          events.push({ kind: 'record', rec: eff(r.type === 12) });
          break;
        case 16:
          events.push({ kind: 'delete', id: r.id });
          break;
        case 13:
        case 14: {
          const t = tx();
          t.adds.push(eff(r.type === 14));
          t.n++;
          break;
        }
        case 15: {
          const t = tx();
          t.deletes.push(r.id);
          t.n++;
          break;
        }
        case 18: {
          const t = pending.get(r.txId);
          pending.delete(r.txId);
          if (!t) break;
          const n = t.file === file ? t.n : 0;
          if (n !== r.count) break; // incomplete transaction: dropped
          for (const rec of t.adds) events.push({ kind: 'record', rec });
          for (const id of t.deletes) events.push({ kind: 'delete', id });
          break;
        }
        case 19:
          pending.delete(r.txId);
          break;
        default:
          break; // EVENT, PREPARE: not part of the committed bindings state
      }
    }
  }
  return { events, fileNames, journalFiles: files.map((f) => f.n), rawRecords };
}
