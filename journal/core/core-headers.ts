/**
 * The core message headers-and-properties block (§10.2 tail, §11.1): stored after the body in a
 * persisted core message, and alone as the record of a core large message (journal and pages).
 */
import { BufferReader, DecodeError } from '../binary/reader.js';
import { readNullableSimpleString } from '../binary/strings.js';
import type { CoreHeaders } from '../model/message.js';
import { readTypedProperties } from './typed-properties.js';
import { formatUuid } from './uuid.js';

export function readCoreHeaders(r: BufferReader): CoreHeaders {
  const messageId = r.i64();
  const address = readNullableSimpleString(r);
  const userId = readUserId(r);
  const type = r.u8();
  const durable = r.bool();
  const expiration = Number(r.i64());
  const timestamp = Number(r.i64());
  const priority = r.i8();
  const properties = readTypedProperties(r);
  return { messageId, address, userId, type, durable, expiration, timestamp, priority, properties };
}

/** Marker 1 = a 16-byte UUID follows, 0 = none. Artemis writes nothing else; anything else is corrupt. */
function readUserId(r: BufferReader): string | null {
  const marker = r.u8();
  if (marker === 0) return null;
  if (marker !== 1) r.fail(`invalid userID marker ${marker}`);
  r.need(16, 'userID');
  const text = formatUuid(r.buf, r.position);
  r.skip(16);
  return text;
}

/** What the index needs from a message without decoding its properties. */
export interface CoreHeaderSummary {
  messageId: bigint;
  priority: number;
  durable: boolean;
  /** Absolute epoch ms, 0 = never. */
  expiration: number;
}

/**
 * Fast read of the header block starting at `offset` (its messageId field), bounded by `end`.
 * Works on the raw buffer (no reader, no strings, no properties) because it runs once per stored
 * message while indexing; throws DecodeError when the fixed part does not fit.
 */
export function peekCoreHeaderSummary(buf: Buffer, offset: number, end: number = buf.length): CoreHeaderSummary {
  checkBounds(buf, offset, end);
  if (end - offset < 8) throw new DecodeError('core headers: messageId truncated', offset);
  return summaryAfterId(buf, offset + 8, end, buf.readBigInt64BE(offset));
}

/** Throws unless offset..end is a valid range of `buf`. */
export function checkBounds(buf: Buffer, offset: number, end: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(end) || offset < 0 || end < offset || end > buf.length) {
    throw new DecodeError(`invalid range ${offset}..${end} of a ${buf.length}-byte buffer`, offset);
  }
}

/**
 * The rest of the header block after its messageId field (at `p`). `messageId` is supplied by the
 * caller: a persisted message's record carries the authoritative one, and skipping the copy avoids
 * allocating a second bigint.
 */
export function summaryAfterId(buf: Buffer, p: number, end: number, messageId: bigint): CoreHeaderSummary {
  // address: SS?
  if (p >= end) throw new DecodeError('core headers: address marker truncated', p);
  if (buf[p++] !== 0) {
    if (end - p < 4) throw new DecodeError('core headers: address length truncated', p);
    const n = buf.readInt32BE(p);
    p += 4;
    if (n < 0 || n % 2 !== 0 || n > end - p) throw new DecodeError(`core headers: bad address length ${n}`, p - 4);
    p += n;
  }
  // userID marker (+16)
  if (p >= end) throw new DecodeError('core headers: userID marker truncated', p);
  const marker = buf[p++];
  if (marker === 1) p += 16;
  else if (marker !== 0) throw new DecodeError(`invalid userID marker ${marker}`, p - 1);
  // type u8, durable, expiration i64, timestamp i64, priority i8
  if (end - p < 19) throw new DecodeError('core headers: fixed fields truncated', p);
  const durable = buf[p + 1] !== 0;
  const expiration = buf.readInt32BE(p + 2) * 0x1_0000_0000 + buf.readUInt32BE(p + 6);
  const priority = buf.readInt8(p + 18);
  return { messageId, priority, durable, expiration };
}
