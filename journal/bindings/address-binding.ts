/** ADDRESS_BINDING_RECORD (44, §8.2): one address. Record id = address id. */
import { BufferReader } from '../binary/reader.js';
import { readSimpleString } from '../binary/strings.js';
import { routingTypeFromByte, type RoutingType } from './record-types.js';

export interface AddressBinding {
  name: string;
  /** Distinct routing types, MULTICAST before ANYCAST (the broker keeps them in an EnumSet). */
  routingTypes: RoutingType[];
  autoCreated: boolean;
  /** Written since 2.31; false when absent. */
  internal: boolean;
  internalPresent: boolean;
}

export function decodeAddressBinding(body: Buffer): AddressBinding {
  const r = new BufferReader(body);
  const name = readSimpleString(r);
  const count = r.i32();
  if (count < 0) r.fail(`address ${name}: negative routing type count ${count}`);
  r.need(count, 'address routing types');
  const seen = new Set<RoutingType>();
  for (let i = 0; i < count; i++) {
    const b = r.u8();
    seen.add(routingTypeFromByte(b) ?? r.fail(`address ${name}: invalid routing type byte ${b}`));
  }
  const routingTypes = (['MULTICAST', 'ANYCAST'] as const).filter((t) => seen.has(t));
  const autoCreated = r.bool();
  const internalPresent = r.remaining > 0;
  const internal = internalPresent ? r.bool() : false;
  return { name, routingTypes, autoCreated, internal, internalPresent };
}
