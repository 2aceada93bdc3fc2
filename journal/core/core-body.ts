/**
 * The JSON-ready form of a core message body, by core type (§10.3), as used by `export` and the
 * fixture comparisons. Opaque bodies (bytes, object, embedded) are summarised by size and SHA-256;
 * when they live in a large-message file they are streamed, never held whole.
 */
import { createHash } from 'node:crypto';
import { BufferReader, DecodeError } from '../binary/reader.js';
import { readNullableSimpleString, readNullableString } from '../binary/strings.js';
import { CoreType, type ByteSource, type CoreMessage } from '../model/message.js';
import { typedMapToJson, typedToJson, type JsonTyped, type TypedValue } from '../model/typed-value.js';
import {
  asDecodeError,
  isCoreBodyCompressed,
  openCoreBodyStream,
  readCoreBodyAsync,
  readCoreBodyBytes,
} from './body-source.js';
import { PropertyTag, readScalarValue, readTypedProperties } from './typed-properties.js';

export { openCoreBodyStream, readCoreBodyBytes, isCoreBodyCompressed } from './body-source.js';

export type CoreBodyJson =
  | { type: 'text'; text: string | null }
  /** Also DEFAULT (0) and unknown types. `base64` only for bodies in hand, when asked. */
  | { type: 'bytes'; size: number; sha256: string; base64?: string }
  | { type: 'map'; map: Record<string, JsonTyped> }
  | { type: 'stream'; items: JsonTyped[] }
  /** `size`/`sha256` of the serialized Java object (the bytes after the i32 length). */
  | { type: 'object'; size: number; sha256: string }
  | { type: 'embedded'; size: number; sha256: string };

export interface CoreBodyOptions {
  includeBase64: boolean;
}

/** Throws DecodeError when the body does not match its type or cannot be read. */
export async function decodeCoreBody(msg: CoreMessage, opts: CoreBodyOptions): Promise<CoreBodyJson> {
  const src = msg.body;
  const inflate = isCoreBodyCompressed(msg);
  switch (msg.type) {
    case CoreType.TEXT:
      return decodeTextBody(await readCoreBodyAsync(src, inflate));
    case CoreType.MAP:
      return decodeMapBody(await readCoreBodyAsync(src, inflate));
    case CoreType.STREAM:
      return decodeStreamBody(await readCoreBodyAsync(src, inflate));
    case CoreType.OBJECT:
      return src.kind === 'buffer'
        ? decodeObjectBody(readCoreBodyBytes(src, inflate))
        : objectFromDigest(await digest(src, inflate, 4));
    case CoreType.EMBEDDED:
    case CoreType.LARGE_EMBEDDED: {
      const d = src.kind === 'buffer' ? digestBuffer(readCoreBodyBytes(src, inflate)) : await digest(src, inflate, 0);
      return { type: 'embedded', size: d.size, sha256: d.sha256 };
    }
    default: {
      if (src.kind === 'file') {
        const d = await digest(src, inflate, 0);
        return { type: 'bytes', size: d.size, sha256: d.sha256 };
      }
      const data = readCoreBodyBytes(src, inflate);
      const out: CoreBodyJson = { type: 'bytes', ...digestBuffer(data) };
      if (opts.includeBase64) out.base64 = data.toString('base64');
      return out;
    }
  }
}

/** TEXT: SS? (null text = single 0). An empty body (never written by JMS) reads as null text. */
export function decodeTextBody(data: Buffer): CoreBodyJson {
  if (data.length === 0) return { type: 'text', text: null };
  const r = new BufferReader(data);
  const text = readNullableSimpleString(r);
  expectEnd(r, 'text');
  return { type: 'text', text };
}

/** MAP: TypedProperties. An empty body reads as an empty map. */
export function decodeMapBody(data: Buffer): CoreBodyJson {
  if (data.length === 0) return { type: 'map', map: {} };
  const r = new BufferReader(data);
  const map = readTypedProperties(r);
  expectEnd(r, 'map');
  return { type: 'map', map: typedMapToJson(map) };
}

/** STREAM: tagged elements up to the end of the body. */
export function decodeStreamBody(data: Buffer): CoreBodyJson {
  const r = new BufferReader(data);
  const items: JsonTyped[] = [];
  while (r.remaining > 0) items.push(typedToJson(readStreamElement(r)));
  return { type: 'stream', items };
}

/** One StreamMessage element: TypedProperties tags, except STRING = nullable §1.6 String. */
export function readStreamElement(r: BufferReader): TypedValue {
  const tag = r.u8();
  if (tag === PropertyTag.STRING) {
    const s = readNullableString(r);
    return s === null ? { type: 'null', value: null } : { type: 'string', value: s };
  }
  return readScalarValue(r, tag, 'StreamMessage');
}

/** OBJECT: i32 length + serialized bytes. An empty body reads as an empty (null) object. */
export function decodeObjectBody(data: Buffer): CoreBodyJson {
  if (data.length === 0) return { type: 'object', ...digestBuffer(data) };
  const r = new BufferReader(data);
  const serialized = r.lengthPrefixedBytes('serialized object');
  expectEnd(r, 'object');
  return { type: 'object', ...digestBuffer(serialized) };
}

function objectFromDigest(d: Digest): CoreBodyJson {
  if (d.header.length === 0 && d.size === 0) return { type: 'object', size: 0, sha256: d.sha256 };
  if (d.header.length < 4) throw new DecodeError('object body shorter than its i32 length', 0);
  const declared = d.header.readInt32BE(0);
  if (declared !== d.size) {
    throw new DecodeError(`object body declares ${declared} serialized bytes, has ${d.size}`, 0);
  }
  return { type: 'object', size: d.size, sha256: d.sha256 };
}

function expectEnd(r: BufferReader, what: string): void {
  if (r.remaining !== 0) r.fail(`${r.remaining} unexpected bytes after the ${what} body`);
}

interface Digest {
  /** The first `headerBytes` bytes, excluded from size and hash. */
  header: Buffer;
  size: number;
  sha256: string;
}

function digestBuffer(data: Buffer): { size: number; sha256: string } {
  return { size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

/** Streams the body once, computing size and SHA-256 of everything after `headerBytes`. */
async function digest(src: ByteSource, inflate: boolean, headerBytes: number): Promise<Digest> {
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  try {
    for await (const chunk of openCoreBodyStream(src, inflate) as AsyncIterable<Buffer>) {
      let rest = chunk;
      if (headLength < headerBytes) {
        const take = Math.min(headerBytes - headLength, rest.length);
        head.push(Buffer.from(rest.subarray(0, take)));
        headLength += take;
        rest = rest.subarray(take);
      }
      if (rest.length > 0) {
        hash.update(rest);
        size += rest.length;
      }
    }
  } catch (e) {
    throw asDecodeError(e, src);
  }
  return { header: Buffer.concat(head), size, sha256: hash.digest('hex') };
}
