/**
 * Where producer links attach and where their messages go (§4.2, §4.3, §5): FQQN and plain-address
 * targets, the routing-type context and its trap, queue filters, duplicate detection, scheduled delivery.
 */
import type { Message } from 'rhea';
import type { BrokerState } from './broker-state.js';
import { conditions } from './errors.js';
import { filterLookup, readMessageInfo } from './message-info.js';
import type { DropReason, QueueInfo, RoutingType, StoredMessage } from './model.js';
import type { Features } from './version.js';

export const MANAGEMENT_ADDRESS = 'activemq.management';
export const FQQN_SEPARATOR = '::';

export type SenderTarget =
  | { kind: 'fqqn'; routingAddress: string; address: string; queue: string }
  | { kind: 'address'; routingAddress: string; address: string }
  | { kind: 'anonymous' };

export interface LinkRefusal {
  condition: string;
  description: string;
}

export type RouteOutcome =
  | { kind: 'stored'; message: StoredMessage; queues: QueueInfo[] }
  | { kind: 'dropped'; reason: DropReason; queue?: string }
  | { kind: 'reject'; condition: string; description: string };

export interface RouterOptions {
  autoCreate: boolean;
  /** The acceptor's amqpDuplicateDetection flag (default true). */
  duplicateDetection: boolean;
}

/** `queue`/`temporary-queue` → ANYCAST, `topic`/`temporary-topic` → MULTICAST; the first one listed wins. */
export function capabilityRoutingType(capabilities: string[]): RoutingType | undefined {
  for (const c of capabilities) {
    if (c === 'topic' || c === 'temporary-topic') return 'MULTICAST';
    if (c === 'queue' || c === 'temporary-queue') return 'ANYCAST';
  }
  return undefined;
}

export function splitFqqn(name: string): { address: string; queue: string } | undefined {
  const i = name.indexOf(FQQN_SEPARATOR);
  if (i < 0) return undefined;
  return { address: name.slice(0, i), queue: name.slice(i + FQQN_SEPARATOR.length) };
}

function single(types: Set<RoutingType>): RoutingType | undefined {
  return types.size === 1 ? [...types][0] : undefined;
}

export class Router {
  constructor(
    private readonly state: BrokerState,
    private readonly features: Features,
    private readonly options: RouterOptions,
  ) {}

  /**
   * Resolve a producer link's target address at attach. A missing address/queue refuses the link with
   * amqp:not-found unless auto-create is on, in which case it is created as auto-created.
   */
  resolveSenderTarget(address: string | undefined, capabilities: string[]): SenderTarget | LinkRefusal {
    if (address === undefined || address === null || address === '') return { kind: 'anonymous' };
    const capType = capabilityRoutingType(capabilities);
    const fq = this.features.fqqnProducers ? splitFqqn(address) : undefined;
    if (fq) {
      let q = this.state.queues.get(fq.queue);
      if (q && q.address !== fq.address) return notFound(address);
      if (!q) {
        if (!this.options.autoCreate) return notFound(address);
        const addr = this.state.addresses.get(fq.address);
        const rt = capType ?? (addr ? single(addr.routingTypes) : undefined) ?? 'MULTICAST';
        q = this.state.createQueue(
          { name: fq.queue, address: fq.address, routingType: rt, filter: null, durable: true, autoCreateAddress: true, temporary: false, given: {} },
          false,
          { autoCreated: true },
        );
      }
      return { kind: 'fqqn', routingAddress: address, address: fq.address, queue: fq.queue };
    }
    if (!this.state.addresses.has(address)) {
      if (!this.options.autoCreate) return notFound(address);
      const rt = capType ?? 'MULTICAST';
      this.state.createAddress(address, [rt], { autoCreated: true });
      if (rt === 'ANYCAST') {
        this.state.createQueue(
          { name: address, address, routingType: 'ANYCAST', filter: null, durable: true, autoCreateAddress: false, temporary: false, given: {} },
          false,
          { autoCreated: true },
        );
      }
    }
    return { kind: 'address', routingAddress: address, address };
  }

