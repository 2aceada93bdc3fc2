/**
 * Re-creating the journal's destinations on an Artemis target through management
 * (move-semantics §4.1): addresses with their routing types, then every durable queue with the
 * attributes the journal holds. `createQueue(json, ignoreIfExists)` on 2.12+, the long positional
 * forms before. An existing queue is verified, never silently merged: a different address, routing
 * type or filter is a conflict.
 */
import type { AddressInfo, QueueInfo } from '../../journal/bindings/topology.js';
import { ManagementError, type ManagementClient } from './management.js';

export interface DestinationPlan {
  /** Queues to drain (in journal order). */
  queues: QueueInfo[];
  /** Queues left alone, with the reason (internal, store-and-forward…). */
  skipped: Array<{ queue: QueueInfo; reason: string }>;
}

export interface DestinationConflict {
  queue: string;
  field: string;
  journal: unknown;
  target: unknown;
}

const INTERNAL_PREFIX = '$.artemis.internal';

/** Which queues are drained: temporary ones are never persisted; internal ones are the broker's. */
export function planDestinations(queues: QueueInfo[], only: string[] | null): DestinationPlan {
  const plan: DestinationPlan = { queues: [], skipped: [] };
  for (const q of queues) {
    if (only && !only.includes(q.name)) continue;
    if (q.address.startsWith(`${INTERNAL_PREFIX}.sf.`)) {
      plan.skipped.push({ queue: q, reason: 'cluster store-and-forward queue: its messages are on their way to other nodes' });
    } else if (q.internal || q.address.startsWith(INTERNAL_PREFIX) || q.name.startsWith(INTERNAL_PREFIX)) {
      plan.skipped.push({ queue: q, reason: 'internal queue of the broker' });
    } else {
      plan.queues.push(q);
    }
  }
  return plan;
}

/** Parses "2.33.0.redhat-00012" into [2, 33, 0]; unknown versions count as current. */
export function versionOf(v: string | null): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [99, 0, 0];
}

function atLeast(v: [number, number, number], major: number, minor: number): boolean {
  return v[0] > major || (v[0] === major && v[1] >= minor);
}

export class DestinationCreator {
  readonly conflicts: DestinationConflict[] = [];
  private readonly version: [number, number, number];

  constructor(
    private readonly mgmt: ManagementClient,
    targetVersion: string | null,
  ) {
    this.version = versionOf(targetVersion);
  }

  /** Creates the address, or adds the routing types it lacks. */
  async ensureAddress(a: Pick<AddressInfo, 'name' | 'routingTypes'>): Promise<void> {
    const types = [...a.routingTypes].sort();
    try {
      await this.mgmt.invoke('broker', 'createAddress', [a.name, types.join(',')]);
      return;
    } catch (e) {
      if (!(e instanceof ManagementError) || !/AMQ229204|already exists/i.test(e.brokerText)) throw e;
    }
    const existing = await this.routingTypesOf(a.name);
    const union = [...new Set([...existing, ...types])].sort();
    if (union.length !== existing.length) await this.mgmt.invoke('broker', 'updateAddress', [a.name, union.join(',')]);
  }

  /** Creates the queue with every attribute the journal holds, or verifies the existing one. */
  async ensureQueue(q: QueueInfo): Promise<void> {
    if (atLeast(this.version, 2, 12)) {
      await this.mgmt.invoke('broker', 'createQueue', [JSON.stringify(queueJson(q)), true]);
    } else {
      try {
        await this.mgmt.invoke('broker', 'createQueue', legacyCreateQueueArgs(q, this.version));
      } catch (e) {
        if (!(e instanceof ManagementError) || !/AMQ229019|already exists/i.test(e.brokerText)) throw e;
      }
    }
    await this.verify(q);
  }

  private async verify(q: QueueInfo): Promise<void> {
    const resource = `queue.${q.name}`;
    const address = await this.mgmt.attribute(resource, 'Address');
    const routingType = await this.mgmt.attribute(resource, 'RoutingType');
    const filter = await this.mgmt.attribute(resource, 'Filter');
    const check = (field: string, journal: unknown, target: unknown) => {
      if ((journal ?? null) !== (target === '' ? null : (target ?? null))) this.conflicts.push({ queue: q.name, field, journal, target });
    };
    check('address', q.address, address);
    check('routingType', q.routingType, String(routingType).toUpperCase());
    check('filter', q.filter, filter);
  }

  private async routingTypesOf(address: string): Promise<string[]> {
    const v = await this.mgmt.attribute(`address.${address}`, 'RoutingTypes');
    if (Array.isArray(v)) return v.map((x) => String(x).toUpperCase());
    return String(v ?? '')
      .split(',')
      .map((x) => x.trim().toUpperCase())
      .filter(Boolean);
  }
}

/** The queue configuration JSON of `createQueue(json)` (keys as in Artemis' QueueConfiguration). */
export function queueJson(q: QueueInfo): Record<string, unknown> {
  return {
    name: q.name,
    address: q.address,
    'routing-type': q.routingType,
    'filter-string': q.filter ?? undefined,
    durable: true,
    user: q.user ?? undefined,
    'max-consumers': q.maxConsumers,
    'purge-on-no-consumers': q.purgeOnNoConsumers,
    exclusive: q.exclusive,
    'group-rebalance': q.groupRebalance,
    'group-rebalance-pause-dispatch': q.groupRebalancePauseDispatch,
    'group-buckets': q.groupBuckets,
    'group-first-key': q.groupFirstKey ?? undefined,
    'last-value': q.lastValue,
    'last-value-key': q.lastValueKey ?? undefined,
    'non-destructive': q.nonDestructive,
    'consumers-before-dispatch': q.consumersBeforeDispatch,
    'delay-before-dispatch': Number(q.delayBeforeDispatch),
    'auto-delete': q.autoDelete,
    'auto-delete-delay': Number(q.autoDeleteDelay),
    'auto-delete-message-count': Number(q.autoDeleteMessageCount),
    'ring-size': Number(q.ringSize),
    enabled: q.enabled,
    'auto-created': q.autoCreated,
    'auto-create-address': true,
  };
}

/** createQueue's positional forms: 16 arguments on 2.7–2.11, 8 on older brokers (arity selects). */
export function legacyCreateQueueArgs(q: QueueInfo, v: [number, number, number]): unknown[] {
  const base = [q.address, q.routingType, q.name, q.filter, true, q.maxConsumers, q.purgeOnNoConsumers];
  if (!atLeast(v, 2, 7)) return [...base, true];
  return [
    ...base,
    q.exclusive,
    q.groupRebalance,
    q.groupBuckets,
    q.lastValue,
    q.lastValueKey,
    q.nonDestructive,
    q.consumersBeforeDispatch,
    Number(q.delayBeforeDispatch),
    true,
  ];
}
