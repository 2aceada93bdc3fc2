/**
 * §3.1: the AMQP body of a core message, by core type, honouring JMS_AMQP_ORIGINAL_ENCODING.
 *
 * Opaque bodies (bytes, object, raw default) become a data (or amqp-value binary) section whose
 * payload stays where it is: a slice of the in-hand body or a region of the large-message file,
 * behind an 8-byte section header — never read whole. A zlib-compressed large body
 * (`_AMQ_LARGE_COMPRESSED`) is measured by one streaming inflate pass and referenced as a `zlib`
 * file part (its inflated bytes are the payload). Text, map and stream bodies must be transcoded
 * (UTF-16 → UTF-8, TypedProperties → AMQP map …) and are decoded in memory, within the journal's
 * MAX_IN_MEMORY_BODY limit.
 */
import { open } from 'node:fs/promises';
import { BufferReader, DecodeError } from '../../journal/binary/reader.js';
import { readNullableSimpleString } from '../../journal/binary/strings.js';
import { decodeTextBody, readStreamElement } from '../../journal/core/core-body.js';
import { isCoreBodyCompressed, openCoreBodyStream, readCoreBodyAsync, readCoreBodyBytes } from '../../journal/core/body-source.js';
import { readTypedProperties } from '../../journal/core/typed-properties.js';
import { CoreType, type ByteSource, type CoreMessage } from '../../journal/model/message.js';
import type { TypedValue } from '../../journal/model/typed-value.js';
import {
  encodeAmqpSequenceSection,
  encodeAmqpValueBinaryHeader,
  encodeAmqpValueSection,
  encodeDataSectionHeader,
} from '../amqp/encode/index.js';
import { coreToAmqpValue } from './typed.js';

/** `x-opt-jms-msg-type` values. */
export const JmsMsgType = { MESSAGE: 0, OBJECT: 1, MAP: 2, BYTES: 3, STREAM: 4, TEXT: 5 } as const;

/** `JMS_AMQP_ORIGINAL_ENCODING`: the body section an AMQP message had before it became core. */
export const OriginalEncoding = {
  UNKNOWN: 0,
  NULL: 1,
  DATA: 2,
  SEQUENCE: 3,
  VALUE_NULL: 4,
  VALUE_STRING: 5,
  VALUE_BINARY: 6,
  VALUE_MAP: 7,
  VALUE_LIST: 8,
} as const;

export const SERIALIZED_JAVA_OBJECT = 'application/x-java-serialized-object';

export interface CoreBodySections {
  jmsMsgType: number;
  /** The body section(s) as parts; none when the message has no body section. */
  parts: ByteSource[];
  /** Bytes the parts stand for (inflated bytes for a zlib part). */
  length: number;
  /** Content type the body type implies (object messages). */
  contentType?: string;
}

/** Throws DecodeError when the body cannot be read or does not match its type. */
export async function coreBodySections(msg: CoreMessage, originalEncoding: number): Promise<CoreBodySections> {
  const body = new CoreBody(msg);
  switch (msg.type) {
    case CoreType.TEXT:
      return textBody(await body.whole(), originalEncoding);
    case CoreType.BYTES:
      return binaryBody(JmsMsgType.BYTES, await body.region(0), originalEncoding, true);
    case CoreType.MAP:
      return mapBody(await body.whole());
    case CoreType.STREAM:
      return streamBody(await body.whole(), originalEncoding);
    case CoreType.OBJECT:
      return { ...binaryBody(JmsMsgType.OBJECT, await body.objectRegion(), originalEncoding, false), contentType: SERIALIZED_JAVA_OBJECT };
    default:
      return defaultBody(body);
  }
}

function sections(jmsMsgType: number, ...buffers: Buffer[]): CoreBodySections {
  let length = 0;
  for (const b of buffers) length += b.length;
  return { jmsMsgType, parts: buffers.map((data) => ({ kind: 'buffer', data })), length };
}

