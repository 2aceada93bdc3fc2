/**
 * The JSON-ready view of a stored AMQP message of any size. Sections are found through small
 * positional reads; sections up to `maxSectionInMemory` are decoded, bigger data (and amqp-value
 * binary/string) bodies are streamed through sha256, so a 20 MiB body is never held whole.
 */
import { createHash } from 'node:crypto';
import { BufferReader, DecodeError } from '../binary/reader.js';
import type { AmqpMessage, AmqpSection } from '../model/message.js';
import { FormatCode as F } from './codec/format-codes.js';
import { measureAmqpValue } from './codec/measure-value.js';
import { EncodedParts } from './encoded-parts.js';
import { SectionCode, SECTION_NAMES } from './section-codes.js';
import { readAmqpSection, readSectionDescriptor } from './sections.js';
import { applySection, BodyBuilder, emptyView, type AmqpView } from './view.js';

export interface DescribeOptions {
  /** Include data bodies (and streamed amqp-value binaries/strings) as base64. */
  includeBase64: boolean;
  /** Sections up to this size are decoded in memory (default 8 MiB). */
  maxSectionInMemory?: number;
}

/** Enough for any section header: descriptor, constructor and size prefix. */
const HEAD_WINDOW = 64 * 1024;

/**
 * Rejects with DecodeError for malformed sections (its `at` is the offset in the message
 * encoding) and with a plain Error when a large-message file is missing or short.
 */
export async function describeAmqpMessage(msg: AmqpMessage, opts: DescribeOptions): Promise<AmqpView> {
  const maxInMemory = opts.maxSectionInMemory ?? 8 * 1024 * 1024;
  const parts = await EncodedParts.open(msg.encoded);
  try {
    const view = emptyView();
    const body = new BodyBuilder(opts.includeBase64);
    let pos = 0;
    while (pos < parts.length) {
      const head = await parts.read(pos, Math.min(HEAD_WINDOW, parts.length - pos));
      const hr = new BufferReader(head);
      const { code } = atOffset(pos, () => readSectionDescriptor(hr));
      const valueStart = hr.position;
      const measured = atOffset(pos, () => measureAmqpValue(hr));
      const length = valueStart + measured.length;
      if (pos + length > parts.length) {
        throw new DecodeError(`AMQP ${SECTION_NAMES[code]} section of ${length} bytes runs past the end of the message`, pos);
      }

      if (length <= maxInMemory) {
        const bytes = length <= head.length ? head.subarray(0, length) : await parts.read(pos, length);
        const section = atOffset(pos, () => readAmqpSection(new BufferReader(bytes), false));
        applySection(view, body, { ...section, offset: pos });
      } else {
        await streamBigSection(parts, body, { code, offset: pos, length, value: null }, {
          valueCode: head[valueStart]!,
          payloadAt: pos + valueStart + measured.headerLength,
          payloadLength: measured.length - measured.headerLength,
          includeBase64: opts.includeBase64,
        });
      }
      pos += length;
    }
    view.body = body.finish();
    return view;
  } finally {
    await parts.close();
  }
}

/** Runs a decoder on a sub-buffer and shifts a DecodeError's offset to the message position. */
function atOffset<T>(base: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DecodeError) throw new DecodeError(e.message, base + e.at);
    throw e;
  }
}

interface BigValue {
  /** First byte of the section value (its constructor, 0x00 if described). */
  valueCode: number;
  payloadAt: number;
  payloadLength: number;
  includeBase64: boolean;
}

async function streamBigSection(parts: EncodedParts, body: BodyBuilder, s: AmqpSection, v: BigValue): Promise<void> {
  const isBinary = v.valueCode === F.VBIN8 || v.valueCode === F.VBIN32;
  const isString = v.valueCode === F.STR8 || v.valueCode === F.STR32;
  if (s.code === SectionCode.DATA) {
    if (!isBinary) throw new DecodeError('AMQP data section value is not binary', s.offset);
    body.begin(s);
    for await (const chunk of parts.chunks(v.payloadAt, v.payloadLength)) body.data(chunk);
    return;
  }
  if (s.code !== SectionCode.AMQP_VALUE && s.code !== SectionCode.AMQP_SEQUENCE) {
    throw new DecodeError(`AMQP ${SECTION_NAMES[s.code]} section of ${s.length} bytes is too large to decode`, s.offset);
  }
  body.begin(s);
  const hash = createHash('sha256');
  if (s.code === SectionCode.AMQP_VALUE && (isBinary || isString)) {
    const chunks: Buffer[] | null = v.includeBase64 ? [] : null;
    for await (const chunk of parts.chunks(v.payloadAt, v.payloadLength)) {
      hash.update(chunk);
      chunks?.push(chunk);
    }
    body.setValue({
      section: 'amqp-value',
      type: isBinary ? 'binary' : 'string',
      size: v.payloadLength,
      sha256: hash.digest('hex'),
      ...(chunks ? { base64: Buffer.concat(chunks).toString('base64') } : {}),
    });
    return;
  }
  for await (const chunk of parts.chunks(s.offset, s.length)) hash.update(chunk);
  body.setValue({
    section: s.code === SectionCode.AMQP_VALUE ? 'amqp-value' : 'amqp-sequence',
    encodedSize: s.length,
    sha256: hash.digest('hex'),
    tooLarge: true,
  });
}
