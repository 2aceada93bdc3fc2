/**
 * What the broker reads from an incoming AMQP message (§4.3, §5): read from the raw sections with rhea's
 * decoder so that presence and AMQP types are exact (rhea's Message view fills in defaults and loses id types).
 */
import type { Message } from 'rhea';
import type { RoutingType } from './model.js';
import { newReader, type RawTyped } from './rhea-internals.js';

export interface MessageInfo {
  durable: boolean;
  priority: number;
  /** Absolute expiry ms, from absolute-expiry-time (wins) or header ttl; undefined when none. */
  expiration: number | undefined;
  scheduledTime: number | undefined;
  dupId: string | Buffer | undefined;
  /** x-opt-routing-type annotation: 0 = MULTICAST, 1 = ANYCAST. */
  routingTypeAnnotation: RoutingType | undefined;
  /** message-id and correlation-id still wrapped in their AMQP type, for a reply's correlation. */
  typedMessageId: RawTyped | undefined;
  typedCorrelationId: RawTyped | undefined;
  replyTo: string | undefined;
  to: string | undefined;
}

const HEADER = 0x70;
const MESSAGE_ANNOTATIONS = 0x72;
const PROPERTIES = 0x73;
const APPLICATION_PROPERTIES = 0x74;

function descriptorCode(t: RawTyped): number | string | undefined {
  const d = t.descriptor?.value;
  if (typeof d === 'number') return d;
  if (typeof d === 'string') {
    const names: Record<string, number> = {
      'amqp:header:list': HEADER,
      'amqp:message-annotations:map': MESSAGE_ANNOTATIONS,
      'amqp:properties:list': PROPERTIES,
      'amqp:application-properties:map': APPLICATION_PROPERTIES,
    };
    return names[d] ?? d;
  }
  return undefined;
}

function isNull(t: RawTyped | undefined): boolean {
  return t === undefined || t.type.name === 'Null';
}

/** A long/timestamp value as ms (rhea gives a number, a Date, or 8 raw bytes for huge values). */
function toMillis(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime();
  if (Buffer.isBuffer(v) && v.length === 8) return Number(v.readBigInt64BE(0));
  return undefined;
}

function mapEntries(t: RawTyped): Array<[RawTyped, RawTyped]> {
  const items = t.value as RawTyped[];
  const out: Array<[RawTyped, RawTyped]> = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([items[i], items[i + 1]]);
  return out;
}

export function readMessageInfo(raw: Buffer, receivedAt: number): MessageInfo {
  const info: MessageInfo = {
    durable: false,
    priority: 4,
    expiration: undefined,
    scheduledTime: undefined,
    dupId: undefined,
    routingTypeAnnotation: undefined,
    typedMessageId: undefined,
    typedCorrelationId: undefined,
    replyTo: undefined,
    to: undefined,
  };
  let ttl: number | undefined;
  let absoluteExpiry: number | undefined;
  let deliveryTime: number | undefined;
  let deliveryDelay: number | undefined;
  const reader = newReader(raw);
  while (reader.remaining() > 0) {
    const section = reader.read();
    const code = descriptorCode(section);
    if (code === HEADER) {
      const f = section.value as RawTyped[];
      if (!isNull(f[0])) info.durable = f[0].value === true;
      if (!isNull(f[1])) info.priority = Math.min(9, Number(f[1].value));
      if (!isNull(f[2])) ttl = Number(f[2].value);
    } else if (code === MESSAGE_ANNOTATIONS) {
      for (const [k, v] of mapEntries(section)) {
        if (k.value === 'x-opt-delivery-time') deliveryTime = toMillis(v.value);
        else if (k.value === 'x-opt-delivery-delay') deliveryDelay = toMillis(v.value);
        else if (k.value === 'x-opt-routing-type' && typeof v.value === 'number') {
          info.routingTypeAnnotation = v.value === 1 ? 'ANYCAST' : v.value === 0 ? 'MULTICAST' : undefined;
        }
      }
    } else if (code === PROPERTIES) {
      const f = section.value as RawTyped[];
      if (!isNull(f[0])) info.typedMessageId = f[0];
      if (!isNull(f[2])) info.to = String(f[2].value);
      if (!isNull(f[4])) info.replyTo = String(f[4].value);
      if (!isNull(f[5])) info.typedCorrelationId = f[5];
      if (!isNull(f[8])) absoluteExpiry = toMillis(f[8].value);
    } else if (code === APPLICATION_PROPERTIES) {
      for (const [k, v] of mapEntries(section)) {
        if (k.value !== '_AMQ_DUPL_ID') continue;
        if (typeof v.value === 'string') info.dupId = v.value;
        else if (Buffer.isBuffer(v.value)) info.dupId = Buffer.from(v.value);
      }
    }
  }
  // absolute-expiry-time wins over ttl; 0 means "no expiry" on the wire.
  if (absoluteExpiry !== undefined && absoluteExpiry > 0) info.expiration = absoluteExpiry;
  else if (ttl !== undefined && ttl > 0) info.expiration = receivedAt + ttl;
  // x-opt-delivery-time wins over x-opt-delivery-delay.
  if (deliveryTime !== undefined) info.scheduledTime = deliveryTime;
  else if (deliveryDelay !== undefined && deliveryDelay > 0) info.scheduledTime = receivedAt + deliveryDelay;
  return info;
}

/** Value lookup for filters: application properties, plus the header priority under AMQPriority/JMSPriority. */
export function filterLookup(message: Message | undefined, priority: number): (name: string) => string | number | boolean | null | undefined {
  const props = (message?.application_properties ?? {}) as Record<string, unknown>;
  return (name) => {
    if (name === 'AMQPriority' || name === 'JMSPriority') return priority;
    const v = props[name];
    if (v === undefined || v === null) return v as undefined | null;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    return undefined;
  };
}
