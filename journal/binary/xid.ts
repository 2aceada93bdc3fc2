/** §1.8 XA transaction id. Note the stored order: branch qualifier before global transaction id. */
import { BufferReader } from './reader.js';

export interface Xid {
  formatId: number;
  globalTransactionId: Buffer;
  branchQualifier: Buffer;
}

export function readXid(r: BufferReader): Xid {
  const formatId = r.i32();
  const branchQualifier = Buffer.from(r.lengthPrefixedBytes('xid branch qualifier'));
  const globalTransactionId = Buffer.from(r.lengthPrefixedBytes('xid global transaction id'));
  return { formatId, globalTransactionId, branchQualifier };
}

export function xidToJson(x: Xid): { formatId: number; globalTransactionId: string; branchQualifier: string } {
  return {
    formatId: x.formatId,
    globalTransactionId: x.globalTransactionId.toString('hex'),
    branchQualifier: x.branchQualifier.toString('hex'),
  };
}

/** A stable printable key for one Xid (used to group and name transactions). */
export function xidKey(x: Xid): string {
  return `${x.formatId}:${x.globalTransactionId.toString('hex')}:${x.branchQualifier.toString('hex')}`;
}
