/**
 * §3.1–§3.4: a core message as the AMQP message the broker's own converter makes of it, so that
 * consumers on the target see what they would see after an Artemis-internal conversion. Where
 * the drainer must differ it says so:
 * - the header is always written with an explicit durable (an absent header means non-durable);
 * - the ttl is left out when the remaining time does not fit a uint (expiry.ts);
 * - the queue's recorded scheduled time wins over `_AMQ_SCHED_DELIVERY`;
 * - a message without a stored address gets the queue's address as `to`;
 * - property drops and delivery annotations: core-properties.ts; body edge cases: core-body.ts.
 * Sections are written in the standard order: header, message annotations, properties,
 * application properties, body, footer.
 */
import type { ByteSource, CoreMessage } from '../../journal/model/message.js';
import type { TypedValue } from '../../journal/model/typed-value.js';
import { encodeApplicationProperties, encodeFooter, encodeHeader, encodeMessageAnnotations, encodeProperties } from '../amqp/encode/index.js';
import { DELIVERY_DELAY_ANNOTATION, DELIVERY_TIME_ANNOTATION } from './amqp-resend.js';
import { coalesce } from './byte-sources.js';
import { coreBodySections } from './core-body.js';
import { mapCoreProperties } from './core-properties.js';
import { drainerAnnotations } from './drainer-annotations.js';
import { DUPLICATE_ID, drainerDuplicateId, duplicateIdValue } from './duplicate-id.js';
import { ttlFor } from './expiry.js';
import { idFromString } from './message-id.js';
import type { ConversionContext, OutgoingMessage } from './outgoing.js';
import { asInteger, asString, coreToAmqpValue } from './typed.js';

const DEFAULT_PRIORITY = 4;

/** Destination kinds of `x-opt-jms-dest` / `x-opt-jms-reply-to`. */
const PREFIXES: Array<[string, number]> = [
  ['queue://', 0],
  ['topic://', 1],
  ['temp-queue://', 2],
  ['temp-topic://', 3],
];

/** A JMS destination string without its `queue://`… prefix, and its kind (0 when unprefixed). */
export function destinationOf(destination: string): { address: string; kind: number } {
  for (const [prefix, kind] of PREFIXES) {
    if (destination.startsWith(prefix)) return { address: destination.slice(prefix.length), kind };
  }
  return { address: destination, kind: 0 };
}

/**
 * `to` and `x-opt-jms-dest` from the message address and its `_AMQ_ROUTING_TYPE` (0 multicast =
 * topic; anything else, or none, = queue), as the broker builds the JMS destination first.
 */
function target(address: string, routingType: TypedValue | undefined): { address: string; kind: number } {
  const prefix = asInteger(routingType) === 0n ? 'topic://' : 'queue://';
  return destinationOf(address.startsWith(prefix) ? address : prefix + address);
}

export async function coreToOutgoing(msg: CoreMessage, ctx: ConversionContext): Promise<OutgoingMessage> {
  const props = msg.properties;
  const mapped = mapCoreProperties(props);
  const body = await coreBodySections(msg, mapped.originalEncoding);

  const annotations = new Map<string, TypedValue>();
  annotations.set('x-opt-jms-msg-type', { type: 'byte', value: body.jmsMsgType });

  const address = msg.address || ctx.address;
  const to = address ? target(address, props.get('_AMQ_ROUTING_TYPE')) : null;
  if (to) annotations.set('x-opt-jms-dest', { type: 'byte', value: to.kind });
  const replyToText = asString(props.get('JMSReplyTo'));
  const replyTo = replyToText === null ? null : destinationOf(replyToText);
  if (replyTo) annotations.set('x-opt-jms-reply-to', { type: 'byte', value: replyTo.kind });
  const scheduled = asInteger(props.get('_AMQ_SCHED_DELIVERY'));
  if (scheduled !== null && scheduled > 0n) annotations.set(DELIVERY_TIME_ANNOTATION, { type: 'long', value: BigInt.asIntN(64, scheduled) });
  for (const [k, v] of mapped.messageAnnotations) annotations.set(k, v);
  if (ctx.scheduledTime > 0) annotations.set(DELIVERY_TIME_ANNOTATION, { type: 'long', value: BigInt(Math.trunc(ctx.scheduledTime)) });
  if (annotations.has(DELIVERY_TIME_ANNOTATION)) annotations.delete(DELIVERY_DELAY_ANNOTATION);
  for (const [k, v] of drainerAnnotations(ctx, msg.messageId)) annotations.set(k, v);

  const priority = msg.priority & 0xff;
  const expiring = msg.expiration !== 0;
  const header = encodeHeader({
    durable: msg.durable,
    priority: priority !== DEFAULT_PRIORITY || mapped.forcePriority ? priority : null,
    ttl: expiring ? ttlFor(msg.expiration, ctx.now) : null,
    firstAcquirer: mapped.firstAcquirer,
  });

  const nativeId = asString(props.get('NATIVE_MESSAGE_ID'));
  const properties = encodeProperties({
    messageId: nativeId !== null ? idFromString(nativeId) : msg.userId !== null ? { type: 'string', value: `ID:${msg.userId}` } : null,
    userId: mapped.userId,
    to: to?.address ?? null,
    subject: asString(props.get('JMSType')),
    replyTo: replyTo?.address ?? null,
    correlationId: correlationId(props.get('JMSCorrelationID')),
    contentType: mapped.contentType ?? body.contentType ?? null,
    contentEncoding: mapped.contentEncoding,
    absoluteExpiryTime: expiring ? BigInt(msg.expiration) : null,
    creationTime: msg.timestamp !== 0 ? BigInt(msg.timestamp) : null,
    groupId: mapped.groupId,
    groupSequence: mapped.groupSequence,
    replyToGroupId: mapped.replyToGroupId,
  });

  const app = mapped.applicationProperties;
  const existing = app.get(DUPLICATE_ID);
  let duplicateId: string | Buffer;
  if (existing && existing.type !== 'null') {
    duplicateId = duplicateIdValue(existing);
  } else {
    duplicateId = drainerDuplicateId(ctx, msg.messageId);
    app.set(DUPLICATE_ID, { type: 'string', value: duplicateId });
  }

  const footer = mapped.footer.size > 0 ? encodeFooter(mapped.footer) : null;
  const head = [header, encodeMessageAnnotations(annotations), properties, encodeApplicationProperties(app)];
  const parts = coalesce([
    ...head.map((data): ByteSource => ({ kind: 'buffer', data })),
    ...body.parts,
    ...(footer ? [{ kind: 'buffer', data: footer } as const] : []),
  ]);
  let size = body.length + (footer?.length ?? 0);
  for (const h of head) size += h.length;
  return { parts, size, format: 0, duplicateId, durable: msg.durable, priority: Math.min(priority, 9) };
}

/** JMSCorrelationID: a string is decoded as an id (§3.4), byte[] is binary, others as they are. */
function correlationId(v: TypedValue | undefined): TypedValue | null {
  if (!v || v.type === 'null') return null;
  if (v.type === 'string') return idFromString(v.value);
  return coreToAmqpValue(v);
}
