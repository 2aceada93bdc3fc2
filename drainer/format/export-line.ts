/**
 * One `export` NDJSON line: a (queue, message) pair with its headers, typed properties and body.
 * Core messages show their core properties; AMQP messages their application-properties, plus the
 * full decoded AMQP sections under `amqp`.
 */
import { createHash } from 'node:crypto';
import type { QueueEntry } from '../../journal/data-directory.js';
import type { AmqpMessage, CoreMessage, StoredMessage } from '../../journal/model/message.js';
import { CORE_TYPE_NAMES } from '../../journal/model/message.js';
import { typedMapToJson, type JsonTyped, type TypedValue } from '../../journal/model/typed-value.js';
import { decodeCoreBody } from '../../journal/core/core-body.js';
import { describeAmqpMessage, type AmqpView } from '../../journal/amqp/persisters.js';

export interface ExportLine {
  queue: string;
  address: string;
  messageId: string;
  state: QueueEntry['state'];
  xid?: string;
  protocol: 'core' | 'amqp';
  durable: boolean;
  priority: number;
  expiration: number;
  timestamp: number | null;
  deliveryCount: number;
  scheduledDeliveryTime: number | null;
  duplicateId: string | null;
  large: boolean;
  paged: boolean;
  userId?: string | null;
  coreType?: string;
  properties: Record<string, JsonTyped>;
  body: unknown;
  amqp?: AmqpView;
}

export async function exportLine(entry: QueueEntry, msg: StoredMessage, opts: { includeBase64: boolean }): Promise<ExportLine> {
  return msg.protocol === 'core' ? coreLine(entry, msg, opts) : amqpLine(entry, msg, opts);
}

/** The fields every line has, in the order they are printed. */
function commonFields(entry: QueueEntry, msg: StoredMessage) {
  return {
    queue: entry.queue.name,
    address: msg.address ?? entry.queue.address,
    messageId: msg.messageId.toString(),
    state: entry.state,
    ...(entry.xidKey ? { xid: entry.xidKey } : {}),
  };
}

async function coreLine(entry: QueueEntry, msg: CoreMessage, opts: { includeBase64: boolean }): Promise<ExportLine> {
  const sched = msg.properties.get('_AMQ_SCHED_DELIVERY');
  return {
    ...commonFields(entry, msg),
    protocol: 'core',
    durable: msg.durable,
    priority: msg.priority,
    expiration: msg.expiration,
    timestamp: msg.timestamp,
    deliveryCount: entry.deliveryCount,
    scheduledDeliveryTime: entry.scheduledTime > 0 ? entry.scheduledTime : sched && sched.type === 'long' && sched.value > 0n ? Number(sched.value) : null,
    duplicateId: duplicateIdHex(msg.properties.get('_AMQ_DUPL_ID')),
    large: msg.large,
    paged: entry.paged,
    userId: msg.userId,
    coreType: CORE_TYPE_NAMES[msg.type] ?? `type-${msg.type}`,
    properties: typedMapToJson(msg.properties),
    body: await decodeCoreBody(msg, opts),
  };
}

async function amqpLine(entry: QueueEntry, msg: AmqpMessage, opts: { includeBase64: boolean }): Promise<ExportLine> {
  const view = await describeAmqpMessage(msg, opts);
  const deliveryTime = view.messageAnnotations?.['x-opt-delivery-time'];
  const creation = view.properties?.['creation-time'];
  const props = view.applicationProperties ?? {};
  const dup = props['_AMQ_DUPL_ID'];
  return {
    ...commonFields(entry, msg),
    protocol: 'amqp',
    durable: msg.durable,
    priority: msg.priority,
    expiration: msg.expiration,
    timestamp: creation && creation.value !== null ? Number(creation.value) : null,
    deliveryCount: entry.deliveryCount,
    scheduledDeliveryTime:
      entry.scheduledTime > 0 ? entry.scheduledTime : deliveryTime && deliveryTime.value !== null ? Number(deliveryTime.value) : null,
    duplicateId: dup ? jsonDuplicateIdHex(dup) : null,
    large: msg.large,
    paged: entry.paged,
    properties: props,
    body: amqpBody(view.body),
    amqp: view,
  };
}

/**
 * The id as the broker's duplicate cache holds it: byte[] ids as they are, string ids as their
 * SimpleString bytes (UTF-16LE).
 */
function duplicateIdHex(v: TypedValue | undefined): string | null {
  if (!v) return null;
  if (v.type === 'bytes' || v.type === 'binary') return v.value.toString('hex');
  if (v.type === 'string') return Buffer.from(v.value, 'utf16le').toString('hex');
  return null;
}

function jsonDuplicateIdHex(v: JsonTyped): string | null {
  if (v.type === 'binary') return Buffer.from(String(v.value), 'base64').toString('hex');
  if (v.type === 'string' || v.type === 'symbol') return Buffer.from(String(v.value), 'utf16le').toString('hex');
  return null;
}

/** The AMQP body in the same vocabulary as core bodies where one exists. */
function amqpBody(body: AmqpView['body']): unknown {
  if (body.section === 'data') return { type: 'bytes', size: body.size, sha256: body.sha256, ...(body.base64 !== undefined ? { base64: body.base64 } : {}) };
  if ('tooLarge' in body) return { type: body.section, encodedSize: body.encodedSize, sha256: body.sha256 };
  if (body.section === 'amqp-value' && 'size' in body) {
    return { type: body.type === 'string' ? 'text' : 'bytes', size: body.size, sha256: body.sha256, ...(body.base64 !== undefined ? { base64: body.base64 } : {}) };
  }
  if (body.section === 'amqp-value') {
    const v = body.value as JsonTyped;
    if (v.type === 'string') return { type: 'text', text: v.value };
    if (v.type === 'null') return { type: 'text', text: null };
    if (v.type === 'binary') {
      const b = Buffer.from(String(v.value), 'base64');
      return { type: 'bytes', size: b.length, sha256: sha256(b) };
    }
    return { type: 'amqp-value', value: v };
  }
  if (body.section === 'amqp-sequence') return { type: 'amqp-sequence', value: body.value };
  return { type: 'empty' };
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
