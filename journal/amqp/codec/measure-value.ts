/**
 * The encoded length of a value known from its first bytes only: constructor, size prefix and (for
 * described values) the descriptor. Lets a caller walk a message stored in a file through small
 * positional reads, without holding a 20 MiB body in memory.
 */
import type { BufferReader } from '../../binary/reader.js';
import { FormatCode as F, fixedWidth, hex, sizePrefixWidth } from './format-codes.js';
import { MAX_DEPTH } from './limits.js';
import { skipAmqpValue } from './skip-value.js';

export interface MeasuredValue {
  /** Constructor of the (innermost, for described values) value. */
  code: number;
  /** Bytes from the value's start up to its payload (descriptors, constructor, size prefix). */
  headerLength: number;
  /** Total encoded length, header included. */
  length: number;
}

/**
 * Measures the value at the reader's position; the reader only needs to hold the header bytes.
 * The reader is left just after the header. Throws DecodeError on unknown codes or cut headers.
 */
export function measureAmqpValue(r: BufferReader): MeasuredValue {
  const start = r.position;
  let code = r.u8();
  let depth = 0;
  while (code === F.DESCRIBED) {
    if (++depth > MAX_DEPTH) r.fail(`AMQP value nested deeper than ${MAX_DEPTH} levels`);
    skipAmqpValue(r);
    code = r.u8();
  }
  const width = fixedWidth(code);
  if (width !== undefined) {
    const headerLength = r.position - start;
    return { code, headerLength, length: headerLength + width };
  }
  const prefix = sizePrefixWidth(code);
  if (prefix === undefined) r.fail(`unknown AMQP format code ${hex(code)}`);
  const size = prefix === 1 ? r.u8() : r.u32();
  const headerLength = r.position - start;
  return { code, headerLength, length: headerLength + size };
}
