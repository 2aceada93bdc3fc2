/**
 * Nullable primitives of the configuration records (§1.4). Both writer styles put one marker byte
 * first, 0x00 for null; the "present" marker is 0x01 or 0xFF depending on the writer, and every
 * Artemis reader accepts any non-zero value, so one reading rule covers both.
 */
import type { BufferReader } from '../binary/reader.js';

export function readNullableInt(r: BufferReader): number | null {
  return r.u8() === 0 ? null : r.i32();
}

export function readNullableLong(r: BufferReader): bigint | null {
  return r.u8() === 0 ? null : r.i64();
}

export function readNullableBool(r: BufferReader): boolean | null {
  return r.u8() === 0 ? null : r.bool();
}

export function readNullableDouble(r: BufferReader): number | null {
  return r.u8() === 0 ? null : r.f64();
}
