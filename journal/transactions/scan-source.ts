/**
 * Where the loader's scanned files come from: read and scanned on a worker thread (large journals:
 * the second core does the reading, framing and header peeking while this thread replays the
 * transactions of the previous file), or on this thread (small journals, or when no worker can be
 * started). Both yield the same table of records, one file at a time, in order.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { JournalFile } from '../file/file-set.js';
import { scanToTable, type ScannedTable } from '../file/descriptors.js';
import type { RawRecord } from '../file/record.js';
import { isMessageRecord, summarizeMessage, NO_SUMMARY } from '../messages/record-summary.js';

export interface ScannedFile extends ScannedTable {
  data: Buffer;
  size: number;
}

export interface ScanSource {
  take(index: number): Promise<ScannedFile>;
  close(): Promise<void>;
}

/** Below this much journal, a worker's start-up costs more than it saves. */
const WORKER_THRESHOLD = 64 * 1024 * 1024;

export function openScanSource(files: JournalFile[], messageSummaries: boolean): ScanSource {
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total >= WORKER_THRESHOLD) {
    try {
      return new WorkerScanSource(files, messageSummaries);
    } catch {
      // no worker threads here: scan on this thread
    }
  }
  return new LocalScanSource(files, messageSummaries);
}

export function messageSummarizer(rec: RawRecord): number {
  return isMessageRecord(rec.type, rec.userType) ? summarizeMessage(rec.userType, rec.buf, rec.bodyOffset, rec.bodyLength) : NO_SUMMARY;
}

class LocalScanSource implements ScanSource {
  private buffer = Buffer.alloc(0);

  constructor(
    private readonly files: JournalFile[],
    private readonly messageSummaries: boolean,
  ) {}

  async take(index: number): Promise<ScannedFile> {
    const f = this.files[index]!;
    if (this.buffer.length < f.size) this.buffer = Buffer.allocUnsafe(f.size);
    const size = readWhole(f.path, this.buffer, f.size);
    const table = scanToTable(this.buffer, size, f.formatVersion, f.recordFileId, this.messageSummaries ? messageSummarizer : null);
    return { ...table, data: this.buffer, size };
  }

  async close(): Promise<void> {}
}

interface WorkerReply {
  index: number;
  buffer: ArrayBuffer;
  size: number;
  rows: ArrayBuffer;
  count: number;
  endOfData: number;
  problems: ScannedTable['problems'];
  error?: string;
}

/** Files in flight ahead of the one being replayed (more only made it slower, measured). */
const AHEAD = 1;
/** One worker: with this thread replaying, two cores are busy; more threads only contend. */
const WORKERS = 1;

/**
 * Keeps the worker up to AHEAD files ahead. A file buffer handed out by take() stays valid until
 * the next take(); it then goes back to the worker for reuse (transferred, never copied).
 */
class WorkerScanSource implements ScanSource {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private readonly replies = new Map<number, Promise<WorkerReply>>();
  private spare: ArrayBuffer[] = [];
  private lent: ArrayBuffer | null = null;
  /** Record tables, recycled like the file buffers. */
  private spareRows: ArrayBuffer[] = [];
  private lentRows: ArrayBuffer | null = null;
  private failure: Error | null = null;

  constructor(
    private readonly files: JournalFile[],
    private readonly messageSummaries: boolean,
  ) {
    for (let i = 0; i < WORKERS; i++) {
      const worker = new Worker(new URL('./scan-worker.js', import.meta.url));
      worker.on('message', (r: WorkerReply) => {
        const w = this.waiting.get(r.index);
        this.waiting.delete(r.index);
        if (r.error) w?.reject(new Error(r.error));
        else w?.resolve(r);
      });
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => {
        if (this.waiting.size > 0) this.fail(new Error(`journal scan worker exited with code ${code}`));
      });
      this.workers.push(worker);
    }
  }

  async take(index: number): Promise<ScannedFile> {
    if (this.lent) {
      this.spare.push(this.lent);
      this.lent = null;
    }
    if (this.lentRows) {
      this.spareRows.push(this.lentRows);
      this.lentRows = null;
    }
    const reply = await (this.replies.get(index) ?? this.request(index));
    this.replies.delete(index);
    for (let next = index + 1; next <= index + AHEAD && next < this.files.length; next++) {
      if (!this.replies.has(next)) this.replies.set(next, this.request(next));
    }
    this.lent = reply.buffer;
    this.lentRows = reply.rows;
    return {
      data: Buffer.from(reply.buffer),
      size: reply.size,
      rows: new Int32Array(reply.rows),
      count: reply.count,
      endOfData: reply.endOfData,
      problems: reply.problems,
    };
  }

  async close(): Promise<void> {
    // The file buffers (tens of MB) would otherwise wait for a full GC that may come only much
    // later, in the middle of a drain: handed to the worker, they go away with its heap.
    const buffers = [...this.spare, ...this.spareRows, ...(this.lent ? [this.lent] : []), ...(this.lentRows ? [this.lentRows] : [])];
    this.spare = [];
    this.spareRows = [];
    this.lent = null;
    this.lentRows = null;
    if (buffers.length > 0 && this.workers[0]) this.workers[0].postMessage({ drop: buffers }, buffers);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private request(index: number): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    const f = this.files[index]!;
    const buffer = this.spare.find((b) => b.byteLength >= f.size) ?? null;
    if (buffer) this.spare = this.spare.filter((b) => b !== buffer);
    const rows = this.spareRows.pop() ?? null;
    const transfer = [...(buffer ? [buffer] : []), ...(rows ? [rows] : [])];
    const reply = new Promise<WorkerReply>((resolve, reject) => this.waiting.set(index, { resolve, reject }));
    this.workers[index % WORKERS]!.postMessage(
      { index, path: f.path, size: f.size, formatVersion: f.formatVersion, recordFileId: f.recordFileId, messageSummaries: this.messageSummaries, buffer, rows },
      transfer,
    );
    return reply;
  }

  private fail(e: Error): void {
    this.failure = e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}

function readWhole(p: string, buf: Buffer, size: number): number {
  const fd = fs.openSync(p, 'r');
  try {
    let done = 0;
    while (done < size) {
      const n = fs.readSync(fd, buf, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return done;
  } finally {
    fs.closeSync(fd);
  }
}
