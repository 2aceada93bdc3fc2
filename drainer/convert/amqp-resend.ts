/**
 * §3.6, §4.2, §17: a message stored as AMQP is sent as its own bytes. Only what a re-send must
 * change is rewritten:
 * - header: re-encoded — durable written explicitly (the broker's value), priority, first-acquirer
 *   and delivery-count as stored, ttl recomputed from the broker's expiration (kept as stored when
 *   the broker recorded none);
 * - delivery annotations: dropped (they were for one hop);
 * - message annotations: `x-opt-routing-type` removed (it would override the queue the drainer
 *   sends to), `x-opt-delivery-time` set to the queue's scheduled time (and a relative
 *   `x-opt-delivery-delay` removed then), the drainer annotations added; every other entry keeps
 *   its bytes;
 * - application properties: untouched, unless `_AMQ_DUPL_ID` is missing — then the entry is
 *   appended and the other entries keep their bytes;
 * - properties: untouched, unless the broker's expiration (persister v3, possibly adjusted by an
 *   address setting) differs from `absolute-expiry-time`, or is too far away for a ttl and the
 *   properties have none — then `absolute-expiry-time` is set to it.
 * Body sections and the footer are referenced where they are (large-message file regions stay
 * file regions).
 */
import { BufferReader } from '../../journal/binary/reader.js';
import { readAmqpSection } from '../../journal/amqp/sections.js';
import { SectionCode } from '../../journal/amqp/section-codes.js';
import { absoluteExpiryTime, headerView, type AmqpHeaderView } from '../../journal/amqp/view.js';
import type { AmqpMessage, ByteSource } from '../../journal/model/message.js';
import type { TypedValue } from '../../journal/model/typed-value.js';
import {
  buildMapSection,
  encodeApplicationProperties,
  encodeHeader,
  encodeMapEntry,
  encodeMessageAnnotations,
  encodeProperties,
  encodeSection,
  keyText,
  readRawMapSection,
} from '../amqp/encode/index.js';
import { coalesce, plainLength, sliceSources } from './byte-sources.js';
import { drainerAnnotations } from './drainer-annotations.js';
import { DUPLICATE_ID, drainerDuplicateId, duplicateIdValue } from './duplicate-id.js';
import { ttlFor } from './expiry.js';
import type { ConversionContext, OutgoingMessage } from './outgoing.js';
import { scanSections, type ScannedSection } from './section-scan.js';

export const ROUTING_TYPE_ANNOTATION = 'x-opt-routing-type';
export const DELIVERY_TIME_ANNOTATION = 'x-opt-delivery-time';
export const DELIVERY_DELAY_ANNOTATION = 'x-opt-delivery-delay';

/** Canonical section order, for placing a section the stored message did not have. */
function rank(code: number): number {
  return code <= SectionCode.APPLICATION_PROPERTIES ? code - SectionCode.HEADER : code === SectionCode.FOOTER ? 6 : 5;
}

interface Piece {
  rank: number;
  parts: ByteSource[];
}

export async function amqpToOutgoing(msg: AmqpMessage, ctx: ConversionContext): Promise<OutgoingMessage> {
  const { sections } = await scanSections(msg.encoded);
  const first = (code: number) => sections.find((s) => s.code === code) ?? null;
  const storedHeader = first(SectionCode.HEADER);
  const storedMa = first(SectionCode.MESSAGE_ANNOTATIONS);
  const storedProps = first(SectionCode.PROPERTIES);
  const storedAp = first(SectionCode.APPLICATION_PROPERTIES);

  const stored: AmqpHeaderView | null = storedHeader ? headerView(decode(storedHeader)) : null;
  const expiry = expiryPlan(msg, ctx, storedProps);
  const header = encodeHeader({
    durable: msg.durable,
    priority: stored?.priority ?? null,
    ttl: expiry.ttl,
    firstAcquirer: stored?.firstAcquirer ?? null,
    deliveryCount: stored?.deliveryCount ?? null,
  });
  const annotations = rewriteAnnotations(storedMa, msg, ctx);
  const { section: appProps, duplicateId } = withDuplicateId(storedAp, ctx, msg.messageId);

  const pieces: Piece[] = [{ rank: 0, parts: [{ kind: 'buffer', data: header }] }];
  const seen = new Set<number>();
  for (const s of sections) {
    const firstOfKind = !seen.has(s.code);
    seen.add(s.code);
    let data: Buffer | null = null;
    switch (s.code) {
      case SectionCode.HEADER:
      case SectionCode.DELIVERY_ANNOTATIONS:
        continue;
      case SectionCode.MESSAGE_ANNOTATIONS:
        // A second annotations section (not valid AMQP) could carry the routing type: not sent.
        if (!firstOfKind) continue;
        data = annotations;
        break;
      case SectionCode.PROPERTIES:
        if (firstOfKind && expiry.properties) data = expiry.properties;
        break;
      case SectionCode.APPLICATION_PROPERTIES:
        if (firstOfKind) data = appProps;
        break;
    }
    // Small sections already read are sent from memory; body sections are referenced where they are.
    data ??= s.bytes;
    pieces.push({ rank: rank(s.code), parts: data ? [{ kind: 'buffer', data }] : sliceSources(msg.encoded, s.start, s.start + s.length) });
  }
  if (!storedMa) insert(pieces, rank(SectionCode.MESSAGE_ANNOTATIONS), annotations);
  if (!storedProps && expiry.properties) insert(pieces, rank(SectionCode.PROPERTIES), expiry.properties);
  if (!storedAp) insert(pieces, rank(SectionCode.APPLICATION_PROPERTIES), appProps);

  const parts = coalesce(pieces.flatMap((p) => p.parts));
  let size = 0;
  for (const p of parts) size += plainLength(p);
  return {
    parts,
    size,
    format: Number(BigInt.asUintN(32, msg.messageFormat)),
    duplicateId,
    durable: msg.durable,
    priority: msg.priority,
  };
}

