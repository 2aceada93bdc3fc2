/** What the fake broker holds: addresses, queues and the messages stored in them. */
import type { Message } from 'rhea';
import type { CompiledFilter } from './filter.js';

export type RoutingType = 'ANYCAST' | 'MULTICAST';
export const ROUTING_TYPES: readonly RoutingType[] = ['ANYCAST', 'MULTICAST'];

export interface AddressInfo {
  name: string;
  id: bigint;
  /** Kept in Artemis' order (ANYCAST before MULTICAST) whatever order they were given in. */
  routingTypes: Set<RoutingType>;
  autoCreated: boolean;
  temporary: boolean;
}

export interface QueueInfo {
  name: string;
  id: bigint;
  address: string;
  routingType: RoutingType;
  /** The filter string as given (null when none). */
  filter: string | null;
  compiledFilter: CompiledFilter | null;
  durable: boolean;
  temporary: boolean;
  autoCreated: boolean;
  /**
   * Every queue attribute as given to createQueue, under the JSON key names of §4.1 (`max-consumers`, ...),
   * values as given (string or literal). Long-form createQueue calls are mapped to the same keys.
   */
  config: Record<string, unknown>;
  /** Message references in arrival order (scheduled and in-delivery ones included). */
  refs: MessageRef[];
  messagesAdded: number;
  messagesAcknowledged: number;
}

/** One message as the broker received it. A multicast send stores one StoredMessage referenced by N queues. */
export interface StoredMessage {
  /** Broker-assigned id (64-bit, like Artemis' message ids). */
  id: bigint;
  /** The transfer payload exactly as received (all sections, original encoding). */
  raw: Buffer;
  /** rhea's decoding of `raw` (undefined for a non-zero message format). */
  message: Message | undefined;
  /** AMQP message-format of the transfer (0 for plain AMQP). */
  format: number;
  /** The address the message was sent to, verbatim: the link target, `addr::queue` for FQQN, or `to` for anonymous relay. */
  address: string;
  /** Absolute ms from x-opt-delivery-time, or arrival + x-opt-delivery-delay; undefined when neither is present. */
  scheduledTime: number | undefined;
  /** `_AMQ_DUPL_ID` as sent (string or binary); undefined when absent. */
  dupId: string | Buffer | undefined;
  /** Capabilities of the sender link's target at attach. */
  linkCapabilities: string[];
  /** The routing-type capability among them (`queue` / `topic`), if any. */
  capability: 'queue' | 'topic' | undefined;
  /** The routing type the broker used to route the message (null: no hint, both types matched). */
  routingContext: RoutingType | null;
  durable: boolean;
  /** 0..9 (header priority capped at 9; 4 when absent). */
  priority: number;
  /** Absolute expiry in ms (absolute-expiry-time, else arrival + ttl); undefined = never. */
  expiration: number | undefined;
  receivedAt: number;
}

export interface MessageRef {
  message: StoredMessage;
  queue: QueueInfo;
  /** Failed delivery attempts so far (what Artemis would put in header.delivery-count on redelivery). */
  deliveryCount: number;
  /** Sent to a consumer and not yet settled. */
  inDelivery: boolean;
}

/** Why an accepted message did not end up in any queue. */
export type DropReason = 'duplicate' | 'routing-type-mismatch' | 'filter' | 'no-binding' | 'expired';

export interface DroppedMessage {
  reason: DropReason;
  address: string;
  /** Queue concerned (FQQN trap / filter), if one. */
  queue?: string;
  dupId?: string | Buffer;
  raw: Buffer;
  at: number;
}

/** A message a consumer rejected: Artemis would move it to the dead-letter address. */
export interface DeadLetter {
  queue: string;
  message: StoredMessage;
  error?: unknown;
}

export function isScheduled(m: StoredMessage, now: number): boolean {
  return m.scheduledTime !== undefined && m.scheduledTime > now;
}
