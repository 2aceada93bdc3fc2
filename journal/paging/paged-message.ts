/**
 * The PagedMessage encoding inside one page record (format spec §12.3):
 *
 *   i64 transactionId | i8 largeMessageType | message | i32 queueCount | queueCount × i64 queueId
 *
 * where the message is a core large-message headers block with its own i32 length (types 1 and
 * the ≤ 2.11 boolean-true −1) or a persister-tagged message (§10.1; type 0, and 2 for AMQP large).
 * A record must be consumed exactly; anything else is a DecodeError for the caller to report.
 *
 * Two readers: `decodePagedMessage` decodes everything; `summarizePagedMessage` only frames the
 * message and peeks at its headers (id, priority, durability, expiration) for indexing, without
 * touching bodies or properties. Both first find where the message ends, then decode it within
 * exactly those bytes, so a message decoder can never read into the queue ids.
 */
import { BufferReader, DecodeError } from '../binary/reader.js';
import type { StoredMessage } from '../model/message.js';
import type { MessageContext } from '../messages/context.js';
import { decodePersistedMessage, Persister } from '../messages/persisted.js';
import { decodeCoreLarge, peekCorePersistedSummary } from '../core/core-message.js';
import { peekCoreHeaderSummary } from '../core/core-headers.js';
import { peekAmqpSummary } from '../amqp/persisters.js';
import { readLargeRecord } from '../amqp/large-message.js';

/** Values of the largeMessageType byte. */
export const PagedLargeType = {
  NONE: 0,
  CORE: 1,
  /** A core large message written by ≤ 2.11 as a boolean true (0xFF). */
  CORE_OLD: -1,
  /** A large message of another protocol (AMQP, persister 4), 2.12+. */
  NOT_CORE: 2,
} as const;

export interface PagedMessage {
  /** −1: sent outside a transaction; otherwise the producer transaction's id (§12.4). */
  transactionId: bigint;
  largeType: number;
  message: StoredMessage;
  queueIds: bigint[];
}

/** What indexing needs from a paged message, read without decoding bodies or properties. */
export interface PagedSummary {
  transactionId: bigint;
  largeType: number;
  /** Body in large-messages/<id>.msg (core large, or AMQP persister 4). */
  large: boolean;
  protocol: 'core' | 'amqp';
  queueIds: bigint[];
  messageId: bigint;
  priority: number;
  durable: boolean;
  /** Absolute epoch ms, 0 = never. */
  expiration: number;
}

/** Where the parts of one PagedMessage encoding are. */
interface Layout {
  transactionId: bigint;
  largeType: number;
  /** Core large headers: [start, end) of the headers block. Otherwise: from the persister byte. */
  start: number;
  end: number;
  /** Persister id, or null for a core large headers block. */
  persister: number | null;
  queueIds: bigint[];
}

/** Full decode of a PagedMessage encoding (`body` = exactly the S bytes of the page record). */
export function decodePagedMessage(body: Buffer, ctx: MessageContext): PagedMessage {
  const l = layout(body);
  const r = new BufferReader(body, l.start, l.end);
  const message = l.persister === null ? decodeCoreLarge(r, ctx) : decodePersistedMessage(r, ctx);
  if (r.remaining !== 0) r.fail(`message decoder left ${r.remaining} of its bytes unread`);
  return { transactionId: l.transactionId, largeType: l.largeType, message, queueIds: l.queueIds };
}

/** Cheap summary of a PagedMessage encoding: framing plus header peeks, no body or properties. */
export function summarizePagedMessage(body: Buffer): PagedSummary {
  const l = layout(body);
  let head: { messageId: bigint; priority: number; durable: boolean; expiration: number };
  let protocol: 'core' | 'amqp';
  if (l.persister === null) {
    head = peekCoreHeaderSummary(body, l.start, l.end);
    protocol = 'core';
  } else if (l.persister === Persister.CORE) {
    head = peekCorePersistedSummary(body, l.start + 1, l.end - l.start - 1);
    protocol = 'core';
  } else {
    head = peekAmqpSummary(l.persister, body, l.start + 1, l.end - l.start - 1);
    protocol = 'amqp';
  }
  return {
    transactionId: l.transactionId,
    largeType: l.largeType,
    large: l.largeType !== PagedLargeType.NONE || l.persister === Persister.AMQP_LARGE,
    protocol,
    queueIds: l.queueIds,
    messageId: head.messageId,
    priority: head.priority,
    durable: head.durable,
    expiration: head.expiration,
  };
}

