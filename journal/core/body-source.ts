/**
 * Reading the bytes of a core message body wherever they are (in hand, or a region of a large
 * message file), inflating `_AMQ_LARGE_COMPRESSED` bodies. Failures surface as DecodeError so the
 * caller can report them like any other unreadable data.
 */
import fs from 'node:fs';
import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { DecodeError } from '../binary/reader.js';
import type { ByteSource, CoreMessage } from '../model/message.js';

/** Largest body this module will hold in memory (decoded text/map/stream, readCoreBodyBytes). */
export const MAX_IN_MEMORY_BODY = 256 * 1024 * 1024;

/**
 * Whether the body bytes are a zlib stream. A file source carries the flag; an in-hand body can be
 * compressed too (a compressed large message that ended up small keeps the property).
 */
export function isCoreBodyCompressed(msg: CoreMessage): boolean {
  if (msg.body.kind === 'file') return msg.body.zlib === true;
  const v = msg.properties.get('_AMQ_LARGE_COMPRESSED');
  return v?.type === 'boolean' && v.value;
}

function defaultInflate(src: ByteSource): boolean {
  return src.kind === 'file' && src.zlib === true;
}

function describe(src: ByteSource): string {
  return src.kind === 'file' ? src.displayPath : 'message body';
}

/** Turns I/O and zlib failures into DecodeError (DecodeErrors pass through). */
export function asDecodeError(e: unknown, src: ByteSource): DecodeError {
  if (e instanceof DecodeError) return e;
  const err = e as NodeJS.ErrnoException;
  const detail = err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? e);
  return new DecodeError(`${describe(src)}: ${detail}`, 0);
}

function missing(src: ByteSource & { kind: 'file' }): DecodeError {
  return new DecodeError(`large message body file ${src.displayPath} is missing`, 0);
}

function inflateInMemory(data: Buffer, src: ByteSource): Buffer {
  try {
    return zlib.inflateSync(data, { maxOutputLength: MAX_IN_MEMORY_BODY });
  } catch (e) {
    throw asDecodeError(e, src);
  }
}

/**
 * The whole body, synchronously (meant for small bodies). `inflate` defaults to the file's zlib
 * flag; pass `isCoreBodyCompressed(msg)` to also inflate compressed in-hand bodies.
 */
export function readCoreBodyBytes(src: ByteSource, inflate = defaultInflate(src)): Buffer {
  let data: Buffer;
  if (src.kind === 'buffer') {
    data = src.data;
  } else {
    if (src.length < 0) throw missing(src);
    if (src.length > MAX_IN_MEMORY_BODY) {
      throw new DecodeError(`${src.displayPath}: ${src.length} bytes is too large to read into memory`, 0);
    }
    data = Buffer.allocUnsafe(src.length);
    let fd: number | undefined;
    try {
      fd = fs.openSync(src.path, 'r');
      let got = 0;
      while (got < src.length) {
        const n = fs.readSync(fd, data, got, src.length - got, src.offset + got);
        if (n === 0) break;
        got += n;
      }
      if (got < src.length) throw new DecodeError(`${src.displayPath}: expected ${src.length} bytes, file has ${got}`, got);
    } catch (e) {
      throw asDecodeError(e, src);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }
  return inflate ? inflateInMemory(data, src) : data;
}

/**
 * The body as a byte stream (inflated when `inflate`, which defaults to the file's zlib flag).
 * File regions are read lazily; a file shorter than the recorded length fails the stream with a
 * DecodeError instead of silently ending early.
 */
export function openCoreBodyStream(src: ByteSource, inflate = defaultInflate(src)): NodeJS.ReadableStream {
  let raw: Readable;
  if (src.kind === 'buffer') {
    raw = Readable.from([src.data], { objectMode: false });
  } else if (src.length < 0) {
    const err = missing(src);
    raw = new Readable({
      read() {
        this.destroy(err);
      },
    });
  } else if (src.length === 0) {
    raw = Readable.from([], { objectMode: false });
  } else {
    const file = fs.createReadStream(src.path, { start: src.offset, end: src.offset + src.length - 1 });
    raw = pipeline(file, lengthCheck(src.length, src.displayPath), () => {});
  }
  if (!inflate) return raw;
  // pipeline destroys every stage with the first error, so the consumer of the last one sees it.
  return pipeline(raw, zlib.createInflate(), () => {});
}

function lengthCheck(expected: number, name: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      seen += chunk.length;
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      cb(seen === expected ? null : new DecodeError(`${name}: expected ${expected} bytes, file has ${seen}`, seen));
    },
  });
}

/** Reads a whole (possibly inflated) body into memory, refusing more than MAX_IN_MEMORY_BODY. */
export async function readCoreBodyAsync(src: ByteSource, inflate = defaultInflate(src)): Promise<Buffer> {
  if (src.kind === 'buffer') return inflate ? inflateInMemory(src.data, src) : src.data;
  if (src.length < 0) throw missing(src);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of openCoreBodyStream(src, inflate) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > MAX_IN_MEMORY_BODY) {
        throw new DecodeError(`${src.displayPath}: body larger than ${MAX_IN_MEMORY_BODY} bytes`, 0);
      }
      chunks.push(chunk);
    }
  } catch (e) {
    throw asDecodeError(e, src);
  }
  return Buffer.concat(chunks, total);
}
