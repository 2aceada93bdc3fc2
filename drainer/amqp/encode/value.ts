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
import { fixedPayload, scalarConstructor, variableBytes } from './scalars.js';

export { AmqpEncodeError } from './errors.js';

/** The complete encoding (constructor included) of one value. Throws AmqpEncodeError. */
export function encodeAmqpValue(v: TypedValue): Buffer {
  const out: Buffer[] = [];
  writeValue(out, v);
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

/** Appends the encoding of `v` to `out`; returns the number of bytes appended. */
export function writeValue(out: Buffer[], v: TypedValue): number {
  switch (v.type) {
    case 'described': {
      const head = Buffer.of(0x00);
      out.push(head);
      return 1 + writeValue(out, v.value.descriptor) + writeValue(out, v.value.value);
    }
    case 'list':
      return writeCompound(out, 0x45, 0xc0, 0xd0, v.value.length, (o) => sum(v.value.map((e) => writeValue(o, e))));
    case 'map':
      return writeCompound(out, null, 0xc1, 0xd1, v.value.length * 2, (o) => sum(v.value.map(([k, val]) => writeValue(o, k) + writeValue(o, val))));
    case 'array': {
      const plan = planArray(v.value);
      return writeCompound(out, null, 0xe0, 0xf0, v.value.length, (o) => {
        o.push(plan.elementConstructor);
        let n = plan.elementConstructor.length;
        for (const p of plan.payloads) {
          o.push(p);
          n += p.length;
        }
        return n;
      });
    }
    default: {
      const code = scalarConstructor(v);
      const payload = isVariable(code) ? variableBytes(v, code) : fixedPayload(v, code);
      const b = Buffer.allocUnsafe(1 + payload.length);
      b[0] = code;
      payload.copy(b, 1);
      out.push(b);
      return b.length;
    }
  }
}

function isVariable(code: number): boolean {
  return code >= 0xa0 && code <= 0xb3;
}

function sum(xs: number[]): number {
  let n = 0;
  for (const x of xs) n += x;
  return n;
}

/**
 * A list, map or array: its elements are written first (after a placeholder), then the header is
 * chosen from their size — the one-byte form when both size and count fit a byte.
 */
function writeCompound(
  out: Buffer[],
  emptyCode: number | null,
  code8: number,
  code32: number,
  count: number,
  writeBody: (out: Buffer[]) => number,
): number {
  if (count === 0 && emptyCode !== null) {
    out.push(Buffer.of(emptyCode));
    return 1;
  }
  const at = out.length;
  out.push(Buffer.alloc(0));
  const bodyLength = writeBody(out);
  const head = compoundHeader(code8, code32, count, bodyLength);
  out[at] = head;
  return head.length + bodyLength;
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