function textBody(data: Buffer, originalEncoding: number): CoreBodySections {
  const r = decodeTextBody(data);
  const text = r.type === 'text' ? r.text : null;
  switch (originalEncoding) {
    case OriginalEncoding.NULL:
      return sections(JmsMsgType.TEXT);
    case OriginalEncoding.DATA: {
      const utf8 = Buffer.from(text ?? '', 'utf8');
      return sections(JmsMsgType.TEXT, encodeDataSectionHeader(utf8.length), utf8);
    }
    default:
      return sections(JmsMsgType.TEXT, encodeAmqpValueSection(text === null ? { type: 'null', value: null } : { type: 'string', value: text }));
  }
}

/** Bytes and object bodies: data by default, amqp-value binary or (bytes only) nothing on request. */
function binaryBody(jmsMsgType: number, payload: Payload, originalEncoding: number, mayBeNull: boolean): CoreBodySections {
  if (mayBeNull && originalEncoding === OriginalEncoding.NULL) return sections(jmsMsgType);
  const head = originalEncoding === OriginalEncoding.VALUE_BINARY ? encodeAmqpValueBinaryHeader(payload.length) : encodeDataSectionHeader(payload.length);
  return { jmsMsgType, parts: [{ kind: 'buffer', data: head }, ...payload.parts], length: head.length + payload.length };
}

function mapBody(data: Buffer): CoreBodySections {
  const entries: Array<[TypedValue, TypedValue]> = [];
  if (data.length > 0) {
    const r = new BufferReader(data);
    for (const [k, v] of readTypedProperties(r)) entries.push([{ type: 'string', value: k }, coreToAmqpValue(v)]);
    if (r.remaining !== 0) r.fail(`${r.remaining} unexpected bytes after the map body`);
  }
  return sections(JmsMsgType.MAP, encodeAmqpValueSection({ type: 'map', value: entries }));
}

function streamBody(data: Buffer, originalEncoding: number): CoreBodySections {
  const r = new BufferReader(data);
  const items: TypedValue[] = [];
  while (r.remaining > 0) items.push(coreToAmqpValue(readStreamElement(r)));
  const section = originalEncoding === OriginalEncoding.SEQUENCE ? encodeAmqpSequenceSection(items) : encodeAmqpValueSection({ type: 'list', value: items });
  return sections(JmsMsgType.STREAM, section);
}

/**
 * DEFAULT (plain Message, raw core bodies): a body that is exactly one nullable SimpleString is
 * text (amqp-value string; the null string: no body); an empty body has no body section; any
 * other content is sent as data. (The broker reads a SimpleString off any body and ignores what
 * follows, turning raw bytes into an error text or nothing; the drainer keeps them.)
 */
async function defaultBody(body: CoreBody): Promise<CoreBodySections> {
  const { length, head } = await body.measure(5);
  if (length === 0) return sections(JmsMsgType.MESSAGE);
  if (head[0] === 0 && length === 1) return sections(JmsMsgType.MESSAGE);
  if (head[0] !== 0 && head.length === 5) {
    const n = head.readInt32BE(1);
    if (n >= 0 && n % 2 === 0 && 5 + n === length) {
      const text = readNullableSimpleString(new BufferReader(await body.whole()));
      return sections(JmsMsgType.MESSAGE, encodeAmqpValueSection({ type: 'string', value: text ?? '' }));
    }
  }
  return binaryBody(JmsMsgType.MESSAGE, await body.region(0), OriginalEncoding.UNKNOWN, false);
}

/** A body payload: its parts and the bytes they stand for. */
interface Payload {
  parts: ByteSource[];
  length: number;
}

/** Access to a core body wherever it is, inflating compressed bodies. */
class CoreBody {
  private readonly src: ByteSource;
  private readonly compressed: boolean;
  private inflated: { length: number; head: Buffer } | null = null;

