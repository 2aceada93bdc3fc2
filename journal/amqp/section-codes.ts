/**
 * The nine message sections of AMQP 1.0 part 3 ("Messaging"). Each is a described value whose
 * descriptor is the ulong 0x00000000:0x70..0x78 or the equivalent symbolic name.
 */
import type { TypedValue } from '../model/typed-value.js';

export const SectionCode = {
  HEADER: 0x70,
  DELIVERY_ANNOTATIONS: 0x71,
  MESSAGE_ANNOTATIONS: 0x72,
  PROPERTIES: 0x73,
  APPLICATION_PROPERTIES: 0x74,
  DATA: 0x75,
  AMQP_SEQUENCE: 0x76,
  AMQP_VALUE: 0x77,
  FOOTER: 0x78,
} as const;

const SYMBOLIC: Record<string, number> = {
  'amqp:header:list': 0x70,
  'amqp:delivery-annotations:map': 0x71,
  'amqp:message-annotations:map': 0x72,
  'amqp:properties:list': 0x73,
  'amqp:application-properties:map': 0x74,
  'amqp:data:binary': 0x75,
  'amqp:amqp-sequence:list': 0x76,
  'amqp:amqp-value:*': 0x77,
  'amqp:footer:map': 0x78,
};

export const SECTION_NAMES: Record<number, string> = {
  0x70: 'header',
  0x71: 'delivery-annotations',
  0x72: 'message-annotations',
  0x73: 'properties',
  0x74: 'application-properties',
  0x75: 'data',
  0x76: 'amqp-sequence',
  0x77: 'amqp-value',
  0x78: 'footer',
};

/** The section code a descriptor names, or null when it is not a message section. */
export function sectionCodeOf(descriptor: TypedValue): number | null {
  if (descriptor.type === 'ulong') {
    const v = descriptor.value;
    return v >= 0x70n && v <= 0x78n ? Number(v) : null;
  }
  if (descriptor.type === 'symbol') return SYMBOLIC[descriptor.value] ?? null;
  return null;
}

/** The AMQP type a section's value must have (amqp-value: any). */
export function expectedSectionType(code: number): 'list' | 'map' | 'binary' | null {
  switch (code) {
    case 0x70:
    case 0x73:
    case 0x76:
      return 'list';
    case 0x71:
    case 0x72:
    case 0x74:
    case 0x78:
      return 'map';
    case 0x75:
      return 'binary';
    default:
      return null;
  }
}
