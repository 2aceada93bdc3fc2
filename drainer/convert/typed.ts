/**
 * Core property values seen through the JMS-style getters the broker's converter uses: a core
 * value keeps its type in AMQP except byte[] (core `bytes`), which is AMQP binary; the getters
 * coerce between strings and numbers the way Artemis' TypedProperties do.
 */
import type { TypedValue } from '../../journal/model/typed-value.js';

/** The AMQP value of a core property or body element. */
export function coreToAmqpValue(v: TypedValue): TypedValue {
  return v.type === 'bytes' ? { type: 'binary', value: v.value } : v;
}

/** String form (SimpleString, char, numbers, booleans); null for null and byte[] values. */
export function asString(v: TypedValue | undefined): string | null {
  if (!v) return null;
  switch (v.type) {
    case 'string':
    case 'char':
    case 'symbol':
      return v.value;
    case 'boolean':
    case 'byte':
    case 'short':
    case 'int':
    case 'float':
    case 'double':
    case 'long':
      return String(v.value);
    default:
      return null;
  }
}

/** Integer value of byte/short/int/long properties or a numeric string; null otherwise. */
export function asInteger(v: TypedValue | undefined): bigint | null {
  if (!v) return null;
  switch (v.type) {
    case 'byte':
    case 'short':
    case 'int':
      return BigInt(v.value);
    case 'long':
      return v.value;
    case 'string':
      return /^[+-]?\d+$/.test(v.value.trim()) ? BigInt(v.value.trim()) : null;
    default:
      return null;
  }
}

/** Boolean value (a string reads as Java's Boolean.valueOf does); null when not convertible. */
export function asBoolean(v: TypedValue | undefined): boolean | null {
  if (!v) return null;
  if (v.type === 'boolean') return v.value;
  if (v.type === 'string') return v.value.toLowerCase() === 'true';
  return null;
}
