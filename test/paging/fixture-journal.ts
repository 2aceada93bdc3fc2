/**
 * Test-only, deliberately minimal journal replay (format spec §3.3, §5, §7.2), independent of the
 * library's own loader so that the paging tests do not depend on it: files sorted by header file
 * id, the byte-by-byte record scan, transactions buffered until COMMIT (with the per-file count
 * check), dropped on ROLLBACK, and PREPAREd ones kept aside. No control-file or .bkp handling.
 *
 * Also derives what the paging tests need from the fixtures: queue bindings (21), the paging
 * records for a PageCursorCollector, and the messages still referenced from the journal
 * (ADD_MESSAGE_PROTOCOL 45 + ADD_REF 32 − ACKNOWLEDGE_REF 33 − DELETE).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BufferReader } from '../../journal/binary/reader.js';
import { readSimpleString } from '../../journal/binary/strings.js';
import { readXid, xidKey } from '../../journal/binary/xid.js';
import { Diagnostics } from '../../journal/diagnostics.js';
import type { EffectiveRecord } from '../../journal/model/effective-record.js';
import type { StoredMessage } from '../../journal/model/message.js';
import { decodePersistedMessage } from '../../journal/messages/persisted.js';
import { isPagingRecordType, PageCursorCollector, type PageCursorState } from '../../journal/paging/cursor-collector.js';

interface Rec {
  type: number;
  txId: bigint;
  id: bigint;
  userType: number;
  body: Buffer;
  count: number;
  file: string;
  offset: number;
}

export interface Replay {
  onRecord(r: EffectiveRecord): void;
  onDelete(id: bigint): void;
  onPrepared(xid: string, r: EffectiveRecord, isDelete: boolean): void;
}

const FIXED: Record<number, number> = { 10: 23, 11: 23, 12: 23, 13: 31, 14: 31, 15: 30, 16: 18, 17: 26, 18: 22, 19: 18 };

function scanFile(file: string, display: string): { fileId: bigint; recs: Rec[] } {
  const b = fs.readFileSync(file);
  const ver = b.readInt32BE(0);
  const fileId = b.readBigInt64BE(8);
  const fid = Number(fileId & 0x7fffffffn);
  const recs: Rec[] = [];
  let pos = 16;
  const n = b.length;
  while (pos < n) {
    const t = b[pos]!;
    if (t < 10 || t > 19 || pos + 5 > n || b.readInt32BE(pos + 1) !== fid) {
      pos++;
      continue;
    }
    let p = pos + 5 + (ver >= 2 ? 1 : 0);
    const need = (k: number): boolean => p + k <= n;
    let txId = 0n;
    let id = 0n;
    let size = 0;
    let userType = 0;
    let count = 0;
    let extra = 0;
    if ([13, 14, 15, 17, 18, 19].includes(t)) {
      if (!need(8)) { pos++; continue; }
      txId = b.readBigInt64BE(p);
      p += 8;
    }
    if (t <= 16) {
      if (!need(8)) { pos++; continue; }
      id = b.readBigInt64BE(p);
      p += 8;
    }
    if (t <= 15) {
      if (!need(4)) { pos++; continue; }
      size = b.readInt32BE(p);
      p += 4;
      if (t !== 15) {
        if (!need(1)) { pos++; continue; }
        userType = b[p]!;
        p += 1;
      }
    }
    if (t === 17 || t === 18) {
      if (!need(4)) { pos++; continue; }
      count = b.readInt32BE(p);
      p += 4;
      if (t === 17) {
        if (!need(4)) { pos++; continue; }
        extra = b.readInt32BE(p);
        p += 4;
      }
    }
    const total = FIXED[t]! - (ver >= 2 ? 0 : 1) + size + extra;
    if (size < 0 || extra < 0 || pos + total > n || b.readInt32BE(pos + total - 4) !== total) {
      pos++;
      continue;
    }
    recs.push({ type: t, txId, id, userType, body: Buffer.from(b.subarray(p, p + size + extra)), count, file: display, offset: pos });
    pos += total;
  }
  return { fileId, recs };
}

/** Replays one journal directory's files with the §7.2 transaction rules. */
export function replayJournal(dir: string, ext: string, dataDir: string, replay: Replay): void {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(`.${ext}`))
    .map((f) => scanFile(path.join(dir, f), path.relative(dataDir, path.join(dir, f))))
    .sort((a, b) => (a.fileId < b.fileId ? -1 : a.fileId > b.fileId ? 1 : 0));
  const open = new Map<bigint, { recs: Rec[]; dels: Rec[]; file: string; n: number; prepared: string | null; bad: boolean }>();
  const eff = (r: Rec): EffectiveRecord => ({
    id: r.id,
    userType: r.userType,
    body: r.body,
    isUpdate: r.type === 12 || r.type === 14,
    file: r.file,
    offset: r.offset,
  });
  for (const f of files) {
    for (const r of f.recs) {
      switch (r.type) {
        case 11:
        case 12:
          replay.onRecord(eff(r));
          break;
        case 16:
          replay.onDelete(r.id);
          break;
        case 13:
        case 14:
        case 15: {
          let tx = open.get(r.txId);
          if (!tx) open.set(r.txId, (tx = { recs: [], dels: [], file: r.file, n: 0, prepared: null, bad: false }));
          if (tx.file !== r.file) {
            tx.file = r.file;
            tx.n = 0;
          }
          tx.n++;
          (r.type === 15 ? tx.dels : tx.recs).push(r);
          break;
        }
        case 17: {
          let tx = open.get(r.txId);
          if (!tx) open.set(r.txId, (tx = { recs: [], dels: [], file: r.file, n: 0, prepared: null, bad: false }));
          tx.prepared = xidKey(readXid(new BufferReader(r.body)));
          if ((tx.file === r.file ? tx.n : 0) !== r.count) tx.bad = true;
          break;
        }
        case 18: {
          const tx = open.get(r.txId);
          open.delete(r.txId);
          if (!tx || (tx.file === r.file ? tx.n : 0) !== r.count) break;
          for (const x of tx.recs) replay.onRecord(eff(x));
          for (const d of tx.dels) replay.onDelete(d.id);
          break;
        }
        case 19:
          open.delete(r.txId);
          break;
      }
    }
  }
  for (const tx of open.values()) {
    if (tx.prepared === null || tx.bad) continue;
    for (const x of tx.recs) replay.onPrepared(tx.prepared, eff(x), false);
    for (const d of tx.dels) replay.onPrepared(tx.prepared, eff(d), true);
  }
}

