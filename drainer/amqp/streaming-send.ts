/**
 * Sends one OutgoingMessage as ONE AMQP delivery while holding only a bounded part of it in memory.
 *
 * Small messages whose parts are all in memory go through rhea's `sender.send(payload, tag,
 * format)` unchanged. Everything else becomes a rhea delivery created by that same call with an
 * empty placeholder payload, whose fragments are then supplied on demand (streamed-payload.ts):
 * rhea keeps doing what it already does for multi-frame deliveries — delivery-id, tag, format,
 * `more`, settle mode, link credit, the peer's session window, dispositions and events — while the
 * bytes come from disk one chunk at a time and only as fast as the socket takes them.
 *
 * The call is synchronous and returns the rhea Delivery at once, so callers can follow it through
 * the usual link events (accepted/rejected/released/modified/settled carry this same object), plus
 * two promises that also report what events cannot: the payload could not be read (the delivery is
 * then aborted on the wire), or the link/session/connection went away mid-delivery.
 *
 * Deliveries of one session are written in order (rhea's Outgoing queue): a streamed delivery
 * delays later ones of the same session until its last frame is out, and never blocks other
 * sessions. Give each sender its own session (rhea-promise's createSender does) for interleaving.
 */
import type { Delivery, Sender } from 'rhea';
import type { OutgoingMessage } from '../convert/outgoing.js';
import { DeliveryError, PayloadSourceError } from './delivery-error.js';
import { DeliveryWatch, type SendOutcome } from './delivery-watch.js';
import { PayloadSource } from './payload-source.js';
import { linkInternals, outgoingDelivery, type OutgoingDelivery } from './rhea-internals.js';
import { StreamedPayload } from './streamed-payload.js';
import { pace } from './window-hook.js';

export type { SendOutcome, OutcomeKind } from './delivery-watch.js';

/** Bytes read from disk per step (rounded down to whole transfer frames). */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
/** All-in-memory payloads up to this size are handed to rhea whole. */
export const DEFAULT_IN_MEMORY_THRESHOLD = 1024 * 1024;

export interface StreamingSendOptions {
  /** Bytes read per step, default 1 MiB. Also caps a transfer frame's payload. */
  chunkSize?: number;
  /** All-buffer payloads up to this many bytes use plain `sender.send`, default 1 MiB. */
  inMemoryThreshold?: number;
  /** No new frames while the socket holds this many unsent bytes, default = chunkSize. */
  socketHighWater?: number;
  /** Delivery tag; default rhea's next tag for the link. */
  tag?: Buffer;
  /**
   * Rejects `done` with kind 'cancelled'. A streamed delivery not yet fully written is also ended
   * on the wire (aborted transfer); a small one, handed to rhea whole, may still go out.
   */
  signal?: AbortSignal;
}

export interface StreamingSend {
  /** The rhea delivery; its link events fire as for any other send. */
  readonly delivery: Delivery;
  /**
   * The peer's outcome once the last frame is out ('presettled' for pre-settled links). Rejects
   * with DeliveryError: the payload could not be produced ('source', the peer was told to discard
   * it), the peer's max-message-size is smaller ('too-large'), the link, session or connection went
   * away first, or the signal aborted ('cancelled').
   */
  readonly done: Promise<SendOutcome>;
  /** Resolves when the last frame has been handed to the socket; rejects as `done`. */
  readonly written: Promise<void>;
  /** False when the payload went through `sender.send` whole. */
  readonly streamed: boolean;
}

/**
 * Puts `msg` on `sender` as one delivery. Throws (before anything is queued) when the message
 * is inconsistent (parts vs size), when the signal has already aborted, when the link's max-message-size is already known to be too
 * small, or when rhea's internals are not those of rhea 3.0.x.
 */
export function sendStreaming(sender: Sender, msg: OutgoingMessage, opts: StreamingSendOptions = {}): StreamingSend {
  checkMessage(msg);
  if (opts.signal?.aborted) throw new DeliveryError('cancelled', 'send cancelled', { cause: opts.signal.reason });
  const chunkSize = positive(opts.chunkSize ?? DEFAULT_CHUNK_SIZE, 'chunkSize');
  const socketHighWater = positive(opts.socketHighWater ?? chunkSize, 'socketHighWater');
  const threshold = opts.inMemoryThreshold ?? DEFAULT_IN_MEMORY_THRESHOLD;
  const link = linkInternals(sender);
  const limit = Number(link.remote.attach?.max_message_size ?? 0);
  if (limit > 0 && msg.size > limit) {
    throw new DeliveryError('too-large', `message of ${msg.size} bytes exceeds the link's max-message-size ${limit}`);
  }

  if (msg.size <= threshold && msg.parts.every((p) => p.kind === 'buffer')) {
    const payload = msg.parts.length === 1 ? msg.parts[0]!.data : Buffer.concat(msg.parts.map((p) => (p as { data: Buffer }).data), msg.size);
    const delivery = sender.send(payload, opts.tag, msg.format);
    const d = outgoingDelivery(delivery);
    const watch = new DeliveryWatch(link, d, { signal: opts.signal });
    onLastFragment(d, () => watch.markWritten());
    watch.start();
    return { delivery, done: watch.done, written: watch.written, streamed: false };
  }

  const delivery = sender.send(Buffer.alloc(0), opts.tag, msg.format);
  const d = outgoingDelivery(delivery);
  let payload: StreamedPayload | undefined;
  const watch = new DeliveryWatch(link, d, {
    signal: opts.signal,
    onDrain: () => link.connection._register(),
    onFail: (e) => payload?.stop(e),
  });
  payload = new StreamedPayload(link, d, msg.size, new PayloadSource(msg.parts), { chunkSize, socketHighWater }, {
    written: () => watch.markWritten(),
    failed: (e) => watch.fail(e),
    socket: (s) => watch.watchSocket(s),
  });
  d.data = payload.data;
  pace(link.session.outgoing, d, payload);
  watch.start();
  return { delivery, done: watch.done, written: watch.written, streamed: true };
}

/** Parts and size must agree; a zlib part's inflated length is only known to `size`. */
function checkMessage(msg: OutgoingMessage): void {
  if (!Number.isSafeInteger(msg.size) || msg.size <= 0) throw new PayloadSourceError(`message size ${msg.size} is not a positive integer`);
  if (msg.parts.length === 0) throw new PayloadSourceError('message has no parts');
  let known = 0;
  let zlib = false;
  for (const p of msg.parts) {
    if (p.kind === 'buffer') {
      known += p.data.length;
      continue;
    }
    if (!Number.isSafeInteger(p.offset) || p.offset < 0 || !Number.isSafeInteger(p.length) || p.length < 0) {
      throw new PayloadSourceError(`${p.displayPath}: bad region offset ${p.offset} length ${p.length}`);
    }
    if (p.zlib) zlib = true;
    else known += p.length;
  }
  if (zlib ? known > msg.size : known !== msg.size) {
    throw new PayloadSourceError(`message size ${msg.size} disagrees with its parts (${known} bytes${zlib ? ' besides the compressed ones' : ''})`);
  }
}

function positive(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${n}`);
  return n;
}

/** Calls `f` when rhea reads the last fragment of an ordinary delivery, i.e. writes its last frame. */
function onLastFragment(d: OutgoingDelivery, f: () => void): void {
  const fragments = d.data as Buffer[];
  const last = String(fragments.length - 1);
  d.data = new Proxy(fragments, {
    get(target, prop, receiver) {
      if (prop === last) f();
      return Reflect.get(target, prop, receiver);
    },
  });
}
