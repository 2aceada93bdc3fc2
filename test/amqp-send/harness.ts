/**
 * Sending side and test data for the streaming-send tests: a rhea client connection, large files
 * written block by block (never held whole) with their sha256 computed on the way, AMQP section
 * bytes around them, and a memory sampler.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import zlib from 'node:zlib';
import rhea, { type Connection, type ConnectionOptions, type Sender, type Session } from 'rhea';
import type { OutgoingMessage } from '../../drainer/convert/outgoing.js';
import type { ByteSource } from '../../journal/model/message.js';

export const MiB = 1024 * 1024;

export interface Client {
  connection: Connection;
  disconnected: number;
  close(): void;
}

export async function connectClient(port: number): Promise<Client> {
  const container = rhea.create_container({ id: 'test-sender' });
  const client = { disconnected: 0 } as Client;
  container.on('disconnected', () => {
    client.disconnected++;
  });
  container.on('error', () => undefined);
  // Without TCP_NODELAY, Nagle's algorithm and delayed ACKs stall every small-window round trip ~40 ms.
  const connection = container.connect({ host: '127.0.0.1', port, reconnect: false, tcp_no_delay: true } as ConnectionOptions);
  await new Promise<void>((resolve, reject) => {
    connection.once('connection_open', () => resolve());
    connection.once('disconnected', (ctx: { error?: Error }) => reject(ctx.error ?? new Error('disconnected')));
  });
  connection.removeAllListeners('disconnected');
  client.connection = connection;
  client.close = () => {
    const s = (connection as unknown as { socket?: { destroy(): void } }).socket;
    s?.destroy();
  };
  return client;
}

/** Opens a sender on the connection's default session, or on `session`, and waits for credit. */
export async function openSender(parent: Connection | Session, name: string, extra: Record<string, unknown> = {}): Promise<Sender> {
  const sender = parent.open_sender({ name, target: { address: name }, ...extra });
  await new Promise<void>((resolve) => sender.once('sendable', () => resolve()));
  return sender;
}

export function newSession(c: Connection): Session {
  const s = c.create_session();
  s.begin();
  return s;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'amqp-send-'));
}

/** AMQP header section (empty list) then the opening of a data section of `bodyLength` bytes (vbin32). */
export function dataSectionStart(bodyLength: number): Buffer {
  const b = Buffer.from([0x00, 0x53, 0x70, 0x45, 0x00, 0x53, 0x75, 0xb0, 0, 0, 0, 0]);
  b.writeUInt32BE(bodyLength, 8);
  return b;
}

/** A footer section holding an empty map. */
export const FOOTER = Buffer.from([0x00, 0x53, 0x78, 0xc1, 0x01, 0x00]);

export function outgoing(parts: ByteSource[], size?: number): OutgoingMessage {
  const sum = parts.reduce((n, p) => n + (p.kind === 'buffer' ? p.data.length : p.length), 0);
  return { parts, size: size ?? sum, format: 0, duplicateId: 'test', durable: false, priority: 4 };
}

/**
 * Writes junk, then a `length`-byte region of distinct 1 MiB blocks fed into `hash`, then junk.
 * Returns the region's file part.
 */
export function writeRegionFile(file: string, prefix: number, length: number, suffix: number, hash: Hash): Extract<ByteSource, { kind: 'file' }> {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, randomBytes(prefix));
    const block = randomBytes(MiB);
    for (let done = 0, k = 0; done < length; k++) {
      block.writeUInt32BE(k, 0);
      const n = Math.min(MiB, length - done);
      const slice = block.subarray(0, n);
      fs.writeSync(fd, slice);
      hash.update(slice);
      done += n;
    }
    fs.writeSync(fd, randomBytes(suffix));
  } finally {
    fs.closeSync(fd);
  }
  return { kind: 'file', path: file, displayPath: path.basename(file), offset: prefix, length };
}

/**
 * Writes junk, then a zlib stream of `inflated` bytes of text-like content (fed into `hash`
 * uncompressed), then junk. Returns the compressed region's file part (length = compressed length).
 */
