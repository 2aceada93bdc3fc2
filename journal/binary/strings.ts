/**
 * The three string encodings Artemis writes (format spec §1.1, §1.2, §1.5, §1.6).
 */
import { BufferReader } from './reader.js';

/** §1.1 SimpleString: i32 byte length + UTF-16LE code units. */
export function readSimpleString(r: BufferReader): string {
  const n = r.i32();
  if (n % 2 !== 0) r.fail(`SimpleString with odd byte length ${n}`);
  return r.bytes(n, 'SimpleString').toString('utf16le');
}

/** §1.2 nullable SimpleString: marker byte (0 = null) then a SimpleString. */
export function readNullableSimpleString(r: BufferReader): string | null {
  return r.u8() === 0 ? null : readSimpleString(r);
}

/** §1.5 "UTF": u16 byte length, then each UTF-16 code unit encoded on 1–3 bytes (CESU-8 like). */
export function readUTF(r: BufferReader): string {
  const n = r.u16();
  return decodeModifiedUtf8(r.bytes(n, 'UTF string'), r);
}

function decodeModifiedUtf8(b: Buffer, r: BufferReader): string {
  const units: number[] = [];
  let i = 0;
  while (i < b.length) {
    const c = b[i++]!;
    if (c < 0x80) {
      units.push(c);
    } else if (c >> 5 === 0x6) {
      if (i >= b.length) r.fail('truncated 2-byte UTF sequence');
      units.push(((c & 0x1f) << 6) | (b[i++]! & 0x3f));
    } else if (c >> 4 === 0xe) {
      if (i + 1 >= b.length) r.fail('truncated 3-byte UTF sequence');
      units.push(((c & 0x0f) << 12) | ((b[i++]! & 0x3f) << 6) | (b[i++]! & 0x3f));
    } else {
      r.fail(`invalid UTF lead byte 0x${c.toString(16)}`);
    }
  }
  return unitsToString(units);
}

function unitsToString(units: number[]): string {
  let s = '';
  for (let i = 0; i < units.length; i += 8192) s += String.fromCharCode(...units.slice(i, i + 8192));
  return s;
}

/** §1.6 "String": i32 char count; < 9 chars as raw i16s, < 0xFFF as UTF, else as SimpleString. */
export function readString(r: BufferReader): string {
  const count = r.i32();
  if (count < 0) r.fail(`negative string length ${count}`);
  if (count < 9) {
    r.need(count * 2, 'short String');
    const units: number[] = [];
    for (let i = 0; i < count; i++) units.push(r.u16());
    return unitsToString(units);
  }
  if (count < 0xfff) return readUTF(r);
  return readSimpleString(r);
}

/** §1.4 nullable String (ActiveMQBuffer style marker, then §1.6). */
export function readNullableString(r: BufferReader): string | null {
  return r.u8() === 0 ? null : readString(r);
}
