/**
 * Writes small journal files byte for byte as the broker does (format spec §3.2, §4.2), so tests can
 * build situations the real fixtures do not contain: compaction leftovers, torn records, broken
 * transaction counts.
 */
import fs from 'node:fs';
import { i32, i64, Writer } from './encode.js';

export type Rec =
  | { t: 'add' | 'update'; id: bigint; userType: number; body: Buffer }
  | { t: 'addTx' | 'updateTx'; tx: bigint; id: bigint; userType: number; body: Buffer }
  | { t: 'deleteTx'; tx: bigint; id: bigint; body?: Buffer }
  | { t: 'delete'; id: bigint }
  | { t: 'prepare'; tx: bigint; count: number; xid: Buffer }
  | { t: 'commit'; tx: bigint; count: number }
  | { t: 'rollback'; tx: bigint };

export function encodeRecord(r: Rec, fileId: number): Buffer {
  const head = (type: number) => {
    const b = Buffer.alloc(6);
    b[0] = type;
    b.writeInt32BE(fileId, 1);
    b[5] = 0;
    return b;
  };
  let parts: Buffer[];
  switch (r.t) {
    case 'add':
    case 'update':
      parts = [head(r.t === 'add' ? 11 : 12), i64(r.id), i32(r.body.length), Buffer.from([r.userType]), r.body];
      break;
    case 'addTx':
    case 'updateTx':
      parts = [head(r.t === 'addTx' ? 13 : 14), i64(r.tx), i64(r.id), i32(r.body.length), Buffer.from([r.userType]), r.body];
      break;
    case 'deleteTx': {
      const body = r.body ?? Buffer.alloc(0);
      parts = [head(15), i64(r.tx), i64(r.id), i32(body.length), body];
      break;
    }
    case 'delete':
      parts = [head(16), i64(r.id)];
      break;
    case 'prepare':
      parts = [head(17), i64(r.tx), i32(r.count), i32(r.xid.length), r.xid];
      break;
    case 'commit':
      parts = [head(18), i64(r.tx), i32(r.count)];
      break;
    case 'rollback':
      parts = [head(19), i64(r.tx)];
      break;
  }
  const len = parts.reduce((n, p) => n + p.length, 0) + 4;
  return Buffer.concat([...parts, i32(len)]);
}

/** A pre-allocated journal file: header with `fileId`, the records, zeros up to `size`. */
export function writeJournalFile(path: string, fileId: number, records: Array<Rec | Buffer>, size = 64 * 1024): void {
  const header = Buffer.alloc(16);
  header.writeInt32BE(2, 0);
  header.writeInt32BE(0, 4);
  header.writeBigInt64BE(BigInt(fileId), 8);
  const body = Buffer.concat(records.map((r) => (Buffer.isBuffer(r) ? r : encodeRecord(r, fileId))));
  const file = Buffer.alloc(Math.max(size, 16 + body.length));
  header.copy(file, 0);
  body.copy(file, 16);
  fs.writeFileSync(path, file);
}

/** §1.8 Xid: formatId, branch qualifier, global transaction id. */
export function xid(formatId: number, gtrid: string, bqual: string): Buffer {
  const g = Buffer.from(gtrid);
  const b = Buffer.from(bqual);
  const out = Buffer.alloc(12 + g.length + b.length);
  out.writeInt32BE(formatId, 0);
  out.writeInt32BE(b.length, 4);
  b.copy(out, 8);
  out.writeInt32BE(g.length, 8 + b.length);
  g.copy(out, 12 + b.length);
  return out;
}

/** §6.2 control file: header with file id 0 and one ADD record listing the compaction's files. */
export function writeControlFile(path: string, dataFiles: string[], newFiles: string[]): void {
  const utf = (s: string) => new Writer().utf(s).build();
  const body = Buffer.concat([i32(dataFiles.length), ...dataFiles.map(utf), i32(newFiles.length), ...newFiles.map(utf), i32(0)]);
  writeJournalFile(path, 0, [{ t: 'add', id: 1n, userType: 0, body }], 16 + 64 + body.length);
}
