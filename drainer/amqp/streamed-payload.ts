/**
 * The payload of one streamed delivery, as rhea's Outgoing.process sees it: `d.data` becomes a
 * view whose `length` is the delivery's final fragment count (so rhea's own `more` flag, delivery-id,
 * tag, format, settlement and credit handling stay correct) and whose `[i]` hands over fragment i,
 * read from the parts shortly before and forgotten once given. How many fragments rhea may take in
 * a pass is answered by `window()` (see window-hook.ts): at most those already read, at most what
 * the peer's session window allows, and only while the socket's write buffer is below a high-water
 * mark. Reading is one chunk (a whole number of fragments) ahead, so memory holds about two chunks
 * plus the socket's share, whatever the message size.
 *
 * When the payload cannot be produced (file short, zlib stream broken, signal) the delivery is
 * ended with an aborted transfer, written where rhea would have written the next frame, so the
 * peer discards what it got and the session's delivery-ids stay in sequence.
 */
import { DeliveryError, PayloadSourceError } from './delivery-error.js';
import type { PayloadSource } from './payload-source.js';
import { rheaFrames, type LinkInternals, type OutgoingDelivery, type SocketLike } from './rhea-internals.js';
import { unpace, type PacedDelivery } from './window-hook.js';

/** rhea's allowance for a transfer frame's header and performative, tag excluded (session.js:155). */
const TRANSFER_OVERHEAD = 50;
/** The largest frame AMQP allows when the peer sets no limit. */
const UNLIMITED_FRAME = 0xffffffff;
const EMPTY = Buffer.alloc(0);

export interface StreamSettings {
  /** Bytes read per step; rounded down to whole fragments (at least one). */
  chunkSize: number;
  /** No new frames while the socket holds this many unsent bytes. */
  socketHighWater: number;
}

export interface StreamEvents {
  written(): void;
  failed(e: DeliveryError): void;
  socket(s: SocketLike | undefined): void;
}

type State =
  | 'waiting' // queued in rhea behind other deliveries, or without credit yet: nothing read
  | 'streaming'
  | 'written' // every fragment handed to rhea
  | 'abort-pending' // failed: the aborted transfer still has to be written
  | 'retired'; // off rhea's queue

export class StreamedPayload implements PacedDelivery {
  /** What rhea reads as `d.data`. */
  readonly data: ArrayLike<Buffer>;
  private state: State = 'waiting';
  private fragmentSize = 0;
  private fragmentCount = 0;
  private chunkBytes = 0;
  /** Fragments read and not yet taken by rhea; queue[0] is fragment `queueBase`. */
  private queue: Buffer[] = [];
  private queueBase = 0;
  private buffered = 0;
  private produced = 0;
  private reading = false;

  constructor(
    private readonly link: LinkInternals,
    private readonly d: OutgoingDelivery,
    private readonly size: number,
    private readonly source: PayloadSource,
    private readonly settings: StreamSettings,
    private readonly events: StreamEvents,
  ) {
    const self = this;
    this.data = new Proxy(Object.create(null) as ArrayLike<Buffer>, {
      get(_target, prop) {
        // Once failed, claim more fragments follow so that rhea never ends the delivery normally
        // (more = false) with bytes it was not meant to send; the aborted transfer ends it.
        if (prop === 'length') return self.state === 'abort-pending' || self.state === 'retired' ? Number.MAX_SAFE_INTEGER : self.fragmentCount;
        if (typeof prop === 'string') {
          const i = Number(prop);
          if (Number.isInteger(i) && i >= 0) return self.take(i);
        }
        return undefined;
      },
    });
  }

  window(peerWindow: number): number {
    if (this.state === 'waiting') {
      const refused = this.begin();
      if (refused) this.abort(refused);
    }
    if (this.state === 'abort-pending') this.retire(peerWindow);
    if (this.state !== 'streaming') return 0;
    this.pump();
    let n = Math.min(peerWindow, this.queueBase + this.queue.length - this.d.next_to_send);
    const socket = this.link.connection.socket;
    if (typeof socket?.writableLength === 'number') {
      // Never below the socket's own mark: only above it is a 'drain' (which resumes us) sure to come.
      const limit = Math.max(this.settings.socketHighWater, socket.writableHighWaterMark ?? 0);
      n = Math.min(n, Math.ceil((limit - socket.writableLength) / this.fragmentSize));
    }
    return n > 0 ? n : 0;
  }

  /** Fails the delivery: the peer is told to discard it (aborted transfer) as soon as rhea lets us. */
  abort(e: DeliveryError): void {
    if (this.state === 'written' || this.state === 'retired' || this.state === 'abort-pending') return;
    this.state = 'abort-pending';
    this.drop();
    this.events.failed(e);
    // With the link gone there is nothing to write: leave rhea's queue now if at its head.
    if (!this.linkUsable()) this.retire(0);
    this.link.connection._register();
  }

