/**
 * Locating the sections of a stored AMQP encoding (in hand or partly in a large-message file)
 * through small positional reads: header, annotations and properties are read (they are small and
 * may be rewritten); body sections and the footer are only measured, never read.
 */
import { BufferReader, DecodeError } from '../../journal/binary/reader.js';
import { measureAmqpValue } from '../../journal/amqp/codec/measure-value.js';
import { EncodedParts } from '../../journal/amqp/encoded-parts.js';
import { readSectionDescriptor } from '../../journal/amqp/sections.js';
import { SECTION_NAMES, SectionCode } from '../../journal/amqp/section-codes.js';
import type { ByteSource } from '../../journal/model/message.js';

export interface ScannedSection {
  code: number;
  /** Offset and length of the whole section in the encoding. */
  start: number;
  length: number;
  /** The section's bytes, for header, annotations, properties and application properties. */
  bytes: Buffer | null;
}

/** Enough for a section's descriptor, constructor and size prefix. */
const HEAD_WINDOW = 64 * 1024;

function isMetadata(code: number): boolean {
  return code >= SectionCode.HEADER && code <= SectionCode.APPLICATION_PROPERTIES;
}

/**
 * Every section in stored order. Rejects with DecodeError (offset in the encoding) for bytes that
 * are not AMQP sections, and with an Error naming the file when a large-message file is missing
 * or shorter than recorded.
 */
export async function scanSections(sources: ByteSource[]): Promise<{ sections: ScannedSection[]; length: number }> {
  const parts = await EncodedParts.open(sources);
  try {
    const sections: ScannedSection[] = [];
    let pos = 0;
    while (pos < parts.length) {
      const head = await parts.read(pos, Math.min(HEAD_WINDOW, parts.length - pos));
      const r = new BufferReader(head);
      const { code } = at(pos, () => readSectionDescriptor(r));
      const valueStart = r.position;
      const measured = at(pos, () => measureAmqpValue(r));
      const length = valueStart + measured.length;
      if (pos + length > parts.length) {
        throw new DecodeError(`AMQP ${SECTION_NAMES[code]} section of ${length} bytes runs past the end of the message`, pos);
      }
      let bytes: Buffer | null = null;
      if (isMetadata(code)) bytes = length <= head.length ? head.subarray(0, length) : await parts.read(pos, length);
      sections.push({ code, start: pos, length, bytes });
      pos += length;
    }
    return { sections, length: parts.length };
  } finally {
    await parts.close();
  }
}

function at<T>(base: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DecodeError) throw new DecodeError(e.message, base + e.at);
    throw e;
  }
}