  /** Route one received message. Never throws for routing reasons: the outcome says what happened. */
  route(target: SenderTarget, linkCapabilities: string[], raw: Buffer, message: Message | undefined, format: number): RouteOutcome {
    const now = Date.now();
    if (format !== 0) {
      // Core tunnelling (format 0x468C0100/0x468C0200) needs a negotiated capability this fake never offers.
      return { kind: 'reject', condition: conditions.failed, description: 'Core tunnel not enabled' };
    }
    const info = readMessageInfo(raw, now);
    let resolved = target;
    if (resolved.kind === 'anonymous') {
      if (!info.to) return { kind: 'reject', condition: conditions.notFound, description: 'Message has no to address (anonymous relay)' };
      const r = this.resolveSenderTarget(info.to, linkCapabilities);
      if ('condition' in r) return { kind: 'reject', condition: r.condition, description: r.description };
      resolved = r;
    }
    if (resolved.kind === 'anonymous') throw new Error('unreachable');
    const routingAddress = resolved.routingAddress;

    const dropped = (reason: DropReason, queue?: string): RouteOutcome => {
      this.state.dropped.push({ reason, address: routingAddress, queue, dupId: info.dupId, raw, at: now });
      return { kind: 'dropped', reason, queue };
    };

    // The duplicate check comes before routing: the id is cached even when no queue ends up taking the message.
    if (info.dupId !== undefined && this.features.amqpDuplicateDetection && this.options.duplicateDetection) {
      if (this.state.duplicates.checkAndAdd(routingAddress, info.dupId)) return dropped('duplicate');
    }
    if (info.expiration !== undefined && info.expiration <= now) return dropped('expired');

    const capType = capabilityRoutingType(linkCapabilities);
    const addr = this.state.addresses.get(resolved.address);
    const context: RoutingType | null =
      capType ?? info.routingTypeAnnotation ?? (addr ? single(addr.routingTypes) : undefined) ?? null;
    const lookup = filterLookup(message, info.priority);
    const passes = (q: QueueInfo) => !q.compiledFilter || q.compiledFilter.matches(lookup);

    let targets: QueueInfo[];
    if (resolved.kind === 'fqqn') {
      const q = this.state.queues.get(resolved.queue);
      if (!q || q.address !== resolved.address) return dropped('no-binding', resolved.queue);
      // The trap: the binding ignores a message of the other routing type, yet the transfer is accepted.
      if (context !== null && context !== q.routingType) return dropped('routing-type-mismatch', q.name);
      if (this.features.fqqnFilterEnforced && !passes(q)) return dropped('filter', q.name);
      targets = [q];
    } else {
      if (!addr) return dropped('no-binding');
      const bound = this.state.queuesOf(addr.name).filter((q) => context === null || q.routingType === context);
      const matching = bound.filter(passes);
      const anycast = matching.filter((q) => q.routingType === 'ANYCAST');
      targets = matching.filter((q) => q.routingType === 'MULTICAST');
      if (anycast.length) targets.push(this.state.pickAnycast(addr.name, anycast));
      if (!targets.length) return dropped(bound.length ? 'filter' : 'no-binding');
    }

    const capability = linkCapabilities.includes('queue') ? 'queue' : linkCapabilities.includes('topic') ? 'topic' : undefined;
    const stored: StoredMessage = {
      id: this.state.newId(),
      raw,
      message,
      format,
      address: routingAddress,
      scheduledTime: info.scheduledTime,
      dupId: info.dupId,
      linkCapabilities,
      capability,
      routingContext: context,
      durable: info.durable,
      priority: info.priority,
      expiration: info.expiration,
      receivedAt: now,
    };
    for (const q of targets) this.state.enqueue(q, stored);
    return { kind: 'stored', message: stored, queues: targets };
  }
}

function notFound(address: string): LinkRefusal {
  // Artemis' AMQP bundle text for a missing target; the condition is what clients should test.
  return { condition: conditions.notFound, description: `AMQ119002: target address ${address} does not exist` };
}
