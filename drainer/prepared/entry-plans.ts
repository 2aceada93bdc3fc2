/**
 * The QueueDrainer plans of an in-doubt policy: what goes to the queue itself, and what goes to
 * the parking queue (one parking drainer per source queue, so the parked copies are converted
 * exactly like the queue's own messages, and their progress is recorded position by position).
 */
import type { QueueInfo } from '../../journal/bindings/topology.js';
import type { Xid } from '../../journal/binary/xid.js';
import type { EntryPlan } from '../drain/queue-drainer.js';
import { operationOf, routeOf, type InDoubtPolicy } from './policy.js';
import { parkEnvelope } from './park-message.js';

export function queuePlan(queue: QueueInfo, policy: InDoubtPolicy): EntryPlan {
  return {
    stateKey: queue.name,
    select: (e) => {
      const r = routeOf(e, policy);
      return r.to === 'queue' ? { deliveryCount: r.deliveryCount } : null;
    },
  };
}

/** State keys of parking progress cannot collide with a queue name (NUL never is one). */
export function parkStateKey(queue: string): string {
  return `\u0000park\u0000${queue}`;
}

export function parkLabel(queue: string, parkQueue: string): string {
  return `${queue} (in-doubt, parked in ${parkQueue})`;
}

export function parkPlan(queue: QueueInfo, parkQueue: string, sourceNode: string, xids: Map<string, Xid | null>): EntryPlan {
  return {
    stateKey: parkStateKey(queue.name),
    label: parkLabel(queue.name, parkQueue),
    select: (e) => {
      const r = routeOf(e, 'park');
      return r.to === 'park' ? { deliveryCount: r.deliveryCount } : null;
    },
    wrap: (out, e) =>
      parkEnvelope(out, {
        xidKey: e.xidKey ?? 'unknown',
        xid: e.xidKey ? (xids.get(e.xidKey) ?? null) : null,
        operation: operationOf(e),
        address: queue.address,
        queue: queue.name,
        routingType: queue.routingType,
        sourceNode,
        messageId: e.messageId,
        deliveryCount: e.deliveryCount,
      }),
  };
}
