/**
 * Reading one page file (format spec §12.2): records `{` + i32 S + S bytes + `}` back to back from
 * offset 0, numbered 0, 1, 2, … in file order. Cursor records address a paged message by
 * (page number, message number), so numbering must count every well-framed record.
 *
 * Like the broker, reading stops at the first record that is not well framed: there is no rescan.
 * What follows is reported: nothing is a clean end; anything else is an ERROR, since a torn or
 * damaged record may hide messages the producer was told were stored (the broker would not deliver
 * them either). Zeros included: page files are appended to, never pre-allocated, so zeros where
 * records should be mean lost data (a zeroed file, or a tail the file system never wrote).
 *
 * Files are read with positional reads into fresh windows of bounded size; a window is never
 * reused, so the record views handed out stay valid for as long as the caller keeps them.
 */
import fs from 'node:fs/promises';
import type { Diagnostics } from '../diagnostics.js';
import type { PageFileRef } from './page-store.js';

const START = 0x7b; // '{'
const END = 0x7d; // '}'
/** Marker + size + marker: the smallest possible record (S = 0). */
export const PAGE_RECORD_OVERHEAD = 6;

export interface PageReadOptions {
  /** Bytes per read window (a record larger than this gets a window of its own). */
  windowSize?: number;
  /** Files up to this size are read in one go. */
  wholeFileLimit?: number;
  /** Records with S above this are treated as damage instead of being allocated. */
  maxRecordSize?: number;
}

const DEFAULTS: Required<PageReadOptions> = {
  windowSize: 8 * 1024 * 1024,
  wholeFileLimit: 32 * 1024 * 1024,
  maxRecordSize: 512 * 1024 * 1024,
};

export interface PageRecord {
  /** Position of the record in its page (0-based). */
  msgNr: number;
  /** Offset of the record's `{` in the file. */
  offset: number;
  /** S: length of the PagedMessage encoding. */
  length: number;
  /** The S bytes of the PagedMessage encoding (a view into a window that is never reused). */
  body: Buffer;
}

export type PageTail = 'end' | 'zeros' | 'damaged';

export interface PageReadResult {
  records: number;
  /** End of the last valid record. */
  endOfData: number;
  size: number;
  tail: PageTail;
}

/**
 * Yields the well-framed records of one page file in order. The generator's return value
 * describes where reading stopped; damage after the last record is reported to `diagnostics`.
 */
export async function* readPageFile(
  file: PageFileRef,
  diagnostics: Diagnostics,
  options: PageReadOptions = {},
): AsyncGenerator<PageRecord, PageReadResult> {
  const opt = { ...DEFAULTS, ...options };
  const fh = await fs.open(file.path, 'r');
  try {
    const size = (await fh.stat()).size;
    let win: Buffer = Buffer.alloc(0);
    let winStart = 0;

    /** Makes [pos, pos+n) available in `win` (n must fit in the file). */
    const ensure = async (pos: number, n: number): Promise<void> => {
      if (pos >= winStart && pos + n <= winStart + win.length) return;
      const len = Math.min(size - pos, size <= opt.wholeFileLimit ? size : Math.max(n, opt.windowSize));
      win = await readAt(fh, pos, len);
      winStart = pos;
      if (win.length < n) throw new Error(`short read of ${file.displayPath} at ${pos}: ${win.length} of ${n} bytes`);
    };

    let pos = 0;
    let msgNr = 0;
    let problem: string | null = null;
    while (size - pos >= PAGE_RECORD_OVERHEAD) {
      await ensure(pos, 5);
      const w = pos - winStart;
      if (win[w] !== START) {
        problem = `start marker 0x${win[w]!.toString(16).padStart(2, '0')} instead of '{'`;
        break;
      }
      const s = win.readInt32BE(w + 1);
      if (s < 0) {
        problem = `negative record size ${s}`;
        break;
      }
      if (s > size - pos - PAGE_RECORD_OVERHEAD) {
        problem = `record size ${s} runs past the end of the file`;
        break;
      }
      if (s > opt.maxRecordSize) {
        problem = `record size ${s} is larger than the ${opt.maxRecordSize}-byte limit`;
        break;
      }
      await ensure(pos, PAGE_RECORD_OVERHEAD + s);
      const b = pos - winStart;
      if (win[b + 5 + s] !== END) {
        problem = `end marker 0x${win[b + 5 + s]!.toString(16).padStart(2, '0')} instead of '}' after ${s} bytes`;
        break;
      }
      yield { msgNr, offset: pos, length: s, body: win.subarray(b + 5, b + 5 + s) };
      msgNr++;
      pos += PAGE_RECORD_OVERHEAD + s;
    }

    if (pos === size) return { records: msgNr, endOfData: pos, size, tail: 'end' };
    const nonZero = await firstNonZero(fh, pos, size);
    if (nonZero < 0) {
      diagnostics.error(
        file.displayPath,
        pos,
        `page file holds ${size - pos} zero bytes from offset ${pos} after its ${msgNr} valid records: ` +
          'page files are never pre-allocated, so records that were written there are lost',
        'zeroed page tail',
      );
      return { records: msgNr, endOfData: pos, size, tail: 'zeros' };
    }
    diagnostics.error(
      file.displayPath,
      pos,
      `page file damaged after its ${msgNr} valid records: ${size - pos} bytes from offset ${pos} are not a valid page record ` +
        `(${problem ?? `only ${size - pos} bytes left`}); a torn or damaged record may hide live messages, ` +
        `and the broker stops reading this page there as well`,
      'damaged page tail',
    );
    return { records: msgNr, endOfData: pos, size, tail: 'damaged' };
  } finally {
    await fh.close();
  }
}

async function readAt(fh: fs.FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(len);
  let done = 0;
  while (done < len) {
    const { bytesRead } = await fh.read(buf, done, len - done, pos + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === len ? buf : buf.subarray(0, done);
}

/** Offset of the first non-zero byte in [from, to), or -1. */
async function firstNonZero(fh: fs.FileHandle, from: number, to: number): Promise<number> {
  const chunk = 1024 * 1024;
  for (let p = from; p < to; p += chunk) {
    const b = await readAt(fh, p, Math.min(chunk, to - p));
    for (let i = 0; i < b.length; i++) if (b[i] !== 0) return p + i;
    if (b.length === 0) break;
  }
  return -1;
}
