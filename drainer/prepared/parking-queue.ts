/**
 * The parking queue as a destination: an anycast queue of its own address, with the broker's
 * defaults, created on an Artemis target through management like the journal's queues.
 */
import type { QueueInfo } from '../../journal/bindings/topology.js';

export function parkingQueueInfo(name: string): QueueInfo {
  return {
    id: -1n,
    name,
    address: name,
    routingType: 'ANYCAST',
    filter: null,
    durable: true,
    user: null,
    autoCreated: false,
    maxConsumers: -1,
    purgeOnNoConsumers: false,
    exclusive: false,
    lastValue: false,
    lastValueKey: null,
    nonDestructive: false,
    consumersBeforeDispatch: 0,
    delayBeforeDispatch: -1n,
    groupRebalance: false,
    groupRebalancePauseDispatch: false,
    groupBuckets: -1,
    groupFirstKey: null,
    autoDelete: false,
    autoDeleteDelay: 0n,
    autoDeleteMessageCount: 0n,
    ringSize: -1n,
    configurationManaged: false,
    enabled: true,
    internal: false,
    paused: false,
    fieldsPresent: 25,
  };
}
