/** How a prepared transaction is named to an operator: in logs, the termination message and `resolve --list`. */
import type { Xid } from '../../journal/binary/xid.js';
import type { PreparedTransactionView } from '../../journal/data-directory.js';
import type { InDoubtPolicy } from './policy.js';

export function xidText(xid: Xid | null, key: string): string {
  if (!xid) return `${key} (Xid unreadable)`;
  return `formatId=${xid.formatId} gtrid=${xid.globalTransactionId.toString('hex')} bqual=${xid.branchQualifier.toString('hex')}`;
}

/** Printable form of an id when it is text (TMs often use readable gtrids), for logs only. */
export function printable(b: Buffer): string | undefined {
  const s = b.toString('utf8');
  return b.length > 0 && /^[\x20-\x7e]+$/.test(s) ? s : undefined;
}

export function xidFields(xid: Xid | null, key: string): Record<string, unknown> {
  if (!xid) return { xid: key };
  return {
    xid: key,
    formatId: xid.formatId,
    gtrid: xid.globalTransactionId.toString('hex'),
    bqual: xid.branchQualifier.toString('hex'),
    gtridText: printable(xid.globalTransactionId),
    bqualText: printable(xid.branchQualifier),
  };
}

const OUTCOME: Record<InDoubtPolicy, (parkQueue: string) => string> = {
  park: (q) => `parked in ${q}, decision kept (artemis-drainer resolve)`,
  commit: () => 'HEURISTIC COMMIT: sends delivered, acknowledged messages dropped',
  rollback: () => 'HEURISTIC ROLLBACK: sends dropped, acknowledged messages back on their queues',
  fail: () => 'not moved',
};

/** One line per prepared transaction, what it holds and what this drain does with it. */
export function preparedLine(p: PreparedTransactionView, policy: InDoubtPolicy, parkQueue: string): string {
  const queues = (list: Array<{ queue: string }>) => [...new Set(list.map((x) => x.queue))].join(',') || '-';
  return `prepared XA transaction ${xidText(p.xid, p.xidKey)}: ${p.sends.length} send(s) to ${queues(p.sends)}, ${p.acks.length} ack(s) on ${queues(p.acks)}: ${OUTCOME[policy](parkQueue)}`;
}
