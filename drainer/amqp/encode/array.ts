/**
 * AMQP arrays: all elements share one constructor, written once. The constructor is the widest
 * one any element needs (smalluint 0x52 only if every element fits a byte, str8 only if every
 * string does, list8 only if every list does …). Zero-width codes (uint0, ulong0, list0,
 * true/false) are never used for elements: they cannot hold the other elements' values.
 * An empty array carries no element type; it is written with the null constructor.
 */
import type { TypedValue } from '../../../journal/model/typed-value.js';
import { AmqpEncodeError } from './errors.js';
import { fixedPayload, scalarConstructor, variableBytes, type ScalarValue } from './scalars.js';
import { encodeAmqpValue, writeValue } from './value.js';

export interface ArrayPlan {
  /** Element constructor, with descriptors for described elements. */
  elementConstructor: Buffer;
  /** Each element's bytes after the shared constructor. */
  payloads: Buffer[];
}

export function planArray(values: TypedValue[]): ArrayPlan {
  if (values.length === 0) return { elementConstructor: Buffer.of(0x40), payloads: [] };
  const type = family(values[0]!.type);
  for (const v of values) {
    if (family(v.type) !== type) throw new AmqpEncodeError(`array mixes ${values[0]!.type} and ${v.type} elements`);
  }
  switch (type) {
    case 'described':
      return planDescribed(values as Array<TypedValue & { type: 'described' }>);
    case 'list':
    case 'map':
    case 'array':
      return planCompounds(values, type);
    default:
      return planScalars(values as ScalarValue[]);
  }
}

function family(t: TypedValue['type']): string {
  return t === 'bytes' ? 'binary' : t;
}

function planDescribed(values: Array<TypedValue & { type: 'described' }>): ArrayPlan {
  const descriptor = encodeAmqpValue(values[0]!.value.descriptor);
  for (const v of values) {
    if (!encodeAmqpValue(v.value.descriptor).equals(descriptor)) throw new AmqpEncodeError('array elements have different descriptors');
  }
  const inner = planArray(values.map((v) => v.value.value));
  return { elementConstructor: Buffer.concat([Buffer.of(0x00), descriptor, inner.elementConstructor]), payloads: inner.payloads };
}

/** Bytes after a compound's size and count: its elements (for arrays: constructor + payloads). */
function compoundBody(v: TypedValue): { count: number; body: Buffer } {
  const out: Buffer[] = [];
  switch (v.type) {
    case 'list':
      for (const e of v.value) writeValue(out, e);
      return { count: v.value.length, body: Buffer.concat(out) };
    case 'map':
      for (const [k, val] of v.value) {
        writeValue(out, k);
        writeValue(out, val);
      }
      return { count: v.value.length * 2, body: Buffer.concat(out) };
    case 'array': {
      const plan = planArray(v.value);
      return { count: v.value.length, body: Buffer.concat([plan.elementConstructor, ...plan.payloads]) };
    }
    default:
      throw new AmqpEncodeError(`${v.type} is not a compound`);
  }
}

const COMPOUND_CODES = { list: [0xc0, 0xd0], map: [0xc1, 0xd1], array: [0xe0, 0xf0] } as const;

function planCompounds(values: TypedValue[], type: 'list' | 'map' | 'array'): ArrayPlan {
  const bodies = values.map(compoundBody);
  const wide = bodies.some((b) => b.count > 0xff || b.body.length + 1 > 0xff);
  const [code8, code32] = COMPOUND_CODES[type];
  const payloads = bodies.map(({ count, body }) => {
    if (!wide) return Buffer.concat([Buffer.of(body.length + 1, count), body]);
    const h = Buffer.allocUnsafe(8);
    h.writeUInt32BE(body.length + 4, 0);
    h.writeUInt32BE(count, 4);
    return Buffer.concat([h, body]);
  });
  return { elementConstructor: Buffer.of(wide ? code32 : code8), payloads };
}

function planScalars(values: ScalarValue[]): ArrayPlan {
  const code = sharedScalarCode(values);
  const variable = code >= 0xa0 && code <= 0xb3;
  return {
    elementConstructor: Buffer.of(code),
    payloads: values.map((v) => (variable ? variableBytes(v, code) : fixedPayload(v, code))),
  };
}

/** The narrowest constructor with a payload that every element fits. */
function sharedScalarCode(values: ScalarValue[]): number {
  const codes = values.map(scalarConstructor);
  switch (values[0]!.type) {
    case 'boolean':
      return 0x56;
    case 'uint':
      return codes.every((c) => c !== 0x70) ? 0x52 : 0x70;
    case 'ulong':
      return codes.every((c) => c !== 0x80) ? 0x53 : 0x80;
    case 'int':
      return codes.every((c) => c === 0x54) ? 0x54 : 0x71;
    case 'long':
      return codes.every((c) => c === 0x55) ? 0x55 : 0x81;
    case 'binary':
    case 'bytes':
    case 'string':
    case 'symbol':
      return codes.some((c) => c >= 0xb0) ? codes.find((c) => c >= 0xb0)! : codes[0]!;
    default:
      return codes[0]!;
  }
}
