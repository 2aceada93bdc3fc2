/**
 * The broker's persistent model: addresses, queues and their message references, with Artemis' rules
 * for creating them (§4.1) and what survives a restart.
 */
import { DuplicateIdCaches } from './dedup.js';
import { fail } from './errors.js';
import { compileFilter, FilterSyntaxError } from './filter.js';
import type { AddressInfo, DeadLetter, DroppedMessage, MessageRef, QueueInfo, RoutingType, StoredMessage } from './model.js';
import { isScheduled, ROUTING_TYPES } from './model.js';
import type { QueueRequest } from './queue-config.js';

export class BrokerState {
  readonly addresses = new Map<string, AddressInfo>();
  readonly queues = new Map<string, QueueInfo>();
  readonly duplicates: DuplicateIdCaches;
  /** Accepted messages that were not stored, with the reason (the broker logs these; tests assert on them). */
  readonly dropped: DroppedMessage[] = [];
  /** Messages consumers rejected. */
  readonly deadLetters: DeadLetter[] = [];
  /** Called whenever a queue gains a deliverable reference (the consumer side subscribes). */
  onEnqueue: (queue: QueueInfo) => void = () => {};
  private nextId = 1000n;
  private anycastTurn = new Map<string, number>();

  constructor(idCacheSize: number) {
    this.duplicates = new DuplicateIdCaches(idCacheSize);
  }

  newId(): bigint {
    return this.nextId++;
  }

  // ---- addresses -------------------------------------------------------------------------------------------

  createAddress(name: string, routingTypes: Iterable<RoutingType>, opts: { autoCreated?: boolean; temporary?: boolean } = {}): AddressInfo {
    if (this.addresses.has(name)) throw fail.addressExists(name);
    const info: AddressInfo = {
      name,
      id: this.newId(),
      routingTypes: sortedTypes(routingTypes),
      autoCreated: opts.autoCreated ?? false,
      temporary: opts.temporary ?? false,
    };
    this.addresses.set(name, info);
    return info;
  }

  /** Replace the address' routing types; a type still used by a queue cannot be removed. */
  updateAddress(name: string, routingTypes: Iterable<RoutingType>): AddressInfo {
    const info = this.addresses.get(name);
    if (!info) throw fail.addressDoesNotExist(name);
    const next = sortedTypes(routingTypes);
    for (const rt of info.routingTypes) {
      if (!next.has(rt) && this.queuesOf(name).some((q) => q.routingType === rt)) throw fail.routingTypeInUse(rt, name);
    }
    info.routingTypes = next;
    return info;
  }

  deleteAddress(name: string, force: boolean): void {
    if (!this.addresses.has(name)) throw fail.addressDoesNotExist(name);
    const bound = this.queuesOf(name);
    if (bound.length && !force) throw fail.addressHasBindings(name);
    for (const q of bound) this.queues.delete(q.name);
    this.addresses.delete(name);
  }

  // ---- queues ----------------------------------------------------------------------------------------------

  queuesOf(address: string): QueueInfo[] {
    return [...this.queues.values()].filter((q) => q.address === address);
  }