  /** The session or connection is gone: nothing more can be written for this delivery. */
  stop(e: DeliveryError): void {
    if (e.kind === 'disconnected' || e.kind === 'session-closed') {
      if (this.state === 'retired' || this.state === 'written') return;
      this.state = 'retired';
      this.drop();
      unpace(this.d);
    } else {
      this.abort(e);
    }
  }

  /** First call at the head of rhea's queue with credit: the peer's limits are known now. */
  private begin(): DeliveryError | null {
    const conn = this.link.connection;
    this.events.socket(conn.socket);
    const maxFrame = typeof conn.max_frame_size === 'number' ? conn.max_frame_size : UNLIMITED_FRAME;
    const perFrame = maxFrame - (TRANSFER_OVERHEAD + this.d.tag.length);
    this.fragmentSize = Math.max(1, Math.min(this.settings.chunkSize, perFrame));
    this.fragmentCount = Math.ceil(this.size / this.fragmentSize);
    this.chunkBytes = Math.max(1, Math.floor(this.settings.chunkSize / this.fragmentSize)) * this.fragmentSize;
    const limit = Number(this.link.remote.attach?.max_message_size ?? 0);
    if (limit > 0 && this.size > limit) {
      return new DeliveryError('too-large', `message of ${this.size} bytes exceeds the link's max-message-size ${limit}`);
    }
    this.state = 'streaming';
    return null;
  }

  /** rhea writes fragment i now (it asks in order, only for what window() allowed). */
  private take(i: number): Buffer {
    if (this.state !== 'streaming' || i !== this.queueBase || this.queue.length === 0) {
      // Never expected: rhea asked for bytes not offered. Give nothing and make the peer discard it.
      this.abort(new DeliveryError('source', `internal: rhea asked for fragment ${i}, fragments ${this.queueBase}..${this.queueBase + this.queue.length - 1} are ready`));
      return EMPTY;
    }
    const frag = this.queue.shift()!;
    this.queueBase++;
    this.buffered -= frag.length;
    if (i === this.fragmentCount - 1) {
      this.state = 'written';
      unpace(this.d);
      this.events.written();
    } else {
      this.pump();
    }
    return frag;
  }

  /** Keeps one chunk read ahead of what rhea has taken. */
  private pump(): void {
    if (this.reading || this.state !== 'streaming') return;
    if (this.produced >= this.size || this.buffered >= this.chunkBytes) return;
    this.reading = true;
    void this.readAhead().finally(() => {
      this.reading = false;
    });
  }

  private async readAhead(): Promise<void> {
    try {
      while (this.state === 'streaming' && this.produced < this.size && this.buffered < this.chunkBytes) {
        const want = Math.min(this.chunkBytes, this.size - this.produced);
        const chunk = Buffer.allocUnsafe(want);
        const got = await this.source.fill(chunk, 0, want);
        if (this.state !== 'streaming') return;
        if (got < want) throw new PayloadSourceError(`the parts end after ${this.produced + got} bytes, ${this.size} were announced`);
        if (this.produced + got === this.size) {
          // The last fragment goes out only once the parts are known to end here (for zlib: the
          // stream ended and its checksum matched).
          if (await this.source.hasMore()) throw new PayloadSourceError(`the parts hold more than the ${this.size} bytes announced`);
          await this.source.close();
          if (this.state !== 'streaming') return;
        }
        this.produced += got;
        for (let o = 0; o < want; o += this.fragmentSize) this.queue.push(chunk.subarray(o, Math.min(o + this.fragmentSize, want)));
        this.buffered += want;
        this.link.connection._register();
      }
    } catch (e) {
      this.abort(new DeliveryError('source', `payload could not be read: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
    }
  }

  /**
   * Takes the delivery off rhea's queue (only possible at its head): with the link still attached,
   * an aborted transfer closes it on the wire and takes the credit a finished delivery would have.
   */
  private retire(peerWindow: number): void {
    if (this.state === 'retired') return;
    const o = this.link.session.outgoing;
    const l = this.link;
    if (o.next_pending_delivery !== this.d.id) return; // not at the head: window() will come back
    if (this.linkUsable()) {
      if (!(peerWindow > 0) || l.credit <= 0) return; // wait for the peer's window / credit
      l.session.output(
        rheaFrames.transfer({
          handle: l.local.handle,
          delivery_id: this.d.id,
          delivery_tag: this.d.tag,
          message_format: this.d.format,
          settled: true,
          more: false,
          aborted: true,
        }),
      );
      o.next_transfer_id++;
      o.window--;
      l.credit--;
      l.delivery_count++;
    }
    o.next_pending_delivery++;
    this.d.settled = true;
    this.d.remote_settled = true;
    this.state = 'retired';
    unpace(this.d);
    // Let rhea go on with the deliveries queued behind this one.
    l.connection._register();
  }

  private linkUsable(): boolean {
    const socket = this.link.connection.socket;
    return this.link.is_open() && this.link.is_remote_open() && !!socket && !socket.destroyed;
  }

  private drop(): void {
    this.queue = [];
    this.buffered = 0;
    void this.source.close();
  }
}
