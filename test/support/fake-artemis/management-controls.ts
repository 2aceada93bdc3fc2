/**
 * The management resources the fake exposes (`broker`, `queue.<name>`, `address.<name>`), written as
 * Java-like method tables: attributes are the zero-argument `get<Name>`/`is<Name>` methods, operations are
 * overloaded by parameter count and types, each with the version it appeared in.
 */
import type { BrokerState } from './broker-state.js';
import { parseRoutingTypes } from './broker-state.js';
import type { AddressInfo, QueueInfo } from './model.js';
import {
  effectiveQueueJson,
  longFormKeys,
  parseRoutingType,
  queueRequestFromArgs,
  queueRequestFromJson,
  queueSummary,
} from './queue-config.js';
import { MANAGEMENT_ADDRESS } from './routing.js';
import { atLeast } from './version.js';

/** Java parameter types a JSON argument can be converted to. */
export type ParamType = 'String' | 'boolean' | 'int' | 'long' | 'double';

export interface Method {
  name: string;
  params: ParamType[];
  /** First broker version with this method (absent: always there). */
  since?: string;
  invoke(args: unknown[]): unknown;
}

export interface ControlContext {
  state: BrokerState;
  version: string;
  nodeId: string;
  idCacheSize: number;
  connectionCount(): number;
}

const m = (name: string, params: ParamType[], invoke: (args: unknown[]) => unknown, since?: string): Method => ({
  name,
  params,
  invoke,
  since,
});

const str = (v: unknown) => v as string;
const bool = (v: unknown) => v as boolean;

function addressText(a: AddressInfo): string {
  return `Address [name=${a.name}, id=${a.id}, routingTypes={${[...a.routingTypes].join(',')}}, autoCreated=${a.autoCreated}, paused=false]`;
}

function addressJson(a: AddressInfo): string {
  return JSON.stringify({
    name: a.name,
    id: Number(a.id),
    routingTypes: [...a.routingTypes].join(','),
    autoCreated: a.autoCreated,
    temporary: a.temporary,
    internal: false,
    paused: false,
  });
}

export function brokerControl(ctx: ControlContext): Method[] {
  const { state } = ctx;
  const create = (json: string, ignoreIfExists: boolean) =>
    effectiveQueueJson(state.createQueue(queueRequestFromJson(json), ignoreIfExists));
  const createLong = (args: unknown[]) => queueSummary(state.createQueue(queueRequestFromArgs(longFormKeys(args.length), args), false));
  // The short legacy forms are void; routing type defaults to MULTICAST, the address must exist.
  const createShort = (address: string, name: string, filter: string | null, durable: boolean, routingType: string | null) => {
    state.createQueue(
      queueRequestFromArgs(['address', 'name', 'filter-string', 'durable', 'routing-type'], [address, name, filter, durable, routingType]),
      false,
    );
    return undefined;
  };
  const L = (n: number): ParamType[] => {
    const keys = longFormKeys(n);
    return keys.map((k) => {
      if (['durable', 'purge-on-no-consumers', 'exclusive', 'group-rebalance', 'last-value', 'non-destructive', 'auto-delete', 'auto-create-address'].includes(k)) return 'boolean';
      if (['max-consumers', 'group-buckets', 'consumers-before-dispatch'].includes(k)) return 'int';
      if (['delay-before-dispatch', 'auto-delete-delay', 'auto-delete-message-count', 'ring-size'].includes(k)) return 'long';
      return 'String';
    });
  };
  return [
    m('getVersion', [], () => ctx.version),
    m('getNodeID', [], () => ctx.nodeId),
    m('isStarted', [], () => true),
    m('getManagementAddress', [], () => MANAGEMENT_ADDRESS),
    m('getIDCacheSize', [], () => ctx.idCacheSize),
    m('isPersistIDCache', [], () => true),
    m('getConnectionCount', [], () => ctx.connectionCount()),
    m('getTotalMessageCount', [], () => [...state.queues.values()].reduce((n, q) => n + state.messageCount(q), 0)),
    m('getQueueNames', [], () => [...state.queues.keys()]),
    m('getQueueNames', ['String'], ([rt]) => {
      const want = parseRoutingType(rt);
      return [...state.queues.values()].filter((q) => q.routingType === want).map((q) => q.name);
    }),
    m('getAddressNames', [], () => [...state.addresses.keys()]),
    m('getAddressInfo', ['String'], ([name]) => {
      const a = state.addresses.get(str(name));
      if (!a) throw new Error(`AMQ229203: Address Does Not Exist: ${str(name)}`);
      return addressJson(a);
    }),
    m('createAddress', ['String', 'String'], ([name, types]) =>
      addressText(state.createAddress(str(name), parseRoutingTypes(str(types) ?? '')))),
    m('updateAddress', ['String', 'String'], ([name, types]) =>
      addressText(state.updateAddress(str(name), parseRoutingTypes(str(types) ?? '')))),
    m('deleteAddress', ['String'], ([name]) => void state.deleteAddress(str(name), false)),
    m('deleteAddress', ['String', 'boolean'], ([name, force]) => void state.deleteAddress(str(name), bool(force))),
    m('createQueue', ['String'], ([json]) => create(str(json), false), '2.12'),
    m('createQueue', ['String', 'boolean'], ([json, ignore]) => create(str(json), bool(ignore)), '2.12'),
    m('createQueue', ['String', 'String'], ([a, n]) => createShort(str(a), str(n), null, true, null)),
    m('createQueue', ['String', 'String', 'String'], ([a, n, rt]) => createShort(str(a), str(n), null, true, str(rt))),
    m('createQueue', ['String', 'String', 'boolean'], ([a, n, d]) => createShort(str(a), str(n), null, bool(d), null)),
    m('createQueue', ['String', 'String', 'boolean', 'String'], ([a, n, d, rt]) => createShort(str(a), str(n), null, bool(d), str(rt))),
    m('createQueue', ['String', 'String', 'String', 'boolean'], ([a, n, f, d]) => createShort(str(a), str(n), str(f), bool(d), null)),
    m('createQueue', ['String', 'String', 'String', 'boolean', 'String'], ([a, n, f, d, rt]) =>
      createShort(str(a), str(n), str(f), bool(d), str(rt))),
    m('createQueue', L(8), createLong),
    m('createQueue', L(16), createLong, '2.7'),
    m('createQueue', L(17), createLong, '2.9'),
    m('createQueue', L(19), createLong, '2.10'),
    m('createQueue', L(20), createLong, '2.10'),
    m('createQueue', L(21), createLong, '2.10'),
    m('destroyQueue', ['String'], ([n]) => void state.destroyQueue(str(n))),
    m('destroyQueue', ['String', 'boolean'], ([n]) => void state.destroyQueue(str(n))),
    m('destroyQueue', ['String', 'boolean', 'boolean'], ([n, , autoDeleteAddress]) =>
      void state.destroyQueue(str(n), bool(autoDeleteAddress))),
  ];
}

