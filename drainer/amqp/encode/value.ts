/**
 * AMQP 1.0 encoder for TypedValue: every type with its own format code, each value in its smallest
 * correct encoding (true/false/uint0/ulong0/list0, small uint/ulong/int/long, str8/sym8/vbin8/
 * list8/map8/array8 whenever the content fits). The exact inverse of journal/amqp/codec's decoder:
 * decoding what this writes gives back the identical TypedValue.
 *
 * The core type name `bytes` is accepted as an alias of `binary` (core byte[] values are AMQP
 * binary on the wire).
 */
import type { TypedValue } from '../../../journal/model/typed-value.js';
import { planArray } from './array.js';
import { AmqpEncodeError } from './errors.js';
import { scalarConstructor, writeFixed, writeVariable } from './scalars.js';
import { withWriter, type ByteWriter } from './byte-writer.js';

export { AmqpEncodeError } from './errors.js';

/** The complete encoding (constructor included) of one value. Throws AmqpEncodeError. */
export function encodeAmqpValue(v: TypedValue): Buffer {
  return withWriter((w) => writeTo(w, v));
}

/** Appends the encoding of `v` to `out`; returns the number of bytes appended. */
export function writeValue(out: Buffer[], v: TypedValue): number {
  const b = encodeAmqpValue(v);
  out.push(b);
  return b.length;
}

/** Writes the encoding of `v` (constructor included). */
export function writeTo(w: ByteWriter, v: TypedValue): void {
  switch (v.type) {
    case 'described':
      w.u8(0x00);
      writeTo(w, v.value.descriptor);
      writeTo(w, v.value.value);
      return;
    case 'list': {
      const items = v.value;
      return writeCompound(w, 0x45, 0xc0, 0xd0, items.length, () => {
        for (let i = 0; i < items.length; i++) writeTo(w, items[i]!);
      });
    }
    case 'map': {
      const entries = v.value;
      return writeCompound(w, null, 0xc1, 0xd1, entries.length * 2, () => {
        for (let i = 0; i < entries.length; i++) {
          const e = entries[i]!;
          writeTo(w, e[0]);
          writeTo(w, e[1]);
        }
      });
    }
    case 'array': {
      const plan = planArray(v.value);
      return writeCompound(w, null, 0xe0, 0xf0, v.value.length, () => {
        w.bytes(plan.elementConstructor);
        for (const p of plan.payloads) w.bytes(p);
      });
    }
    default: {
      const code = scalarConstructor(v);
      w.u8(code);
      if (isVariable(code)) writeVariable(w, v, code);
      else writeFixed(w, v, code);
    }
  }
}

function isVariable(code: number): boolean {
  return code >= 0xa0 && code <= 0xb3;
}

/** Room for the widest compound header: constructor, u32 size, u32 count. */
const WIDE_HEADER = 9;
const NARROW_HEADER = 3;

/**
 * A list, map or array: its elements are written first (after room for the widest header), then
 * the header is chosen from their size — the one-byte form when both size and count fit a byte,
 * the elements then moved up into the room the wide header did not need.
 */
export function writeCompound(w: ByteWriter, emptyCode: number | null, code8: number, code32: number, count: number, writeBody: () => void): void {
  if (count === 0 && emptyCode !== null) return w.u8(emptyCode);
  const at = w.length;
  w.ensure(WIDE_HEADER);
  w.length += WIDE_HEADER;
  writeBody();
  const bodyLength = w.length - at - WIDE_HEADER;
  const b = w.buf;
  if (count <= 0xff && bodyLength + 1 <= 0xff) {
    b[at] = code8;
    b[at + 1] = bodyLength + 1;
    b[at + 2] = count;
    b.copyWithin(at + NARROW_HEADER, at + WIDE_HEADER, w.length);
    w.length -= WIDE_HEADER - NARROW_HEADER;
    return;
  }
  const size = bodyLength + 4;
  if (size > 0xffffffff || count > 0xffffffff) throw new AmqpEncodeError(`compound of ${bodyLength} bytes is too large for AMQP`);
  b[at] = code32;
  b.writeUInt32BE(size, at + 1);
  b.writeUInt32BE(count, at + 5);
}

/** Constructor, size and count of a compound whose elements take `bodyLength` bytes. */
export function compoundHeader(code8: number, code32: number, count: number, bodyLength: number): Buffer {
  if (count <= 0xff && bodyLength + 1 <= 0xff) return Buffer.of(code8, bodyLength + 1, count);
  const size = bodyLength + 4;
  if (size > 0xffffffff || count > 0xffffffff) throw new AmqpEncodeError(`compound of ${bodyLength} bytes is too large for AMQP`);
  const h = Buffer.allocUnsafe(9);
  h[0] = code32;
  h.writeUInt32BE(size, 1);
  h.writeUInt32BE(count, 5);
  return h;
}