  /**
   * Create a queue. Queue names are broker-global: an existing name is an error unless ignoreIfExists, which
   * returns the existing queue whatever its address, routing type or filter (the doc's trap).
   */
  createQueue(req: QueueRequest, ignoreIfExists: boolean, opts: { autoCreated?: boolean } = {}): QueueInfo {
    const existing = this.queues.get(req.name);
    if (existing) {
      if (ignoreIfExists) return existing;
      throw fail.queueExists(req.name, existing.address);
    }
    let compiled;
    try {
      compiled = compileFilter(req.filter);
    } catch (e) {
      if (e instanceof FilterSyntaxError) throw fail.invalidFilter(req.filter ?? '');
      throw e;
    }
    const address = this.addresses.get(req.address);
    if (!address) {
      if (!req.autoCreateAddress) throw fail.addressDoesNotExist(req.address);
      this.createAddress(req.address, [req.routingType], { autoCreated: true, temporary: req.temporary });
    } else if (!address.routingTypes.has(req.routingType)) {
      if (!req.autoCreateAddress) throw fail.invalidRoutingTypeForAddress(req.routingType, req.address, [...address.routingTypes]);
      address.routingTypes = sortedTypes([...address.routingTypes, req.routingType]);
    }
    const q: QueueInfo = {
      name: req.name,
      id: this.newId(),
      address: req.address,
      routingType: req.routingType,
      filter: req.filter,
      compiledFilter: compiled,
      durable: req.durable && !req.temporary,
      temporary: req.temporary,
      autoCreated: opts.autoCreated ?? false,
      config: { ...req.given },
      refs: [],
      messagesAdded: 0,
      messagesAcknowledged: 0,
    };
    this.queues.set(q.name, q);
    return q;
  }

  destroyQueue(name: string, autoDeleteAddress = false): void {
    const q = this.queues.get(name);
    if (!q) throw fail.noSuchQueue(name);
    this.queues.delete(name);
    const addr = this.addresses.get(q.address);
    if (addr && (autoDeleteAddress || addr.temporary) && this.queuesOf(q.address).length === 0) this.addresses.delete(q.address);
  }

  /** A temporary ANYCAST queue on an address of the same name (dynamic link termini). */
  createTemporaryQueue(name: string): QueueInfo {
    return this.createQueue(
      { name, address: name, routingType: 'ANYCAST', filter: null, durable: false, autoCreateAddress: true, temporary: true, given: {} },
      false,
    );
  }

  // ---- messages --------------------------------------------------------------------------------------------

  enqueue(queue: QueueInfo, message: StoredMessage): void {
    queue.refs.push({ message, queue, deliveryCount: 0, inDelivery: false });
    queue.messagesAdded++;
    this.onEnqueue(queue);
  }

  /** Pick one of several ANYCAST queues of an address, round robin. */
  pickAnycast(address: string, candidates: QueueInfo[]): QueueInfo {
    const turn = this.anycastTurn.get(address) ?? 0;
    this.anycastTurn.set(address, turn + 1);
    return candidates[turn % candidates.length];
  }

  acknowledge(ref: MessageRef): void {
    const i = ref.queue.refs.indexOf(ref);
    if (i >= 0) ref.queue.refs.splice(i, 1);
    ref.queue.messagesAcknowledged++;
  }

  messageCount(q: QueueInfo): number {
    return q.refs.length;
  }

  scheduledCount(q: QueueInfo, now = Date.now()): number {
    return q.refs.filter((r) => isScheduled(r.message, now)).length;
  }

  deliveringCount(q: QueueInfo): number {
    return q.refs.filter((r) => r.inDelivery).length;
  }

  /**
   * What a restart keeps (persistence on): addresses, durable queues, durable messages, the duplicate-id
   * caches. Lost: non-durable and temporary queues, non-durable messages. In-delivery references return to
   * their queue.
   */
  restart(): void {
    for (const q of [...this.queues.values()]) {
      if (!q.durable || q.temporary) {
        this.queues.delete(q.name);
        continue;
      }
      q.refs = q.refs.filter((r) => r.message.durable);
      for (const r of q.refs) r.inDelivery = false;
    }
    for (const a of [...this.addresses.values()]) {
      if (a.temporary) this.addresses.delete(a.name);
    }
  }
}

function sortedTypes(types: Iterable<RoutingType>): Set<RoutingType> {
  const given = new Set(types);
  return new Set(ROUTING_TYPES.filter((t) => given.has(t)));
}

/** Parse Artemis' comma-separated routing-types parameter ("ANYCAST,MULTICAST"). */
export function parseRoutingTypes(list: string): RoutingType[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (s !== 'ANYCAST' && s !== 'MULTICAST') throw fail.noEnumConstant(s);
      return s;
    });
}
