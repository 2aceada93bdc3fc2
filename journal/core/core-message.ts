/**
 * Core messages as stored: persister 1 (§10.2, journal ADD_MESSAGE_PROTOCOL and paged messages) and
 * core large messages (§11.1, journal ADD_LARGE_MESSAGE and paged large headers).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BufferReader, DecodeError } from '../binary/reader.js';
import { readNullableSimpleString } from '../binary/strings.js';
import type { ByteSource, CoreHeaders, CoreMessage } from '../model/message.js';
import type { MessageContext } from '../messages/context.js';
import { checkBounds, readCoreHeaders, summaryAfterId, type CoreHeaderSummary } from './core-headers.js';

/**
 * The stored end-of-body position counts the 13-byte core packet header (i32 size, u8 type,
 * i64 channel) that preceded the body on the wire; the buffer on disk starts with the i32 E itself.
 */
const PACKET_HEADER_SIZE = 13;

/** Called after the persister id byte (1) was consumed. */
export function decodeCorePersisted(r: BufferReader, _ctx: MessageContext): CoreMessage {
  const messageId = r.i64();
  const address = readNullableSimpleString(r);
  const length = r.i32();
  const b = r.sub(length, 'core message buffer');
  const bodyLength = b.i32() - PACKET_HEADER_SIZE;
  if (bodyLength < 0) b.fail(`core message end-of-body position ${bodyLength + PACKET_HEADER_SIZE} < ${PACKET_HEADER_SIZE}`);
  const body = Buffer.from(b.bytes(bodyLength, 'core message body'));
  const headers = readCoreHeaders(b);
  if (b.remaining !== 0) b.fail(`${b.remaining} unexpected bytes after the core message properties`);
  // The record's id and address win over the copies in the buffer (the broker overwrites them).
  return { ...headers, messageId, address, protocol: 'core', large: false, body: { kind: 'buffer', data: body } };
}

/** Fast summary of a persister-1 body (offset is just after the persister byte). */
export function peekCorePersistedSummary(buf: Buffer, offset: number, length: number): CoreHeaderSummary {
  const end = offset + length;
  checkBounds(buf, offset, end);
  let p = offset;
  if (end - p < 9) throw new DecodeError('core message: id truncated', p);
  const messageId = buf.readBigInt64BE(p);
  p += 8;
  if (buf[p++] !== 0) {
    if (end - p < 4) throw new DecodeError('core message: address length truncated', p);
    const n = buf.readInt32BE(p);
    p += 4;
    if (n < 0 || n % 2 !== 0 || n > end - p) throw new DecodeError(`core message: bad address length ${n}`, p - 4);
    p += n;
  }
  if (end - p < 4) throw new DecodeError('core message: buffer length truncated', p);
  const bufferLength = buf.readInt32BE(p);
  p += 4;
  if (bufferLength < 4 || bufferLength > end - p) {
    throw new DecodeError(`core message: buffer length ${bufferLength} does not fit ${end - p} bytes`, p - 4);
  }
  const bufferEnd = p + bufferLength;
  const bodyLength = buf.readInt32BE(p) - PACKET_HEADER_SIZE;
  if (bodyLength < 0 || bodyLength > bufferLength - 4 - 8) {
    throw new DecodeError(`core message: bad end-of-body position ${bodyLength + PACKET_HEADER_SIZE}`, p);
  }
  // Skip E, the body and the messageId copy.
  return summaryAfterId(buf, p + 4 + bodyLength + 8, bufferEnd, messageId);
}

/**
 * The ADD_LARGE_MESSAGE (30) record body, or the headers block of a paged core large message.
 * The body stays in `large-messages/<id>.msg`; only its size is looked up here.
 */
export function decodeCoreLarge(r: BufferReader, ctx: MessageContext): CoreMessage {
  const headers = readCoreHeaders(r);
  if (r.remaining > 0) {
    // The broker reads the block and ignores what follows; keep the message but say so.
    ctx.diagnostics.warning(
      ctx.where.file,
      ctx.where.offset,
      `core large message ${headers.messageId}: ${r.remaining} bytes after the headers ignored`,
      'bytes after core large message headers',
    );
    r.skip(r.remaining);
  }
  return { ...headers, protocol: 'core', large: true, body: locateLargeBody(headers, ctx) };
}

function locateLargeBody(h: CoreHeaders, ctx: MessageContext): ByteSource {
  const compressed = h.properties.get('_AMQ_LARGE_COMPRESSED');
  const zlib = compressed?.type === 'boolean' && compressed.value;
  const dir = ctx.largeMessagesDir ?? path.join(ctx.dataDir, 'large-messages');
  const names = [`${h.messageId}.msg`];
  // Older brokers let a moved copy share the original's file.
  const orig = originalMessageId(h);
  if (orig !== null && orig !== h.messageId) names.push(`${orig}.msg`);

  const problems: string[] = [];
  if (ctx.largeMessagesDir !== null) {
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        const st = fs.statSync(file, { throwIfNoEntry: false });
        if (st?.isFile()) return fileSource(file, ctx, st.size, zlib);
        problems.push(st ? `${name} is not a regular file` : `${name} not found`);
      } catch (e) {
        problems.push(`${name}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    }
  } else {
    problems.push('the data directory has no large-messages folder');
  }
  const file = path.join(dir, names[0]!);
  ctx.diagnostics.error(
    ctx.where.file,
    ctx.where.offset,
    `core large message ${h.messageId}: body file ${displayPath(file, ctx)} missing (${problems.join('; ')})`,
    'core large message body file missing',
  );
  return fileSource(file, ctx, -1, zlib);
}

function originalMessageId(h: CoreHeaders): bigint | null {
  const v = h.properties.get('_AMQ_ORIG_MESSAGE_ID');
  if (v?.type === 'long') return v.value;
  if (v?.type === 'int') return BigInt(v.value);
  return null;
}

function fileSource(file: string, ctx: MessageContext, length: number, zlib: boolean): ByteSource {
  return { kind: 'file', path: file, displayPath: displayPath(file, ctx), offset: 0, length, zlib };
}

function displayPath(file: string, ctx: MessageContext): string {
  return path.relative(ctx.dataDir, file).split(path.sep).join('/');
}
