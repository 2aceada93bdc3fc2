/**
 * AMQP 1.0 constructor format codes (OASIS AMQP 1.0 part 1, "Types").
 *
 * The high nibble of a code gives its width category: 0x4 none, 0x5 one byte, 0x6 two, 0x7 four,
 * 0x8 eight, 0x9 sixteen, 0xa/0xb variable (1/4-byte size), 0xc/0xd compound (1/4-byte size and
 * count), 0xe/0xf array (1/4-byte size and count). 0x00 introduces a described value.
 */
export const FormatCode = {
  DESCRIBED: 0x00,
  NULL: 0x40,
  TRUE: 0x41,
  FALSE: 0x42,
  UINT0: 0x43,
  ULONG0: 0x44,
  LIST0: 0x45,
  UBYTE: 0x50,
  BYTE: 0x51,
  SMALL_UINT: 0x52,
  SMALL_ULONG: 0x53,
  SMALL_INT: 0x54,
  SMALL_LONG: 0x55,
  BOOLEAN: 0x56,
  USHORT: 0x60,
  SHORT: 0x61,
  UINT: 0x70,
  INT: 0x71,
  FLOAT: 0x72,
  CHAR: 0x73,
  DECIMAL32: 0x74,
  ULONG: 0x80,
  LONG: 0x81,
  DOUBLE: 0x82,
  TIMESTAMP: 0x83,
  DECIMAL64: 0x84,
  DECIMAL128: 0x94,
  UUID: 0x98,
  VBIN8: 0xa0,
  STR8: 0xa1,
  SYM8: 0xa3,
  VBIN32: 0xb0,
  STR32: 0xb1,
  SYM32: 0xb3,
  LIST8: 0xc0,
  MAP8: 0xc1,
  LIST32: 0xd0,
  MAP32: 0xd1,
  ARRAY8: 0xe0,
  ARRAY32: 0xf0,
} as const;

/** Payload width of the fixed-width codes this decoder knows; undefined for every other code. */
const FIXED_WIDTH: Record<number, number> = {
  0x40: 0, 0x41: 0, 0x42: 0, 0x43: 0, 0x44: 0, 0x45: 0,
  0x50: 1, 0x51: 1, 0x52: 1, 0x53: 1, 0x54: 1, 0x55: 1, 0x56: 1,
  0x60: 2, 0x61: 2,
  0x70: 4, 0x71: 4, 0x72: 4, 0x73: 4, 0x74: 4,
  0x80: 8, 0x81: 8, 0x82: 8, 0x83: 8, 0x84: 8,
  0x94: 16, 0x98: 16,
};

export function fixedWidth(code: number): number | undefined {
  return FIXED_WIDTH[code];
}

/** Size-prefix width (1 or 4) of the known variable, compound and array codes; undefined otherwise. */
export function sizePrefixWidth(code: number): 1 | 4 | undefined {
  switch (code) {
    case 0xa0: case 0xa1: case 0xa3: case 0xc0: case 0xc1: case 0xe0:
      return 1;
    case 0xb0: case 0xb1: case 0xb3: case 0xd0: case 0xd1: case 0xf0:
      return 4;
    default:
      return undefined;
  }
}

export function hex(code: number): string {
  return `0x${code.toString(16).padStart(2, '0')}`;
}
