/** JSON for data that holds 64-bit ids: bigints become decimal strings, bytes become base64. */
export function toJson(value: unknown, space?: number): string {
  return JSON.stringify(value, replacer, space);
}

function replacer(this: unknown, _key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
    return Buffer.from((v as { data: number[] }).data).toString('base64');
  }
  if (v instanceof Map) return Object.fromEntries(v);
  return v;
}
