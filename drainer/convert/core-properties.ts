/**
 * §3.2–§3.3: where each core property goes in the AMQP message — a properties field, a header
 * field, a message annotation, the footer, an application property, or nowhere.
 *
 * Mirrors the broker's converter, with the drainer's own drops (§7 item 3): `_AMQ_ACK_ROUTE_TO*`,
 * `_AMQ_SCALEDOWN_TO*` and `_AMQ_LARGE_COMPRESSED` (the body is sent inflated) are not sent, a
 * `JMS_AMQP_MA_x-opt-routing-type` is not turned back into the routing annotation (§4.2), and
 * delivery annotations (`JMS_AMQP_DA_*`) are dropped like those of stored AMQP messages: they
 * belonged to one hop. The broker's `JMSXDeliveryCount: null` application property is not
 * reproduced.
 */
import { BufferReader } from '../../journal/binary/reader.js';
import { readAmqpValue } from '../../journal/amqp/codec/read-value.js';
import type { TypedMap, TypedValue } from '../../journal/model/typed-value.js';
import { OriginalEncoding } from './core-body.js';
import { asBoolean, asInteger, asString, coreToAmqpValue } from './typed.js';

export interface MappedCoreProperties {
  userId: Buffer | null;
  groupId: string | null;
  /** uint (a negative core int wraps, as the broker's UnsignedInteger.valueOf does). */
  groupSequence: number | null;
  contentType: string | null;
  contentEncoding: string | null;
  replyToGroupId: string | null;
  firstAcquirer: boolean | null;
  /** `JMS_AMQP_HEADERPRIORITY`: write the priority even when it is the default 4. */
  forcePriority: boolean;
  originalEncoding: number;
  /** Message annotations from properties, in property order (later names win). */
  messageAnnotations: Map<string, TypedValue>;
  footer: Map<string, TypedValue>;
  applicationProperties: Map<string, TypedValue>;
  /** Names dropped, for tests and logs. */
  dropped: string[];
}

const AMQP = 'JMS_AMQP_';
const ENCODED = 'ENCODED_';

/** Core names the drainer never forwards as application properties. */
function droppedName(name: string): boolean {
  return (
    (name.startsWith('JMS') && !name.startsWith('JMSX') && !name.startsWith('JMS_')) || // JMSType, JMSCorrelationID, JMSReplyTo: mapped to fields
    name.startsWith('__AMQ_CID') ||
    name === '_AMQ_ROUTING_TYPE' ||
    name.startsWith('_AMQ_ROUTE_TO') ||
    name.startsWith('_AMQ_ACK_ROUTE_TO') ||
    name.startsWith('_AMQ_SCALEDOWN_TO') ||
    name === '_AMQ_LARGE_COMPRESSED' ||
    name === 'NATIVE_MESSAGE_ID' ||
    name.endsWith('_AMQ_SCHED_DELIVERY') ||
    // Read through the JMSX getters, which take the _AMQ_ headers below, never these literals.
    name === 'JMSXUserID' ||
    name === 'JMSXGroupID' ||
    name === 'JMSXGroupSeq'
  );
}

export function mapCoreProperties(props: TypedMap): MappedCoreProperties {
  const m: MappedCoreProperties = {
    userId: null,
    groupId: null,
    groupSequence: null,
    contentType: null,
    contentEncoding: null,
    replyToGroupId: null,
    firstAcquirer: null,
    forcePriority: false,
    originalEncoding: OriginalEncoding.UNKNOWN,
    messageAnnotations: new Map(),
    footer: new Map(),
    applicationProperties: new Map(),
    dropped: [],
  };
  for (const [name, value] of props) {
    if (name === '_AMQ_GROUP_ID') {
      m.groupId = asString(value);
    } else if (name === '_AMQ_GROUP_SEQUENCE') {
      const n = asInteger(value);
      m.groupSequence = n === null ? null : Number(BigInt.asUintN(32, n));
    } else if (name === '_AMQ_VALIDATED_USER') {
      const user = asString(value);
      if (user !== null) m.userId = Buffer.from(user, 'utf8');
    } else if (name === '_AMQ_INGRESS_TIMESTAMP') {
      const t = asInteger(value);
      if (t !== null) m.messageAnnotations.set('x-opt-ingress-time', { type: 'long', value: BigInt.asIntN(64, t) });
    } else if (droppedName(name)) {
      m.dropped.push(name);
    } else if (name.startsWith(AMQP)) {
      mapAmqpProperty(m, name, value);
    } else {
      m.applicationProperties.set(name, coreToAmqpValue(value));
    }
  }
  return m;
}

