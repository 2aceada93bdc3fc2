/**
 * The transfer payload of an OutgoingMessage as one sequential byte stream, produced on demand from
 * its parts: bytes in hand are copied, file regions are read at their position straight into the
 * caller's buffer, zlib regions (compressed core large bodies) are inflated while being read.
 * Only one part is open at a time, and nothing is read ahead beyond the zlib pipeline's own
 * small buffers, so memory stays bounded whatever the file sizes.
 */
import fs from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import zlib from 'node:zlib';
import type { ByteSource } from '../../journal/model/message.js';
import { PayloadSourceError } from './delivery-error.js';

type FilePart = Extract<ByteSource, { kind: 'file' }>;

/** Compressed bytes read from disk per step when inflating. */
const ZLIB_READ_CHUNK = 64 * 1024;

type Cursor =
  | { kind: 'buffer'; data: Buffer; pos: number }
  | { kind: 'file'; part: FilePart; fh: FileHandle; pos: number }
  | { kind: 'zlib'; part: FilePart; raw: fs.ReadStream; inflate: zlib.Inflate; it: AsyncIterator<Buffer>; pending: Buffer | null };

export class PayloadSource {
  private nextPart = 0;
  private cursor: Cursor | null = null;
  private closed = false;

  constructor(private readonly parts: readonly ByteSource[]) {}

  /** Copies up to `length` bytes into `into` at `offset`. Resolves 0 only once every part is exhausted. */
  async read(into: Buffer, offset: number, length: number): Promise<number> {
    if (length <= 0) return 0;
    for (;;) {
      if (this.closed) throw new PayloadSourceError('payload source already closed');
      if (!this.cursor) {
        if (this.nextPart >= this.parts.length) return 0;
        const opened = await this.openPart(this.parts[this.nextPart++]!);
        if (this.closed) {
          // close() ran while the part was being opened: do not leak its handle.
          await release(opened);
          throw new PayloadSourceError('payload source already closed');
        }
        this.cursor = opened;
      }
      const n = await this.readCursor(this.cursor, into, offset, length);
      if (n > 0) return n;
      await this.closeCursor();
    }
  }

  /** Reads until `length` bytes are in `into` or the parts end; resolves how many were copied. */
  async fill(into: Buffer, offset: number, length: number): Promise<number> {
    let done = 0;
    while (done < length) {
      const n = await this.read(into, offset + done, length - done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /** True when bytes remain after what was read so far (reads, and so consumes, at most one byte). */
  async hasMore(): Promise<boolean> {
    return (await this.read(Buffer.allocUnsafe(1), 0, 1)) > 0;
  }

  /** Releases the open file or inflater. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeCursor();
  }

  private async openPart(part: ByteSource): Promise<Cursor> {
    if (part.kind === 'buffer') return { kind: 'buffer', data: part.data, pos: 0 };
    if (!part.zlib) {
      try {
        return { kind: 'file', part, fh: await open(part.path, 'r'), pos: 0 };
      } catch (e) {
        throw new PayloadSourceError(`${part.displayPath}: cannot open: ${errorText(e)}`, { cause: e });
      }
    }
    if (part.length <= 0) throw new PayloadSourceError(`${part.displayPath}: empty zlib region`);
    const raw = fs.createReadStream(part.path, { start: part.offset, end: part.offset + part.length - 1, highWaterMark: ZLIB_READ_CHUNK });
    const inflate = zlib.createInflate();
    // A read error must reach the consumer through the inflater, the stream it iterates.
    raw.on('error', (e) => inflate.destroy(e));
    raw.pipe(inflate);
    return { kind: 'zlib', part, raw, inflate, it: inflate[Symbol.asyncIterator](), pending: null };
  }

  private async readCursor(c: Cursor, into: Buffer, offset: number, length: number): Promise<number> {
    switch (c.kind) {
      case 'buffer': {
        const n = Math.min(length, c.data.length - c.pos);
        c.data.copy(into, offset, c.pos, c.pos + n);
        c.pos += n;
        return n;
      }
      case 'file': {
        const want = Math.min(length, c.part.length - c.pos);
        if (want <= 0) return 0;
        let bytesRead: number;
        try {
          ({ bytesRead } = await c.fh.read(into, offset, want, c.part.offset + c.pos));
        } catch (e) {
          throw new PayloadSourceError(`${c.part.displayPath}: read failed at byte ${c.part.offset + c.pos}: ${errorText(e)}`, { cause: e });
        }
        if (bytesRead === 0) {
          throw new PayloadSourceError(
            `${c.part.displayPath}: file ends at byte ${c.part.offset + c.pos}, ${c.part.length - c.pos} bytes before the end of its region`,
          );
        }
        c.pos += bytesRead;
        return bytesRead;
      }
      case 'zlib': {
        if (!c.pending || c.pending.length === 0) {
          let r: IteratorResult<Buffer>;
          try {
            r = await c.it.next();
          } catch (e) {
            throw new PayloadSourceError(`${c.part.displayPath}: cannot inflate the compressed body: ${errorText(e)}`, { cause: e });
          }
          if (r.done) return 0;
          c.pending = r.value;
        }
        const n = Math.min(length, c.pending.length);
        c.pending.copy(into, offset, 0, n);
        c.pending = n < c.pending.length ? c.pending.subarray(n) : null;
        return n;
      }
    }
  }

  private async closeCursor(): Promise<void> {
    const c = this.cursor;
    this.cursor = null;
    if (c) await release(c);
  }
}

async function release(c: Cursor): Promise<void> {
  if (c.kind === 'file') await c.fh.close().catch(() => undefined);
  if (c.kind === 'zlib') {
    c.raw.destroy();
    c.inflate.destroy();
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
