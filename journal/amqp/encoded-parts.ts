/**
 * Reading a message encoding that is split over ByteSource parts (bytes in hand and regions of
 * large-message files) as one virtual byte range, by bounded positional reads.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../model/message.js';

interface OpenPart {
  start: number;
  length: number;
  data?: Buffer;
  file?: { handle: FileHandle; offset: number; displayPath: string };
}

export class EncodedParts {
  private constructor(
    private readonly parts: OpenPart[],
    readonly length: number,
  ) {}

  /**
   * Opens every file part and checks it holds the region it should (so a missing or truncated
   * file fails here, before any byte is used). Throws a plain Error naming the file.
   */
  static async open(sources: ByteSource[]): Promise<EncodedParts> {
    const parts: OpenPart[] = [];
    let start = 0;
    try {
      for (const s of sources) {
        if (s.kind === 'buffer') {
          parts.push({ start, length: s.data.length, data: s.data });
          start += s.data.length;
          continue;
        }
        if (s.zlib) throw new Error(`${s.displayPath}: compressed bodies are not AMQP encodings`);
        let handle: FileHandle;
        try {
          handle = await open(s.path, 'r');
        } catch (e) {
          throw new Error(`${s.displayPath}: cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
        }
        parts.push({ start, length: s.length, file: { handle, offset: s.offset, displayPath: s.displayPath } });
        const { size } = await handle.stat();
        if (s.offset < 0 || s.length < 0 || s.offset + s.length > size) {
          throw new Error(`${s.displayPath}: has ${size} bytes, region ${s.offset}+${s.length} expected`);
        }
        start += s.length;
      }
    } catch (e) {
      await closeAll(parts);
      throw e;
    }
    return new EncodedParts(parts, start);
  }

  /** `len` bytes at virtual position `pos` (a view when they lie in one in-memory part). */
  async read(pos: number, len: number): Promise<Buffer> {
    if (pos < 0 || len < 0 || pos + len > this.length) {
      throw new RangeError(`read ${pos}+${len} outside the ${this.length}-byte message`);
    }
    const pieces: Buffer[] = [];
    for (const p of this.parts) {
      if (len === 0) break;
      const end = p.start + p.length;
      if (pos >= end || p.length === 0) continue;
      const within = pos - p.start;
      const n = Math.min(len, p.length - within);
      pieces.push(await this.readPart(p, within, n));
      pos += n;
      len -= n;
    }
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  /** The range [pos, pos+len) as chunks of at most `chunkSize` bytes. */
  async *chunks(pos: number, len: number, chunkSize = 1 << 20): AsyncGenerator<Buffer> {
    while (len > 0) {
      const n = Math.min(len, chunkSize);
      yield await this.read(pos, n);
      pos += n;
      len -= n;
    }
  }

  private async readPart(p: OpenPart, within: number, n: number): Promise<Buffer> {
    if (p.data) return p.data.subarray(within, within + n);
    const f = p.file!;
    const out = Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const { bytesRead } = await f.handle.read(out, done, n - done, f.offset + within + done);
      if (bytesRead === 0) throw new Error(`${f.displayPath}: unexpected end of file at ${f.offset + within + done}`);
      done += bytesRead;
    }
    return out;
  }

  async close(): Promise<void> {
    await closeAll(this.parts);
  }
}

async function closeAll(parts: OpenPart[]): Promise<void> {
  for (const p of parts) {
    if (p.file) await p.file.handle.close().catch(() => undefined);
  }
}

export function encodedLength(sources: ByteSource[]): number {
  let n = 0;
  for (const s of sources) n += s.kind === 'buffer' ? s.data.length : s.length;
  return n;
}
