/**
 * Splitting an AMQP 1.0 message encoding (§10.4 `amqpData`, or a rebuilt large message) into its
 * sections, and the JSON-ready view of them. Any section order is accepted (old data can have
 * delivery annotations before the header).
 */
import { BufferReader } from '../binary/reader.js';
import type { AmqpSection } from '../model/message.js';
import { readAmqpValue } from './codec/read-value.js';
import { skipAmqpValue } from './codec/skip-value.js';
import { expectedSectionType, SectionCode, sectionCodeOf } from './section-codes.js';
import { applySection, BodyBuilder, emptyView, type AmqpView } from './view.js';

export type { AmqpView, AmqpBodyView, AmqpHeaderView, AmqpPropertiesView, AmqpMapView, AmqpPropertyName } from './view.js';
export { AMQP_PROPERTY_NAMES } from './view.js';
export { SectionCode, SECTION_NAMES } from './section-codes.js';

export interface ParseSectionsOptions {
  /** Copy binary values out of `buf` (default true); false makes them views into `buf`. */
  copy?: boolean;
}

/** All sections of a complete message encoding, in stored order. Throws DecodeError. */
export function parseAmqpSections(buf: Buffer, opts: ParseSectionsOptions = {}): AmqpSection[] {
  const r = new BufferReader(buf);
  const out: AmqpSection[] = [];
  while (r.remaining > 0) out.push(readAmqpSection(r, opts.copy !== false));
  return out;
}

/** One section at the reader's position; `offset` is relative to the reader's buffer. */
export function readAmqpSection(r: BufferReader, copy = true): AmqpSection {
  const offset = r.position;
  const { code } = readSectionDescriptor(r);
  const value = readAmqpValue(r, { copy });
  const expected = expectedSectionType(code);
  if (expected !== null && value.type !== expected) {
    r.fail(`AMQP section 0x${code.toString(16)} holds a ${value.type}, expected a ${expected}`);
  }
  return { code, offset, length: r.position - offset, value };
}

/** Reads `0x00 descriptor` and returns the section code it names. */
export function readSectionDescriptor(r: BufferReader): { code: number } {
  const at = r.position;
  const constructor = r.u8();
  if (constructor !== 0x00) r.fail(`expected an AMQP section (described value), found 0x${constructor.toString(16)}`);
  // Fast path for the usual small-ulong descriptor (0x53 code).
  if (r.remaining >= 2 && r.buf[r.position] === 0x53) {
    const code = r.buf[r.position + 1]!;
    if (code >= 0x70 && code <= 0x78) {
      r.skip(2);
      return { code };
    }
  }
  const descriptor = readAmqpValue(r);
  const code = sectionCodeOf(descriptor);
  if (code === null) {
    const shown = typeof descriptor.value === 'string' || typeof descriptor.value === 'bigint' ? ` ${String(descriptor.value).slice(0, 100)}` : '';
    r.position = at;
    r.fail(`descriptor (${descriptor.type}${shown}) is not an AMQP message section`);
  }
  return { code };
}

export interface ViewOptions {
  /** Include the data body as base64 (default true). */
  includeBase64?: boolean;
}

/** The JSON-ready view of decoded sections. Throws DecodeError on malformed section content. */
export function decodeAmqpMessageView(sections: AmqpSection[], opts: ViewOptions = {}): AmqpView {
  const view = emptyView();
  const body = new BodyBuilder(opts.includeBase64 !== false);
  for (const s of sections) applySection(view, body, s);
  view.body = body.finish();
  return view;
}

/**
 * The encoding without its delivery-annotations sections: they are meant for one hop only and a
 * re-sent message must not carry them (§17). Returns `buf` itself when it has none.
 * Throws DecodeError when the sections cannot be delimited.
 */
export function dropDeliveryAnnotations(buf: Buffer): Buffer {
  const r = new BufferReader(buf);
  const keep: Buffer[] = [];
  let dropped = false;
  while (r.remaining > 0) {
    const start = r.position;
    const { code } = readSectionDescriptor(r);
    skipAmqpValue(r);
    if (code === SectionCode.DELIVERY_ANNOTATIONS) dropped = true;
    else keep.push(buf.subarray(start, r.position));
  }
  return dropped ? Buffer.concat(keep) : buf;
}
