/**
 * The message sections of AMQP 1.0 part 3: each is `0x00 0x53 <code>` (descriptor as smallulong)
 * followed by its value. Header and properties are lists whose trailing absent fields are left
 * out, as every AMQP implementation writes them.
 */
import type { TypedValue } from '../../../journal/model/typed-value.js';
import { AmqpEncodeError } from './errors.js';
import { writeCompound, writeTo } from './value.js';
import { withWriter } from './byte-writer.js';

/** The section descriptor codes, shared with the decoder. */
export { SectionCode as Section } from '../../../journal/amqp/section-codes.js';
import { SectionCode as Section } from '../../../journal/amqp/section-codes.js';

export function encodeSection(code: number, value: TypedValue): Buffer {
  return withWriter((w) => {
    w.u8(0x00);
    w.u8(0x53);
    w.u8(code);
    writeTo(w, value);
  });
}

const NULL: TypedValue = { type: 'null', value: null };

/** A list without its trailing nulls (absent composite fields). */
function fieldList(fields: Array<TypedValue | null | undefined>): TypedValue {
  let n = fields.length;
  while (n > 0 && (fields[n - 1] == null || fields[n - 1]!.type === 'null')) n--;
  return { type: 'list', value: fields.slice(0, n).map((f) => f ?? NULL) };
}

export interface HeaderFields {
  durable?: boolean | null;
  /** ubyte 0–255. */
  priority?: number | null;
  /** Milliseconds, uint. */
  ttl?: number | null;
  firstAcquirer?: boolean | null;
  /** uint. */
  deliveryCount?: number | null;
}

export function encodeHeader(h: HeaderFields): Buffer {
  return encodeSection(
    Section.HEADER,
    fieldList([
      h.durable == null ? null : { type: 'boolean', value: h.durable },
      h.priority == null ? null : { type: 'ubyte', value: h.priority },
      h.ttl == null ? null : { type: 'uint', value: h.ttl },
      h.firstAcquirer == null ? null : { type: 'boolean', value: h.firstAcquirer },
      h.deliveryCount == null ? null : { type: 'uint', value: h.deliveryCount },
    ]),
  );
}

export interface PropertiesFields {
  /** string, uuid, ulong or binary. */
  messageId?: TypedValue | null;
  userId?: Buffer | null;
  to?: string | null;
  subject?: string | null;
  replyTo?: string | null;
  correlationId?: TypedValue | null;
  contentType?: string | null;
  contentEncoding?: string | null;
  /** Epoch milliseconds. */
  absoluteExpiryTime?: bigint | null;
  creationTime?: bigint | null;
  groupId?: string | null;
  /** uint. */
  groupSequence?: number | null;
  replyToGroupId?: string | null;
}

export function encodeProperties(p: PropertiesFields): Buffer {
  const s = (v: string | null | undefined): TypedValue | null => (v == null ? null : { type: 'string', value: v });
  const sym = (v: string | null | undefined): TypedValue | null => (v == null ? null : { type: 'symbol', value: v });
  const ts = (v: bigint | null | undefined): TypedValue | null => (v == null ? null : { type: 'timestamp', value: v });
  return encodeSection(
    Section.PROPERTIES,
    fieldList([
      p.messageId ?? null,
      p.userId == null ? null : { type: 'binary', value: p.userId },
      s(p.to),
      s(p.subject),
      s(p.replyTo),
      p.correlationId ?? null,
      sym(p.contentType),
      sym(p.contentEncoding),
      ts(p.absoluteExpiryTime),
      ts(p.creationTime),
      s(p.groupId),
      p.groupSequence == null ? null : { type: 'uint', value: p.groupSequence },
      s(p.replyToGroupId),
    ]),
  );
}

/** Annotations (delivery, message, footer): symbol keys. */
export function encodeAnnotations(code: 0x71 | 0x72 | 0x78, entries: Iterable<[string, TypedValue]>): Buffer {
  return encodeKeyedMapSection(code, 'symbol', entries);
}

/** A section holding a map with string or symbol keys, written straight from the entries. */
function encodeKeyedMapSection(code: number, keyType: 'symbol' | 'string', entries: Iterable<[string, TypedValue]>): Buffer {
  const list = Array.isArray(entries) ? (entries as Array<[string, TypedValue]>) : [...entries];
  const key: { type: 'symbol' | 'string'; value: string } = { type: keyType, value: '' };
  return withWriter((w) => {
    w.u8(0x00);
    w.u8(0x53);
    w.u8(code);
    writeCompound(w, null, 0xc1, 0xd1, list.length * 2, () => {
      for (let i = 0; i < list.length; i++) {
        const e = list[i]!;
        key.value = e[0];
        writeTo(w, key as TypedValue);
        writeTo(w, e[1]);
      }
    });
  });
}

export function encodeMessageAnnotations(entries: Iterable<[string, TypedValue]>): Buffer {
  return encodeAnnotations(Section.MESSAGE_ANNOTATIONS, entries);
}

export function encodeDeliveryAnnotations(entries: Iterable<[string, TypedValue]>): Buffer {
  return encodeAnnotations(Section.DELIVERY_ANNOTATIONS, entries);
}

export function encodeFooter(entries: Iterable<[string, TypedValue]>): Buffer {
  return encodeAnnotations(Section.FOOTER, entries);
}

/** Application properties: string keys, simple values. */
export function encodeApplicationProperties(entries: Iterable<[string, TypedValue]>): Buffer {
  return encodeKeyedMapSection(Section.APPLICATION_PROPERTIES, 'string', entries);
}

export function encodeAmqpValueSection(value: TypedValue): Buffer {
  return encodeSection(Section.AMQP_VALUE, value);
}

export function encodeAmqpSequenceSection(elements: TypedValue[]): Buffer {
  return encodeSection(Section.AMQP_SEQUENCE, { type: 'list', value: elements });
}

/** A whole data section (smallest binary encoding). */
export function encodeDataSection(data: Buffer): Buffer {
  return encodeSection(Section.DATA, { type: 'binary', value: data });
}

/**
 * Only the start of a data section, `0x00 0x53 0x75 0xb0 <u32 length>`: the `length` payload
 * bytes follow separately (e.g. as a region of a large-message file).
 */
export function encodeDataSectionHeader(length: number): Buffer {
  return binaryHeader(Section.DATA, length);
}

/** Likewise for an amqp-value section holding one binary (vbin32) of `length` bytes. */
export function encodeAmqpValueBinaryHeader(length: number): Buffer {
  return binaryHeader(Section.AMQP_VALUE, length);
}

function binaryHeader(code: number, length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) throw new AmqpEncodeError(`invalid binary length ${length}`);
  const b = Buffer.allocUnsafe(8);
  b[0] = 0x00;
  b[1] = 0x53;
  b[2] = code;
  b[3] = 0xb0;
  b.writeUInt32BE(length, 4);
  return b;
}
