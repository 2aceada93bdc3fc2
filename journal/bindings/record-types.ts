/** User record types of the bindings journal (§8). */
export const BindingsRecordType = {
  GROUP: 20,
  QUEUE_BINDING: 21,
  QUEUE_STATUS: 22,
  ID_COUNTER: 24,
  ADDRESS_SETTING_BINARY: 25,
  SECURITY_SETTING: 26,
  DIVERT: 27,
  BRIDGE: 28,
  ADDRESS_BINDING: 44,
  ADDRESS_STATUS: 46,
  USER: 47,
  ROLE: 48,
  KEY_VALUE_PAIR: 50,
  CONNECTOR: 51,
  ADDRESS_SETTING_JSON: 52,
} as const;

const names = new Map<number, string>(Object.entries(BindingsRecordType).map(([k, v]) => [v, k]));

export function bindingsRecordTypeName(t: number): string {
  return names.get(t) ?? `UNKNOWN(${t})`;
}

export type RoutingType = 'MULTICAST' | 'ANYCAST';

/** Queue and address routing types are stored as one byte: 0 MULTICAST, 1 ANYCAST. */
export function routingTypeFromByte(b: number): RoutingType | null {
  return b === 0 ? 'MULTICAST' : b === 1 ? 'ANYCAST' : null;
}
