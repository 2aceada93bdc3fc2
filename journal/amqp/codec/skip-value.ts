/**
 * Skipping one AMQP encoded value without decoding or allocating: every value is self-delimiting
 * (fixed width, or a size prefix), so only described values need recursion, capped at MAX_DEPTH.
 * Contents of compounds are not validated; a bad size or unknown code throws DecodeError.
 */
import type { BufferReader } from '../../binary/reader.js';
import { FormatCode as F, fixedWidth, hex, sizePrefixWidth } from './format-codes.js';
import { MAX_DEPTH } from './limits.js';

export function skipAmqpValue(r: BufferReader): void {
  skipValue(r, 0);
}

function skipValue(r: BufferReader, depth: number): void {
  let code = r.u8();
  // A described value is a descriptor then a value: loop on the value, recurse on the descriptor.
  while (code === F.DESCRIBED) {
    if (depth >= MAX_DEPTH) r.fail(`AMQP value nested deeper than ${MAX_DEPTH} levels`);
    depth++;
    skipValue(r, depth);
    code = r.u8();
  }
  skipPayload(r, code);
}

/** Skips the bytes that follow constructor `code`. */
export function skipPayload(r: BufferReader, code: number): void {
  const width = fixedWidth(code);
  if (width !== undefined) {
    r.skip(width, hex(code));
    return;
  }
  const prefix = sizePrefixWidth(code);
  if (prefix === undefined) r.fail(`unknown AMQP format code ${hex(code)}`);
  const size = prefix === 1 ? r.u8() : r.u32();
  // Compounds hold at least their count, arrays also their element constructor.
  const min = code >= 0xe0 ? prefix + 1 : code >= 0xc0 ? prefix : 0;
  if (size < min) r.fail(`AMQP ${hex(code)} size ${size} is smaller than its count field`);
  r.skip(size, hex(code));
}