  constructor(msg: CoreMessage) {
    this.src = msg.body;
    this.compressed = isCoreBodyCompressed(msg);
    if (this.src.kind === 'file' && this.src.length < 0) {
      throw new DecodeError(`large message body file ${this.src.displayPath} is missing`, 0);
    }
  }

  /** The whole (inflated) body in memory: only for bodies that must be transcoded. */
  whole(): Promise<Buffer> {
    return readCoreBodyAsync(this.src, this.compressed);
  }

  /** Length and first `n` bytes of the (inflated) body. */
  async measure(n: number): Promise<{ length: number; head: Buffer }> {
    const src = this.src;
    if (src.kind === 'buffer') {
      const data = this.compressed ? readCoreBodyBytes(src, true) : src.data;
      return { length: data.length, head: data.subarray(0, n) };
    }
    if (!this.compressed) return { length: src.length, head: await readHead(src, n) };
    if (!this.inflated || this.inflated.head.length < n) this.inflated = await inflatedSize(src, n);
    return { length: this.inflated.length, head: this.inflated.head.subarray(0, n) };
  }

  /** The body from byte `skip` on, without reading a file body. */
  async region(skip: number): Promise<Payload> {
    const src = this.src;
    if (src.kind === 'buffer') {
      const data = (this.compressed ? readCoreBodyBytes(src, true) : src.data).subarray(skip);
      return { parts: [{ kind: 'buffer', data }], length: data.length };
    }
    if (!this.compressed) {
      const length = Math.max(0, src.length - skip);
      return { parts: [{ ...src, offset: src.offset + Math.min(skip, src.length), length, zlib: false }], length };
    }
    if (skip === 0) {
      const { length } = await this.measure(0);
      return { parts: [{ ...src, zlib: true }], length };
    }
    // A region of an inflated stream has no file form: hold it (object messages only).
    const data = (await this.whole()).subarray(skip);
    return { parts: [{ kind: 'buffer', data }], length: data.length };
  }

  /** OBJECT: `i32 length` + serialized bytes; an empty body is an empty (null) object. */
  async objectRegion(): Promise<Payload> {
    const { length, head } = await this.measure(4);
    if (length === 0) return { parts: [], length: 0 };
    if (head.length < 4) throw new DecodeError('object body shorter than its i32 length', 0);
    const declared = head.readInt32BE(0);
    if (declared !== length - 4) throw new DecodeError(`object body declares ${declared} serialized bytes, has ${length - 4}`, 0);
    return this.region(4);
  }
}

/** First `n` bytes of a file region (fewer if the region is shorter). */
async function readHead(src: ByteSource & { kind: 'file' }, n: number): Promise<Buffer> {
  const want = Math.min(n, src.length);
  const out = Buffer.alloc(want);
  if (want === 0) return out;
  const fh = await open(src.path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new DecodeError(`${src.displayPath}: cannot open (${e.code ?? e.message})`, 0);
  });
  try {
    const { bytesRead } = await fh.read(out, 0, want, src.offset);
    if (bytesRead < want) throw new DecodeError(`${src.displayPath}: expected ${src.length} bytes, file is shorter`, bytesRead);
  } finally {
    await fh.close();
  }
  return out;
}

/** Inflated length of a compressed file body (one streaming pass) and its first `n` bytes. */
async function inflatedSize(src: ByteSource, n: number): Promise<{ length: number; head: Buffer }> {
  let length = 0;
  const head: Buffer[] = [];
  let headLength = 0;
  try {
    for await (const chunk of openCoreBodyStream(src, true) as AsyncIterable<Buffer>) {
      if (headLength < n) {
        const take = chunk.subarray(0, n - headLength);
        head.push(Buffer.from(take));
        headLength += take.length;
      }
      length += chunk.length;
    }
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    const detail = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new DecodeError(`${src.kind === 'file' ? src.displayPath : 'body'}: cannot inflate (${detail})`, 0);
  }
  return { length, head: Buffer.concat(head) };
}