function layout(body: Buffer): Layout {
  const r = new BufferReader(body);
  const transactionId = r.i64();
  const largeType = r.i8();
  if (largeType === PagedLargeType.CORE || largeType === PagedLargeType.CORE_OLD) {
    const h = r.i32();
    r.need(h, 'core large message headers');
    const start = r.position;
    r.skip(h);
    return { transactionId, largeType, start, end: r.position, persister: null, queueIds: readQueueIds(r) };
  }
  if (largeType !== PagedLargeType.NONE && largeType !== PagedLargeType.NOT_CORE) {
    return r.fail(`unknown paged largeMessageType ${largeType}`);
  }
  const start = r.position;
  const persister = body[start];
  const end = persistedMessageEnd(body, start) ?? amqpLargeEnd(body, start);
  r.position = end;
  return { transactionId, largeType, start, end, persister: persister ?? null, queueIds: readQueueIds(r) };
}

/**
 * End offset of a persister-tagged message starting at `start` (its persister byte), from the
 * length fields alone (§10.2, §10.4); null for persister 4, whose length is not recorded. Throws
 * DecodeError when a length does not fit or the persister is unknown.
 */
export function persistedMessageEnd(buf: Buffer, start: number, end: number = buf.length): number | null {
  const r = new BufferReader(buf, start, end);
  const persister = r.u8();
  switch (persister) {
    case Persister.CORE:
      r.skip(8, 'message id');
      skipNullableSimpleString(r);
      r.skip(r.i32(), 'core message buffer');
      return r.position;
    case Persister.AMQP_V1:
    case Persister.AMQP_V2:
    case Persister.AMQP_V3:
      r.skip(16, 'message id and format');
      skipNullableSimpleString(r);
      r.skip(r.i32(), 'AMQP data');
      if (persister !== Persister.AMQP_V1) r.skip(r.i32(), 'extra properties');
      if (persister === Persister.AMQP_V3) r.skip(8, 'expiration');
      return r.position;
    case Persister.AMQP_LARGE:
      return null;
    default:
      return r.fail(`unknown message persister id ${persister}`);
  }
}

/**
 * End of an AMQP large-message record (persister 4) inside a page record. Its optional trailer
 * (expiration, reencoded; 2.17+) is read "when bytes remain", which inside a page are the queue
 * ids. So: read it as written by 2.17+ first; if what follows is not exactly a queue-id block,
 * retry with the trailer (or part of it) absent, as 2.12–2.16 wrote it.
 */
function amqpLargeEnd(body: Buffer, start: number): number {
  const greedy = new BufferReader(body, start + 1, body.length);
  readLargeRecord(greedy);
  const p = greedy.position;
  if (isQueueBlock(body, p)) return p;
  for (let e = p - 1; e >= Math.max(start + 1, p - 9); e--) {
    if (!isQueueBlock(body, e)) continue;
    const bounded = new BufferReader(body, start + 1, e);
    try {
      readLargeRecord(bounded);
    } catch (err) {
      if (err instanceof DecodeError) continue;
      throw err;
    }
    if (bounded.remaining === 0) return e;
  }
  return p; // let the queue-id reader report the mismatch
}

/** Whether [p, end) is exactly `i32 n` + n queue ids. */
function isQueueBlock(body: Buffer, p: number): boolean {
  if (body.length - p < 4) return false;
  const n = body.readInt32BE(p);
  return n >= 0 && body.length - p - 4 === n * 8;
}

function skipNullableSimpleString(r: BufferReader): void {
  if (r.u8() === 0) return;
  const n = r.i32();
  if (n % 2 !== 0) r.fail(`SimpleString with odd byte length ${n}`);
  r.skip(n, 'SimpleString');
}

function readQueueIds(r: BufferReader): bigint[] {
  const n = r.i32();
  if (n < 0) r.fail(`negative queue count ${n}`);
  r.need(n * 8, 'queue ids');
  const ids: bigint[] = [];
  for (let i = 0; i < n; i++) ids.push(r.i64());
  if (r.remaining !== 0) r.fail(`${r.remaining} unexpected bytes after the queue ids of the paged message`);
  return ids;
}
