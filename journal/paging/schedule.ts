/**
 * The producer's schedule of a message (format spec §14.2). Paged messages have no per-queue
 * SET_SCHEDULED_DELIVERY_TIME record (nor delivery counts, §14.3): the schedule the producer put in
 * the message is all there is.
 *
 * Core: property `_AMQ_SCHED_DELIVERY` (absolute ms). AMQP: message annotations
 * `x-opt-delivery-time` (absolute) or `x-opt-delivery-delay` (relative to the arrival, which is not
 * stored). For AMQP only the in-memory parts of the encoding are examined: the message annotations
 * of an AMQP large message that was not re-encoded sit in its body file and are not read here.
 */
import { BufferReader, DecodeError } from '../binary/reader.js';
import type { StoredMessage } from '../model/message.js';
import type { TypedValue } from '../model/typed-value.js';
import { readAmqpSection } from '../amqp/sections.js';

export type ProducerSchedule =
  /** Absolute delivery time, epoch ms. */
  | { kind: 'at'; time: number }
  /** Delay in ms relative to the (unrecorded) arrival at the broker. */
  | { kind: 'delay'; ms: number };

const MESSAGE_ANNOTATIONS = 0x72;
const FIRST_BODY_SECTION = 0x75;

export function producerSchedule(msg: StoredMessage): ProducerSchedule | null {
  if (msg.protocol === 'core') {
    const t = asNumber(msg.properties.get('_AMQ_SCHED_DELIVERY'));
    return t !== null && t > 0 ? { kind: 'at', time: t } : null;
  }
  for (const part of msg.encoded) {
    if (part.kind !== 'buffer') continue;
    const annotations = messageAnnotations(part.data);
    if (!annotations) continue;
    const at = asNumber(annotations.get('x-opt-delivery-time'));
    if (at !== null && at > 0) return { kind: 'at', time: at };
    const delay = asNumber(annotations.get('x-opt-delivery-delay'));
    if (delay !== null && delay > 0) return { kind: 'delay', ms: delay };
    return null;
  }
  return null;
}

/** The message-annotations entries of an encoding, scanning sections up to the body. */
function messageAnnotations(buf: Buffer): Map<string, TypedValue> | null {
  const r = new BufferReader(buf);
  try {
    while (r.remaining > 0) {
      if (r.remaining >= 3 && buf[r.position + 1] === 0x53 && buf[r.position + 2]! >= FIRST_BODY_SECTION) return null;
      const s = readAmqpSection(r, false);
      if (s.code === MESSAGE_ANNOTATIONS && s.value?.type === 'map') {
        const out = new Map<string, TypedValue>();
        for (const [k, v] of s.value.value) if (k.type === 'symbol' || k.type === 'string') out.set(k.value, v);
        return out;
      }
      if (s.code >= FIRST_BODY_SECTION) return null;
    }
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
  return null;
}

function asNumber(v: TypedValue | undefined): number | null {
  if (!v) return null;
  switch (v.type) {
    case 'long':
    case 'ulong':
    case 'timestamp':
      return Number(v.value);
    case 'int':
    case 'uint':
    case 'short':
    case 'ushort':
    case 'byte':
    case 'ubyte':
      return v.value;
    default:
      return null;
  }
}
