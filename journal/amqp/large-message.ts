/**
 * §10.5 / §11.2: AMQP large messages (persister 4). The record holds metadata and a "saved
 * encoding" of the header, annotations and properties; the message itself is in
 * large-messages/<id>.msg. The message to re-send is rebuilt from both, as the broker sends it.
 */
import { statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { BufferReader } from '../binary/reader.js';
import { readNullableSimpleString } from '../binary/strings.js';
import type { MessageContext } from '../messages/context.js';
import type { AmqpSection, ByteSource } from '../model/message.js';
import type { TypedMap } from '../model/typed-value.js';
import { FormatCode } from './codec/format-codes.js';
import { effectivePriority, expiryFromProperties } from './facts.js';
import { SectionCode, SECTION_NAMES } from './section-codes.js';
import { readAmqpSection } from './sections.js';
import { readExtraProperties } from './standard-message.js';
import type { AmqpStoredMessage } from './stored-message.js';
import { absoluteExpiryTime, headerView, type AmqpHeaderView } from './view.js';

export const AMQP_LARGE = 4;

/** One section of the saved encoding: its bytes (copied) and decoded value; null when absent. */
export interface SavedSection {
  bytes: Buffer;
  section: AmqpSection;
}

export interface LargeRecord {
  messageId: bigint;
  durable: boolean;
  messageFormat: bigint;
  address: string | null;
  extraProperties: TypedMap;
  headerPosition: number;
  encodedHeaderSize: number;
  header: SavedSection | null;
  deliveryAnnotationsPosition: number;
  encodedDeliveryAnnotationsSize: number;
  messageAnnotationsPosition: number;
  messageAnnotations: SavedSection | null;
  propertiesPosition: number;
  properties: SavedSection | null;
  applicationPropertiesPosition: number;
  remainingBodyPosition: number;
  applicationProperties: SavedSection | null;
  /** 2.17+ trailer; null when the record has none. */
  expiration: bigint | null;
  reencoded: boolean;
}

/** Reads the record after its persister id byte. Throws DecodeError. */
export function readLargeRecord(r: BufferReader): LargeRecord {
  const messageId = r.i64();
  const durable = r.bool();
  const messageFormat = r.i64();
  const address = readNullableSimpleString(r);
  const extraProperties = readExtraProperties(r);
  const headerPosition = r.i32();
  const encodedHeaderSize = r.i32();
  const header = readSaved(r, SectionCode.HEADER);
  const deliveryAnnotationsPosition = r.i32();
  const encodedDeliveryAnnotationsSize = r.i32();
  const messageAnnotationsPosition = r.i32();
  const messageAnnotations = readSaved(r, SectionCode.MESSAGE_ANNOTATIONS);
  const propertiesPosition = r.i32();
  const properties = readSaved(r, SectionCode.PROPERTIES);
  const applicationPropertiesPosition = r.i32();
  const remainingBodyPosition = r.i32();
  const applicationProperties = readSaved(r, SectionCode.APPLICATION_PROPERTIES);
  // Optional trailer, each part read only when its bytes are there (as the broker does).
  const expiration = r.remaining >= 8 ? r.i64() : null;
  const reencoded = r.remaining >= 1 ? r.bool() : false;
  return {
    messageId,
    durable,
    messageFormat,
    address,
    extraProperties,
    headerPosition,
    encodedHeaderSize,
    header,
    deliveryAnnotationsPosition,
    encodedDeliveryAnnotationsSize,
    messageAnnotationsPosition,
    messageAnnotations,
    propertiesPosition,
    properties,
    applicationPropertiesPosition,
    remainingBodyPosition,
    applicationProperties,
    expiration,
    reencoded,
  };
}

/** A saved section, or AMQP null (0x40) for "absent". */
function readSaved(r: BufferReader, code: number): SavedSection | null {
  const start = r.position;
  if (r.remaining > 0 && r.buf[start] === FormatCode.NULL) {
    r.skip(1);
    return null;
  }
  const section = readAmqpSection(r, true);
  if (section.code !== code) {
    r.position = start;
    r.fail(`saved ${SECTION_NAMES[code]} of an AMQP large message holds a ${SECTION_NAMES[section.code]} section`);
  }
  return { bytes: Buffer.from(r.buf.subarray(start, r.position)), section: { ...section, offset: 0 } };
}

export function largeRecordHeader(rec: LargeRecord): AmqpHeaderView | null {
  return rec.header ? headerView(rec.header.section) : null;
}

/** Expiration the broker uses: the stored trailer, else `absolute-expiry-time` (> 0), else none. */
export function largeRecordExpiration(rec: LargeRecord): number {
  if (rec.expiration !== null) return Number(rec.expiration);
  return expiryFromProperties(rec.properties ? absoluteExpiryTime(rec.properties.section) : null);
}

export function decodeLargeAmqp(r: BufferReader, ctx: MessageContext): AmqpStoredMessage {
  const rec = readLargeRecord(r);
  const header = largeRecordHeader(rec);
  return {
    protocol: 'amqp',
    messageId: rec.messageId,
    large: true,
    messageFormat: rec.messageFormat,
    address: rec.address,
    // The record's own flag wins over the header, as in the broker.
    durable: rec.durable,
    priority: effectivePriority(header),
    expiration: largeRecordExpiration(rec),
    ttl: header?.ttl ?? null,
    extraProperties: rec.extraProperties,
    encoded: rebuildEncoding(rec, ctx),
    persister: AMQP_LARGE,
    reencoded: rec.reencoded,
  };
}

/**
 * §11.2 rebuild, without delivery annotations:
 * - not re-encoded: record header + file[encodedHeaderSize + encodedDeliveryAnnotationsSize ..]
 * - re-encoded: record header, message annotations, properties, application properties +
 *   file[remainingBodyPosition ..]
 */
function rebuildEncoding(rec: LargeRecord, ctx: MessageContext): ByteSource[] {
  const parts: ByteSource[] = [];
  const add = (s: SavedSection | null): void => {
    if (s) parts.push({ kind: 'buffer', data: s.bytes });
  };
  add(rec.header);
  let from: number;
  if (rec.reencoded) {
    add(rec.messageAnnotations);
    add(rec.properties);
    add(rec.applicationProperties);
    from = rec.remainingBodyPosition;
  } else {
    from = Math.max(0, rec.encodedHeaderSize) + Math.max(0, rec.encodedDeliveryAnnotationsSize);
    checkPlainLayout(rec, ctx);
  }

  const { path, displayPath } = largeMessageFile(rec.messageId, ctx);
  let size: number | null = null;
  try {
    const st = statSync(path);
    if (st.isFile()) size = st.size;
  } catch {
    size = null;
  }
  if (size === null) {
    ctx.diagnostics.error(
      ctx.where.file,
      ctx.where.offset,
      `AMQP large message ${rec.messageId}: body file ${displayPath} is missing`,
      'AMQP large message file missing',
    );
    // Keep a reference to the file so that reading the message fails loudly instead of sending
    // a message cut after its header.
    parts.push({ kind: 'file', path, displayPath, offset: Math.max(0, from), length: 0 });
    return parts;
  }
  if (rec.reencoded && from < 0) {
    // No body sections were recorded: the saved sections are the whole message.
    return parts;
  }
  if (from > size) {
    ctx.diagnostics.error(
      ctx.where.file,
      ctx.where.offset,
      `AMQP large message ${rec.messageId}: ${displayPath} has ${size} bytes but its body starts at ${from}`,
      'AMQP large message file too short',
    );
    from = size;
  }
  parts.push({ kind: 'file', path, displayPath, offset: from, length: size - from });
  return parts;
}

/**
 * The broker skips `encodedHeaderSize + encodedDeliveryAnnotationsSize` bytes, which is only right
 * when the file starts with the header and delivery annotations. Say so when it does not.
 */
function checkPlainLayout(rec: LargeRecord, ctx: MessageContext): void {
  const headerOk = rec.headerPosition < 0 || rec.headerPosition === 0;
  const daOk = rec.deliveryAnnotationsPosition < 0 || rec.deliveryAnnotationsPosition === Math.max(0, rec.encodedHeaderSize);
  if (!headerOk || !daOk) {
    ctx.diagnostics.warning(
      ctx.where.file,
      ctx.where.offset,
      `AMQP large message ${rec.messageId}: header at ${rec.headerPosition} (${rec.encodedHeaderSize} bytes), delivery ` +
        `annotations at ${rec.deliveryAnnotationsPosition} (${rec.encodedDeliveryAnnotationsSize} bytes): unusual layout, ` +
        `rebuilt the way the broker sends it`,
      'AMQP large message layout',
    );
  }
}

export function largeMessageFile(messageId: bigint, ctx: MessageContext): { path: string; displayPath: string } {
  const dir = ctx.largeMessagesDir ?? join(ctx.dataDir, 'large-messages');
  const path = join(dir, `${messageId}.msg`);
  return { path, displayPath: relative(ctx.dataDir, path).split(sep).join('/') };
}
