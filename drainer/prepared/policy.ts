/**
 * What a drain does with the messages of prepared XA transactions (in-doubt: only the transaction
 * manager knows whether they commit). `park` (the default) moves every one of them, send or ack,
 * into a parking queue with its Xid and keeps the decision for later (`resolve`); `commit` and
 * `rollback` apply a heuristic decision now; `fail` moves nothing of them and exits 25.
 */
import type { QueueEntry, QueueSummary } from '../../journal/data-directory.js';

export type InDoubtPolicy = 'park' | 'commit' | 'rollback' | 'fail';
export const IN_DOUBT_POLICIES: readonly InDoubtPolicy[] = ['park', 'commit', 'rollback', 'fail'];
export const DEFAULT_PARK_QUEUE = 'drainer.in-doubt';

/** Where one entry goes under a policy, and with which delivery count. */
export type EntryRoute = { to: 'queue' | 'park'; deliveryCount: number } | { to: 'none' };

/**
 * - pending: its queue, as recorded;
 * - in-doubt send: its queue on commit, dropped on rollback;
 * - in-doubt ack (the message is still on its queue, consumed inside the prepared transaction):
 *   dropped on commit, back to its queue on rollback with one more delivery (the consumer got it);
 * - park: every in-doubt entry to the parking queue. A parked ack carries the bytes a rollback
 *   would send (delivery count + 1), a parked send those a commit would send, so `resolve` only
 *   ever forwards them as they are.
 */
export function routeOf(entry: QueueEntry, policy: InDoubtPolicy): EntryRoute {
  if (entry.state === 'pending') return { to: 'queue', deliveryCount: entry.deliveryCount };
  const dc = entry.state === 'in-doubt-ack' ? entry.deliveryCount + 1 : entry.deliveryCount;
  switch (policy) {
    case 'park':
      return { to: 'park', deliveryCount: dc };
    case 'commit':
      return entry.state === 'in-doubt-send' ? { to: 'queue', deliveryCount: dc } : { to: 'none' };
    case 'rollback':
      return entry.state === 'in-doubt-ack' ? { to: 'queue', deliveryCount: dc } : { to: 'none' };
    case 'fail':
      return { to: 'none' };
  }
}

/** Messages a queue must have confirmed on the target under the policy. */
export function queueTotal(s: QueueSummary | undefined, policy: InDoubtPolicy): number {
  if (!s) return 0;
  return s.messageCount + (policy === 'commit' ? s.inDoubtSends : 0) + (policy === 'rollback' ? s.inDoubtAcks : 0);
}

/** Parked copies a queue's in-doubt entries make under the policy. */
export function parkTotal(s: QueueSummary | undefined, policy: InDoubtPolicy): number {
  return s && policy === 'park' ? s.inDoubtAcks + s.inDoubtSends : 0;
}

export function operationOf(entry: QueueEntry): 'send' | 'ack' {
  return entry.state === 'in-doubt-ack' ? 'ack' : 'send';
}
