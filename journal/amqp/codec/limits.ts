/**
 * Hard limits that keep hostile or corrupt AMQP encodings from exhausting the stack or memory.
 * Legitimate messages stay far below both.
 */

/** Deepest nesting of lists, maps, arrays and described values accepted. */
export const MAX_DEPTH = 64;

/**
 * Elements of a zero-width type (null, true, false, uint0, ulong0, list0) take no bytes inside an
 * array, so the remaining bytes cannot bound their count: this cap does.
 */
export const MAX_ZERO_WIDTH_ARRAY_ELEMENTS = 65536;
