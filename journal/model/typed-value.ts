/**
 * A value together with the type it had on disk. Core TypedProperties and AMQP 1.0 values both
 * map onto this one shape so that the drain and the export can keep every value's exact type.
 *
 * Type names follow the fixture manifests: core uses `bytes`, `int`; AMQP uses its own names
 * (`binary`, `int`, `uint`, `symbol`, `timestamp`, …).
 */
export type TypedValue =
  | { type: 'null'; value: null }
  | { type: 'boolean'; value: boolean }
  | { type: 'byte' | 'short' | 'int' | 'ubyte' | 'ushort' | 'uint' | 'float' | 'double'; value: number }
  | { type: 'long' | 'ulong' | 'timestamp'; value: bigint }
  | { type: 'string' | 'char' | 'symbol' | 'uuid'; value: string }
  | { type: 'bytes' | 'binary' | 'decimal32' | 'decimal64' | 'decimal128'; value: Buffer }
  | { type: 'list' | 'array'; value: TypedValue[] }
  | { type: 'map'; value: Array<[TypedValue, TypedValue]> }
  | { type: 'described'; value: { descriptor: TypedValue; value: TypedValue } };

export type TypedType = TypedValue['type'];

/** Named entries (core properties, AMQP application-properties / annotations), in stored order. */
export type TypedMap = Map<string, TypedValue>;

/** JSON form used by `export` and the manifests: 64-bit integers as decimal strings, bytes as base64. */
export type JsonTyped = { type: string; value: unknown };

export function typedToJson(v: TypedValue): JsonTyped {
  return { type: v.type, value: valueToJson(v) };
}

function valueToJson(v: TypedValue): unknown {
  switch (v.type) {
    case 'long':
    case 'ulong':
    case 'timestamp':
      return v.value.toString();
    case 'bytes':
    case 'binary':
    case 'decimal32':
    case 'decimal64':
    case 'decimal128':
      return v.value.toString('base64');
    case 'list':
    case 'array':
      return v.value.map(typedToJson);
    case 'map':
      return v.value.map(([k, val]) => ({ key: typedToJson(k), value: typedToJson(val) }));
    case 'described':
      return { descriptor: typedToJson(v.value.descriptor), value: typedToJson(v.value.value) };
    case 'float':
      return shortestFloat32(v.value);
    default:
      return v.value;
  }
}

export function typedMapToJson(m: TypedMap): Record<string, JsonTyped> {
  const out: Record<string, JsonTyped> = {};
  for (const [k, v] of m) out[k] = typedToJson(v);
  return out;
}

/**
 * The shortest decimal that reads back as the same 32-bit float (what Java prints), so that a
 * float property shows as 3.4028235e+38 rather than its exact double expansion.
 */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || Math.fround(x) !== x) return x;
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}
