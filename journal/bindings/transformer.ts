/** Transformer configuration shared by divert and bridge records (§8.8, §8.9). */
import type { BufferReader } from '../binary/reader.js';
import { readNullableString } from '../binary/strings.js';

export interface TransformerConfig {
  className: string;
  /** Properties in stored order (keys and values are nullable on disk). */
  properties: Array<[string | null, string | null]>;
}

export function readTransformer(r: BufferReader): TransformerConfig | null {
  const className = readNullableString(r);
  if (className === null) return null;
  const count = r.i32();
  if (count < 0) r.fail(`negative transformer property count ${count}`);
  // Each property is at least two marker bytes: bounds the loop before it runs.
  r.need(count * 2, 'transformer properties');
  const properties: Array<[string | null, string | null]> = [];
  for (let i = 0; i < count; i++) properties.push([readNullableString(r), readNullableString(r)]);
  return { className, properties };
}

/** Divert/bridge routing type byte (ComponentConfigurationRoutingType). */
export type ComponentRoutingType = 'MULTICAST' | 'ANYCAST' | 'STRIP' | 'PASS';

export function componentRoutingType(b: number): ComponentRoutingType | null {
  return (['MULTICAST', 'ANYCAST', 'STRIP', 'PASS'] as const)[b] ?? null;
}
