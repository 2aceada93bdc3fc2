/**
 * Editing an encoded map section (annotations, application properties) without re-encoding the
 * entries that stay: they keep their exact bytes, only the map header (size, count) is new.
 */
import { BufferReader } from '../../../journal/binary/reader.js';
import { readAmqpValue } from '../../../journal/amqp/codec/read-value.js';
import { skipAmqpValue } from '../../../journal/amqp/codec/skip-value.js';
import type { TypedValue } from '../../../journal/model/typed-value.js';
import { compoundHeader, encodeAmqpValue } from './value.js';

export interface RawMapEntry {
  key: TypedValue;
  value: TypedValue;
  /** The entry's encoding: key then value. */
  bytes: Buffer;
}

export interface RawMapSection {
  /** `0x00` + descriptor, as stored. */
  descriptor: Buffer;
  entries: RawMapEntry[];
}

/**
 * Splits a whole map section (`0x00 descriptor map`) into its entries. Throws DecodeError when
 * the bytes are not one section holding a map.
 */
export function readRawMapSection(section: Buffer): RawMapSection {
  const r = new BufferReader(section);
  if (r.u8() !== 0x00) r.fail('not a described section');
  skipAmqpValue(r);
  const descriptor = section.subarray(0, r.position);
  const code = r.u8();
  if (code !== 0xc1 && code !== 0xd1) r.fail(`section value is not a map (0x${code.toString(16)})`);
  const wide = code === 0xd1;
  const size = wide ? r.u32() : r.u8();
  const body = r.sub(size, 'map');
  const count = wide ? body.u32() : body.u8();
  if (count % 2 !== 0) body.fail(`map with odd element count ${count}`);
  const entries: RawMapEntry[] = [];
  for (let i = 0; i < count; i += 2) {
    const start = body.position;
    const key = readAmqpValue(body);
    const value = readAmqpValue(body);
    entries.push({ key, value, bytes: body.buf.subarray(start, body.position) });
  }
  if (body.remaining !== 0) body.fail(`map has ${body.remaining} bytes after its last entry`);
  if (r.remaining !== 0) r.fail(`${r.remaining} bytes after the map section`);
  return { descriptor, entries };
}

/** One entry's bytes. */
export function encodeMapEntry(key: TypedValue, value: TypedValue): Buffer {
  return Buffer.concat([encodeAmqpValue(key), encodeAmqpValue(value)]);
}

/** A map section from a descriptor and already encoded entries. */
export function buildMapSection(descriptor: Buffer, entries: Buffer[]): Buffer {
  let n = 0;
  for (const e of entries) n += e.length;
  return Buffer.concat([descriptor, compoundHeader(0xc1, 0xd1, entries.length * 2, n), ...entries]);
}

/** Text of a symbol or string key; null for other key types. */
export function keyText(k: TypedValue): string | null {
  return k.type === 'symbol' || k.type === 'string' ? k.value : null;
}