export function queueControl(ctx: ControlContext, q: QueueInfo): Method[] {
  const { state } = ctx;
  return [
    m('getID', [], () => Number(q.id)),
    m('getName', [], () => q.name),
    m('getAddress', [], () => q.address),
    m('getRoutingType', [], () => q.routingType),
    m('getFilter', [], () => q.filter),
    m('isDurable', [], () => q.durable),
    m('isTemporary', [], () => q.temporary),
    m('isAutoCreated', [], () => q.autoCreated),
    m('getMessageCount', [], () => state.messageCount(q)),
    m('getScheduledCount', [], () => state.scheduledCount(q)),
    m('getDeliveringCount', [], () => state.deliveringCount(q)),
    m('getMessagesAdded', [], () => q.messagesAdded),
    m('getMessagesAcknowledged', [], () => q.messagesAcknowledged),
    m('getMaxConsumers', [], () => Number(q.config['max-consumers'] ?? -1)),
    m('isPurgeOnNoConsumers', [], () => String(q.config['purge-on-no-consumers'] ?? false) === 'true'),
    m('isExclusive', [], () => String(q.config['exclusive'] ?? false) === 'true'),
    m('isLastValue', [], () => String(q.config['last-value'] ?? false) === 'true'),
    m('countMessages', [], () => state.messageCount(q)),
  ];
}

export function addressControl(ctx: ControlContext, a: AddressInfo): Method[] {
  const { state } = ctx;
  return [
    m('getAddress', [], () => a.name),
    m('getRoutingTypes', [], () => [...a.routingTypes]),
    m('getRoutingTypesAsJSON', [], () => JSON.stringify([...a.routingTypes])),
    m('getQueueNames', [], () => state.queuesOf(a.name).map((q) => q.name)),
    m('getBindingNames', [], () => state.queuesOf(a.name).map((q) => q.name)),
    m('getMessageCount', [], () => state.queuesOf(a.name).reduce((n, q) => n + state.messageCount(q), 0)),
    m('isTemporary', [], () => a.temporary),
    m('isAutoCreated', [], () => a.autoCreated),
  ];
}

/** The resource's methods as the given broker version has them. */
export function resolveResource(ctx: ControlContext, resource: string): Method[] | undefined {
  let methods: Method[] | undefined;
  if (resource === 'broker') methods = brokerControl(ctx);
  else if (resource.startsWith('queue.')) {
    const q = ctx.state.queues.get(resource.slice('queue.'.length));
    if (q) methods = queueControl(ctx, q);
  } else if (resource.startsWith('address.')) {
    const a = ctx.state.addresses.get(resource.slice('address.'.length));
    if (a) methods = addressControl(ctx, a);
  }
  return methods?.filter((x) => !x.since || atLeast(ctx.version, x.since));
}