/** `JMS_AMQP_*`: AMQP facts a message kept when it was converted to core. */
function mapAmqpProperty(m: MappedCoreProperties, name: string, value: TypedValue): void {
  const rest = name.slice(AMQP.length);
  if (rest === 'NATIVE' || rest.startsWith('PROPERTIES') || rest === 'HEADER' || rest === 'HEADERDURABLE') {
    // Internal, or a header flag: the drainer always writes a header with an explicit durable.
    m.dropped.push(name);
  } else if (rest === 'ORIGINAL_ENCODING') {
    m.originalEncoding = originalEncoding(value);
  } else if (rest === 'FirstAcquirer') {
    m.firstAcquirer = asBoolean(value);
  } else if (rest === 'HEADERPRIORITY') {
    m.forcePriority = true;
  } else if (rest.startsWith('DA_') || rest.startsWith(`${ENCODED}DA_`)) {
    m.dropped.push(name);
  } else if (rest.startsWith('MA_')) {
    annotation(m, m.messageAnnotations, name, rest.slice(3), coreToAmqpValue(value), value);
  } else if (rest.startsWith(`${ENCODED}MA_`)) {
    annotation(m, m.messageAnnotations, name, rest.slice(ENCODED.length + 3), decodeEmbedded(value), value);
  } else if (rest === 'ContentType') {
    m.contentType = asString(value);
  } else if (rest === 'ContentEncoding') {
    m.contentEncoding = asString(value);
  } else if (rest === 'ReplyToGroupID') {
    m.replyToGroupId = asString(value);
  } else if (rest.startsWith(`${ENCODED}FT_`)) {
    annotation(m, m.footer, name, rest.slice(ENCODED.length + 3), decodeEmbedded(value), value);
  } else if (rest.startsWith('FT_')) {
    annotation(m, m.footer, name, rest.slice(3), coreToAmqpValue(value), value);
  } else {
    m.applicationProperties.set(name, coreToAmqpValue(value));
  }
}

function annotation(
  m: MappedCoreProperties,
  into: Map<string, TypedValue>,
  property: string,
  key: string,
  value: TypedValue | null,
  raw: TypedValue,
): void {
  if (key === 'x-opt-routing-type') {
    // §4.2: a routing-type annotation would make the target ignore the queue the drainer chose.
    m.dropped.push(property);
  } else if (value === null) {
    // Not an AMQP encoding after all: keep the bytes as the property they are.
    m.applicationProperties.set(property, coreToAmqpValue(raw));
  } else {
    into.set(key, value);
  }
}

/** `JMS_AMQP_ENCODED_*` values hold one AMQP-encoded value; null when they do not. */
function decodeEmbedded(v: TypedValue): TypedValue | null {
  if (v.type !== 'bytes' && v.type !== 'binary') return null;
  try {
    const r = new BufferReader(v.value);
    const out = readAmqpValue(r);
    return r.remaining === 0 ? out : null;
  } catch {
    return null;
  }
}

/** The broker reads it with getShortProperty: short, byte or a numeric string; else unknown. */
function originalEncoding(v: TypedValue): number {
  if (v.type === 'short' || v.type === 'byte') return v.value;
  if (v.type === 'string') {
    const n = asInteger(v);
    if (n !== null && n >= -32768n && n <= 32767n) return Number(n);
  }
  return OriginalEncoding.UNKNOWN;
}
