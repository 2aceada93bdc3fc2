/**
 * Reads one indexed journal message back from disk and decodes it: the index keeps positions,
 * this turns a position into a StoredMessage when (and only when) someone asks for it.
 */
import fs from 'node:fs';
import { BufferReader, DecodeError } from '../binary/reader.js';
import type { Diagnostics } from '../diagnostics.js';
import type { JournalFile } from '../file/file-set.js';
import type { StoredMessage } from '../model/message.js';
import { decodePersistedMessage } from '../messages/persisted.js';
import { decodeCoreLarge } from '../core/core-message.js';
import type { MessageIndex } from './message-index.js';

const ADD_LARGE_MESSAGE = 30;
/** Records are read through windows of this size: one read serves many neighbouring messages. */
const WINDOW = 128 * 1024;
/**
 * Windows kept: queues drained side by side read different places of the same files, and a single
 * window would be re-read for every message (measured: 1M messages, 10 queues, 67 s in read()).
 * 64 small windows (8 MiB in all) serve dozens of queues at once.
 */
const WINDOWS = 64;

interface Window {
  fileIndex: number;
  start: number;
  data: Buffer;
}

export class JournalMessageReader {
  private readonly fds = new Map<number, number>();
  /** Most recently used last. */
  private windows: Window[] = [];

  constructor(
    private readonly files: JournalFile[],
    private readonly index: MessageIndex,
    private readonly dataDir: string,
    private readonly largeMessagesDir: string | null,
    private readonly diagnostics: Diagnostics,
  ) {}

  /** null when the record cannot be decoded (a diagnostic then names file and offset). */
  load(slot: number): StoredMessage | null {
    const loc = this.index.location(slot);
    const f = this.files[loc.fileIndex];
    if (!f || loc.bodyOffset < 0) return null;
    const { buf, n } = this.bytes(loc.fileIndex, loc.bodyOffset, loc.bodyLength);
    const ctx = {
      dataDir: this.dataDir,
      largeMessagesDir: this.largeMessagesDir,
      diagnostics: this.diagnostics,
      where: { file: loc.file, offset: loc.offset },
    };
    try {
      if (n !== loc.bodyLength) throw new DecodeError(`file shrank: read ${n} of ${loc.bodyLength} bytes`, 0);
      const r = new BufferReader(buf);
      const msg = loc.userType === ADD_LARGE_MESSAGE ? decodeCoreLarge(r, ctx) : decodePersistedMessage(r, ctx);
      if (msg.messageId !== this.index.id(slot)) {
        throw new DecodeError(`message id ${msg.messageId} inside the record differs from the record id ${this.index.id(slot)}`, 0);
      }
      return msg;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.diagnostics.error(loc.file, loc.offset, `unreadable message ${this.index.id(slot)}: ${e.message}`, 'unreadable message');
      return null;
    }
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }

  /** The record's bytes: from the current window when it holds them, else read (and windowed). */
  private bytes(fileIndex: number, offset: number, length: number): { buf: Buffer; n: number } {
    if (length > WINDOW) {
      const buf = Buffer.allocUnsafe(length);
      return { buf, n: fs.readSync(this.fd(fileIndex), buf, 0, length, offset) };
    }
    let w: Window | undefined;
    for (let i = this.windows.length - 1; i >= 0; i--) {
      const c = this.windows[i]!;
      if (c.fileIndex === fileIndex && offset >= c.start && offset + length <= c.start + c.data.length) {
        w = c;
        if (i !== this.windows.length - 1) this.windows.push(...this.windows.splice(i, 1));
        break;
      }
    }
    if (!w) {
      // Reuse the least recently used window's memory once the cache is full.
      const old = this.windows.length >= WINDOWS ? this.windows.shift()! : null;
      const data = old && old.data.buffer.byteLength >= WINDOW ? Buffer.from(old.data.buffer, old.data.byteOffset, WINDOW) : Buffer.allocUnsafe(WINDOW);
      const got = fs.readSync(this.fd(fileIndex), data, 0, WINDOW, offset);
      w = { fileIndex, start: offset, data: data.subarray(0, got) };
      this.windows.push(w);
    }
    // A copy: windows are recycled, and a decoded message keeps views of its bytes (body,
    // binary properties) for as long as it is in flight — it must never see them overwritten.
    const from = offset - w.start;
    const buf = Buffer.from(w.data.subarray(from, Math.min(from + length, w.data.length)));
    return { buf, n: buf.length };
  }

  private fd(fileIndex: number): number {
    let fd = this.fds.get(fileIndex);
    if (fd === undefined) {
      if (this.fds.size >= 64) this.close();
      fd = fs.openSync(this.files[fileIndex]!.path, 'r');
      this.fds.set(fileIndex, fd);
    }
    return fd;
  }
}