/** Puts a new section before the first stored one that comes after it in canonical order. */
function insert(pieces: Piece[], r: number, data: Buffer): void {
  let i = 1;
  while (i < pieces.length && pieces[i]!.rank <= r) i++;
  pieces.splice(i, 0, { rank: r, parts: [{ kind: 'buffer', data }] });
}

function decode(s: ScannedSection) {
  return readAmqpSection(new BufferReader(s.bytes!), true);
}

interface ExpiryPlan {
  ttl: number | null;
  /** Rewritten (or new) properties section, when absolute-expiry-time must change. */
  properties: Buffer | null;
}

function expiryPlan(msg: AmqpMessage, ctx: ConversionContext, props: ScannedSection | null): ExpiryPlan {
  if (msg.expiration <= 0) return { ttl: msg.ttl, properties: null };
  const ttl = ttlFor(msg.expiration, ctx.now);
  const section = props ? decode(props) : null;
  const absolute = section ? absoluteExpiryTime(section) : null;
  const expiration = BigInt(msg.expiration);
  if (absolute === expiration || (absolute === null && ttl !== null)) return { ttl, properties: null };
  if (!section) return { ttl, properties: encodeProperties({ absoluteExpiryTime: expiration }) };
  const fields = [...(section.value as { value: TypedValue[] }).value];
  while (fields.length < 9) fields.push({ type: 'null', value: null });
  fields[8] = { type: 'timestamp', value: expiration };
  return { ttl, properties: encodeSection(SectionCode.PROPERTIES, { type: 'list', value: fields }) };
}

/** The message annotations to send: stored entries minus routing type, plus the drainer's. */
function rewriteAnnotations(stored: ScannedSection | null, msg: AmqpMessage, ctx: ConversionContext): Buffer {
  const added: Array<[string, TypedValue]> = [];
  if (ctx.scheduledTime > 0) added.push([DELIVERY_TIME_ANNOTATION, { type: 'long', value: BigInt(Math.trunc(ctx.scheduledTime)) }]);
  added.push(...drainerAnnotations(ctx, msg.messageId));
  if (!stored) return encodeMessageAnnotations(added);

  const remove = new Set<string>([ROUTING_TYPE_ANNOTATION, ...added.map(([k]) => k)]);
  if (ctx.scheduledTime > 0) remove.add(DELIVERY_DELAY_ANNOTATION);
  const raw = readRawMapSection(stored.bytes!);
  const entries = raw.entries.filter((e) => !remove.has(keyText(e.key) ?? '')).map((e) => e.bytes);
  for (const [k, v] of added) entries.push(encodeMapEntry({ type: 'symbol', value: k }, v));
  return buildMapSection(raw.descriptor, entries);
}

/** Application properties carrying a duplicate id: the stored one, else the drainer's appended. */
function withDuplicateId(
  stored: ScannedSection | null,
  ctx: ConversionContext,
  messageId: bigint,
): { section: Buffer; duplicateId: string | Buffer } {
  const id = drainerDuplicateId(ctx, messageId);
  if (!stored) return { section: encodeApplicationProperties([[DUPLICATE_ID, { type: 'string', value: id }]]), duplicateId: id };
  const raw = readRawMapSection(stored.bytes!);
  const existing = raw.entries.find((e) => keyText(e.key) === DUPLICATE_ID && e.value.type !== 'null');
  if (existing) return { section: stored.bytes!, duplicateId: duplicateIdValue(existing.value) };
  const entries = raw.entries.filter((e) => keyText(e.key) !== DUPLICATE_ID).map((e) => e.bytes);
  entries.push(encodeMapEntry({ type: 'string', value: DUPLICATE_ID }, { type: 'string', value: id }));
  return { section: buildMapSection(raw.descriptor, entries), duplicateId: id };
}