export async function writeZlibFile(file: string, prefix: number, inflated: number, suffix: number, hash: Hash): Promise<Extract<ByteSource, { kind: 'file' }>> {
  fs.writeFileSync(file, randomBytes(prefix));
  const words = randomBytes(4096).toString('base64').match(/.{1,7}/g)!;
  function* content(): Generator<Buffer> {
    let done = 0;
    let line = 0;
    while (done < inflated) {
      let s = '';
      while (s.length < 64 * 1024) s += `line ${line++} ${words[line % words.length]} ${words[(line * 7) % words.length]}\n`;
      const b = Buffer.from(s).subarray(0, Math.min(s.length, inflated - done));
      hash.update(b);
      done += b.length;
      yield b;
    }
  }
  await pipeline(Readable.from(content()), zlib.createDeflate(), fs.createWriteStream(file, { flags: 'a' }));
  const compressed = fs.statSync(file).size - prefix;
  fs.appendFileSync(file, randomBytes(suffix));
  return { kind: 'file', path: file, displayPath: path.basename(file), offset: prefix, length: compressed, zlib: true };
}

export function sha256(...parts: Buffer[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

let gcFn: (() => void) | undefined;
/**
 * A full garbage collection, also without --expose-gc. Array buffers are then swept on the main
 * thread, so that memoryUsage() right after a collection no longer counts the ones it freed.
 */
export function collectGarbage(): void {
  if (!gcFn) {
    v8.setFlagsFromString('--expose_gc');
    v8.setFlagsFromString('--no-concurrent-array-buffer-sweeping');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
}

export interface MemoryGrowth {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/**
 * Growth of process.memoryUsage() over a baseline taken after a full GC. `observed` is the peak of
 * samples taken every few ms as the process runs (garbage not yet collected included); `live` is
 * the peak of samples taken right after a forced full GC every `liveEveryMs` (what is really held).
 */
export class MemorySampler {
  private readonly base: NodeJS.MemoryUsage;
  private readonly observed: MemoryGrowth = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  private readonly live: MemoryGrowth = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  private liveSamples = 0;
  private readonly liveLoop: Promise<void>;

  /** With `liveEveryMs` = 0 no GC is forced: `observed` is then the process left to itself. */
  constructor(liveEveryMs = 0, intervalMs = 5) {
    collectGarbage();
    this.base = process.memoryUsage();
    this.timer = setInterval(() => this.sample(this.observed), intervalMs);
    this.liveLoop = (async () => {
      while (liveEveryMs > 0 && !this.stopped) {
        await sleep(liveEveryMs);
        collectGarbage();
        if (!this.stopped) {
          this.sample(this.live);
          this.liveSamples++;
        }
      }
    })();
  }

  private sample(into: MemoryGrowth): void {
    const m = process.memoryUsage();
    for (const k of ['rss', 'heapUsed', 'external', 'arrayBuffers'] as const) into[k] = Math.max(into[k], m[k] - this.base[k]);
  }

  /** `live` is null when no forced-GC sample was taken. */
  async stop(): Promise<{ observed: MemoryGrowth; live: MemoryGrowth | null }> {
    clearInterval(this.timer);
    this.sample(this.observed);
    this.stopped = true;
    await this.liveLoop;
    return { observed: { ...this.observed }, live: this.liveSamples ? { ...this.live } : null };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function describeGrowth(g: { observed: MemoryGrowth; live: MemoryGrowth | null }): string {
  const f = (m: MemoryGrowth) => `rss ${mib(m.rss)}, heapUsed ${mib(m.heapUsed)}, external ${mib(m.external)}, arrayBuffers ${mib(m.arrayBuffers)}`;
  return `peak growth observed: ${f(g.observed)}` + (g.live ? `; live (sampled after forced GCs): ${f(g.live)}` : ' (GC left alone)');
}

export function mib(n: number): string {
  return `${(n / MiB).toFixed(1)} MiB`;
}
