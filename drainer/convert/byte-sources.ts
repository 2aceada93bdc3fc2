/**
 * A message encoding split over ByteSource parts seen as one byte range: cutting a sub-range back
 * into parts (buffer slices and file regions), so kept sections are referenced, not copied.
 */
import type { ByteSource } from '../../journal/model/message.js';

/** Bytes of plain parts (zlib parts are never part of a stored AMQP encoding). */
export function plainLength(s: ByteSource): number {
  return s.kind === 'buffer' ? s.data.length : s.length;
}

/** The parts that hold the virtual range [start, end) of `sources`. */
export function sliceSources(sources: ByteSource[], start: number, end: number): ByteSource[] {
  const out: ByteSource[] = [];
  let base = 0;
  for (const s of sources) {
    const len = plainLength(s);
    const from = Math.max(start, base);
    const to = Math.min(end, base + len);
    if (from < to) {
      if (s.kind === 'buffer') out.push({ kind: 'buffer', data: s.data.subarray(from - base, to - base) });
      else out.push({ ...s, offset: s.offset + (from - base), length: to - from });
    }
    base += len;
    if (base >= end) break;
  }
  return out;
}

/**
 * Adjacent buffer parts joined, contiguous regions of one file merged, empty parts dropped: fewer,
 * larger reads and writes for the sender.
 */
export function coalesce(parts: ByteSource[]): ByteSource[] {
  const out: ByteSource[] = [];
  let pending: Buffer[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    out.push({ kind: 'buffer', data: pending.length === 1 ? pending[0]! : Buffer.concat(pending) });
    pending = [];
  };
  for (const p of parts) {
    if (p.kind === 'buffer') {
      if (p.data.length > 0) pending.push(p.data);
    } else if (p.length > 0 || p.zlib) {
      flush();
      const last = out[out.length - 1];
      if (last?.kind === 'file' && !last.zlib && !p.zlib && last.path === p.path && last.offset + last.length === p.offset) {
        out[out.length - 1] = { ...last, length: last.length + p.length };
      } else {
        out.push(p);
      }
    }
  }
  flush();
  return out;
}