export interface FixtureQueue {
  id: bigint;
  name: string;
  address: string;
}

/** Queue bindings (21) of the bindings journal: id, name, address. */
export function readQueues(dataDir: string): Map<bigint, FixtureQueue> {
  const queues = new Map<bigint, FixtureQueue>();
  replayJournal(path.join(dataDir, 'bindings'), 'bindings', dataDir, {
    onRecord(r) {
      if (r.userType !== 21) return;
      const br = new BufferReader(r.body);
      const name = readSimpleString(br);
      const address = readSimpleString(br);
      queues.set(r.id, { id: r.id, name, address });
    },
    onDelete(id) {
      queues.delete(id);
    },
    onPrepared() {},
  });
  return queues;
}

export interface JournalView {
  cursor: PageCursorState;
  /** Messages referenced per queue from the message journal, in ADD_REF order. */
  journalRefs: Map<bigint, StoredMessage[]>;
  diagnostics: Diagnostics;
}

/** Replays the message journal: paging records to a collector, journal messages and refs aside. */
export function readMessageJournal(dataDir: string): JournalView {
  const diagnostics = new Diagnostics();
  const collector = new PageCursorCollector(diagnostics);
  const messages = new Map<bigint, Rec['body']>();
  const refs = new Map<bigint, Map<bigint, true>>();
  replayJournal(path.join(dataDir, 'journal'), 'amq', dataDir, {
    onRecord(r) {
      if (isPagingRecordType(r.userType)) {
        collector.apply(r);
        return;
      }
      if (r.userType === 45 && !r.isUpdate) messages.set(r.id, r.body);
      if (r.userType === 32 || r.userType === 33) {
        const q = r.body.readBigInt64BE(0);
        let m = refs.get(q);
        if (!m) refs.set(q, (m = new Map()));
        if (r.userType === 32) {
          if (messages.has(r.id)) m.set(r.id, true);
        } else m.delete(r.id);
      }
    },
    onDelete(id) {
      if (collector.delete(id)) return;
      messages.delete(id);
      for (const m of refs.values()) m.delete(id);
    },
    onPrepared(xid, r, isDelete) {
      if (isPagingRecordType(r.userType) || isDelete) collector.addPrepared(xid, r, isDelete);
    },
  });
  const journalRefs = new Map<bigint, StoredMessage[]>();
  for (const [q, ids] of refs) {
    const list: StoredMessage[] = [];
    for (const id of ids.keys()) {
      const body = messages.get(id);
      if (!body) continue;
      list.push(
        decodePersistedMessage(new BufferReader(body), { dataDir, largeMessagesDir: null, diagnostics, where: { file: 'journal', offset: 0 } }),
      );
    }
    journalRefs.set(q, list);
  }
  return { cursor: collector.finish(), journalRefs, diagnostics };
}
