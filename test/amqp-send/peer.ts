/**
 * An in-process AMQP 1.0 receiving peer for the streaming-send tests, built on rhea's own server
 * side. It advertises a small max-frame-size and a small session incoming window, and records
 * every delivery it gets: sha256 and size of the exact transfer payload (hashed frame by frame),
 * frame count, largest frame, aborted flag and, unless payloads are discarded, rhea's decoding.
 *
 * Two things make rhea's receiver behave like a broker here:
 *  - after every transfer frame it runs a processing pass, so the session window is re-opened while
 *    a long multi-frame delivery is arriving (rhea alone only does it on other events);
 *  - with `discardPayload`, frames are hashed and dropped instead of being assembled (rhea would
 *    concatenate a 64 MiB message in this same process and spoil the sender's memory figures).
 */
import { createHash, type Hash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import rhea, { type Connection, type EventContext, type Message } from 'rhea';

const require = createRequire(import.meta.url);
const EMPTY = Buffer.alloc(0);
/** Message format the peer substitutes so that rhea hands over bytes instead of decoding them. */
const RAW_FORMAT = 0x7fff_fff0;

export interface PeerOptions {
  /** Advertised max-frame-size (default 16 KiB). */
  maxFrameSize?: number;
  /** Session incoming window in frames (rhea's session_buffer_size; default 8). */
  sessionWindow?: number;
  /** max-message-size the peer's receiving links announce (default none). */
  maxMessageSize?: number;
  /** Hash and drop frames instead of letting rhea assemble and decode the message. */
  discardPayload?: boolean;
  /** Seen for every transfer frame, before rhea processes it. */
  onTransfer?(t: TransferInfo): void;
}

export interface TransferInfo {
  link: string;
  deliveryId: number;
  /** 0 for the first frame of the delivery. */
  frameIndex: number;
  payloadLength: number;
  more: boolean;
  aborted: boolean;
  connection: Connection;
}

export interface ReceivedDelivery {
  link: string;
  id: number;
  format: number;
  size: number;
  sha256: string;
  frames: number;
  maxPayload: number;
  aborted: boolean;
  /** rhea's decoding (format 0, payload kept) */
  message?: Message;
}

export interface Peer {
  readonly port: number;
  readonly received: ReceivedDelivery[];
  /** Resolves with the first recorded delivery (past or future) matching `match`. */
  waitFor(match: (r: ReceivedDelivery) => boolean, timeoutMs?: number): Promise<ReceivedDelivery>;
  /** Largest transfer frame (bytes, frame header included) read by anyone in this process. */
  readonly maxTransferFrame: number;
  /** Cuts the TCP connection without any AMQP close. */
  drop(c: Connection): void;
  close(): Promise<void>;
}

interface FrameRecord {
  payload?: Buffer;
  performative?: { handle: number; delivery_id?: number; message_format?: number; more?: boolean; aborted?: boolean };
}

interface InProgress {
  link: string;
  id: number;
  format: number;
  hash: Hash;
  size: number;
  frames: number;
  maxPayload: number;
}

// Transfer frame sizes, measured where rhea parses frames (lib/frames.js read_frame).
const frameStats = { maxTransfer: 0 };
{
  const frames = require('rhea/lib/frames.js') as { read_frame(b: Buffer): FrameRecord | null; __peerWrapped?: boolean };
  if (!frames.__peerWrapped) {
    const read = frames.read_frame;
    frames.read_frame = (b: Buffer) => {
      const f = read(b);
      if (f?.payload) frameStats.maxTransfer = Math.max(frameStats.maxTransfer, b.length);
      return f;
    };
    frames.__peerWrapped = true;
  }
}

export async function startPeer(opts: PeerOptions = {}): Promise<Peer> {
  const container = rhea.create_container({ id: 'test-peer' });
  const received: ReceivedDelivery[] = [];
  const waiters: Array<{ match: (r: ReceivedDelivery) => boolean; resolve: (r: ReceivedDelivery) => void }> = [];
  const sockets = new Set<{ destroy(): void }>();
  let decoded: Message | undefined;

  container.on('message', (ctx: EventContext) => {
    decoded = ctx.message;
  });
  // Expected in these tests (drops, closes): keep rhea from printing them.
  container.on('disconnected', () => undefined);
  container.on('error', () => undefined);
  container.on('connection_open', (ctx: EventContext) => {
    const s = (ctx.connection as unknown as { socket: { destroy(): void } }).socket;
    sockets.add(s);
  });
  container.on('session_open', (ctx: EventContext) => {
    const session = ctx.session as unknown as {
      on_transfer(f: FrameRecord): void;
      remote: { handles: Record<number, { name: string; _incomplete?: { format: number } }> };
      connection: Connection & { _register(): void };
    };
    const inner = session.on_transfer;
    const current = new Map<string, InProgress>();
    session.on_transfer = function (frame: FrameRecord) {
      const p = frame.performative!;
      const link = session.remote.handles[p.handle];
      const name = link?.name ?? `handle-${p.handle}`;
      let cur = current.get(name);
      if (!cur) {
        cur = { link: name, id: p.delivery_id ?? -1, format: p.message_format ?? 0, hash: createHash('sha256'), size: 0, frames: 0, maxPayload: 0 };
        current.set(name, cur);
      }
      const payload = frame.payload ?? EMPTY;
      cur.hash.update(payload);
      cur.size += payload.length;
      cur.maxPayload = Math.max(cur.maxPayload, payload.length);
      const final = !p.more || !!p.aborted;
      opts.onTransfer?.({
        link: name,
        deliveryId: cur.id,
        frameIndex: cur.frames,
        payloadLength: payload.length,
        more: !!p.more,
        aborted: !!p.aborted,
        connection: session.connection,
      });
      cur.frames++;
      if (opts.discardPayload || p.aborted) {
        // Have rhea hand over raw (empty) bytes rather than decode a dropped or partial payload.
        if (link?._incomplete) link._incomplete.format = RAW_FORMAT;
        else p.message_format = RAW_FORMAT;
        if (opts.discardPayload) frame.payload = EMPTY;
      }
      decoded = undefined;
      inner.call(this, frame);
      if (final) {
        current.delete(name);
        const r: ReceivedDelivery = {
          link: cur.link,
          id: cur.id,
          format: cur.format,
          size: cur.size,
          sha256: cur.hash.digest('hex'),
          frames: cur.frames,
          maxPayload: cur.maxPayload,
          aborted: !!p.aborted,
          ...(decoded && !opts.discardPayload && !p.aborted && cur.format === 0 ? { message: decoded } : {}),
        };
        received.push(r);
        for (const w of [...waiters]) {
          if (w.match(r)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(r);
          }
        }
      }
      // A broker re-evaluates its session window as frames arrive; rhea's receiver needs a pass for it.
      session.connection._register();
    };
  });

  const server: Server = container.listen({
    port: 0,
    host: '127.0.0.1',
    max_frame_size: opts.maxFrameSize ?? 16 * 1024,
    session_buffer_size: opts.sessionWindow ?? 8,
    ...(opts.maxMessageSize ? { receiver_options: { max_message_size: opts.maxMessageSize } } : {}),
  } as unknown as Parameters<typeof container.listen>[0]) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    received,
    get maxTransferFrame() {
      return frameStats.maxTransfer;
    },
    waitFor(match, timeoutMs = 60_000) {
      const have = received.find(match);
      if (have) return Promise.resolve(have);
      return new Promise((resolve, reject) => {
        const w = {
          match,
          resolve: (r: ReceivedDelivery) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error('peer: expected delivery did not arrive'));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    drop(c: Connection) {
      (c as unknown as { socket: { destroy(): void } }).socket.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
