/**
 * Delivering stored messages to consumer links, so a client can read messages back as from Artemis:
 * priority order (higher first, FIFO within a priority), scheduled messages held until their time,
 * expired ones dropped, unsettled ones returned to the queue when their consumer goes away.
 */
import rhea from 'rhea';
import type { Delivery, Sender } from 'rhea';
import type { BrokerState } from './broker-state.js';
import type { MessageRef, QueueInfo } from './model.js';
import { isScheduled } from './model.js';
import { newReader } from './rhea-internals.js';

export interface Consumer {
  sender: Sender;
  queue: string;
  /** The client asked for pre-settled deliveries (snd-settle-mode settled): acknowledged on send. */
  presettled: boolean;
  inFlight: Map<Delivery, MessageRef>;
  /** The queue was created for this link (dynamic or subscription) and goes with it. */
  ownsQueue: boolean;
}

export class Dispatcher {
  private readonly byQueue = new Map<string, Consumer[]>();
  private readonly wakeups = new Map<string, NodeJS.Timeout>();
  /** While the broker is going down nothing is dispatched (consumers are being cut one by one). */
  paused = false;

  constructor(private readonly state: BrokerState) {
    state.onEnqueue = (q) => this.pump(q.name);
  }

  add(sender: Sender, queue: QueueInfo, opts: { presettled: boolean; ownsQueue: boolean }): Consumer {
    const c: Consumer = { sender, queue: queue.name, presettled: opts.presettled, inFlight: new Map(), ownsQueue: opts.ownsQueue };
    const list = this.byQueue.get(queue.name) ?? [];
    list.push(c);
    this.byQueue.set(queue.name, list);
    sender.on('sendable', () => this.pump(c.queue));
    sender.on('accepted', (ctx) => this.settle(c, ctx.delivery!, 'ack'));
    sender.on('released', (ctx) => this.settle(c, ctx.delivery!, 'return'));
    sender.on('modified', (ctx) => {
      const failed = (ctx.delivery!.remote_state as { delivery_failed?: boolean } | undefined)?.delivery_failed === true;
      this.settle(c, ctx.delivery!, failed ? 'return-failed' : 'return');
    });
    sender.on('rejected', (ctx) => this.settle(c, ctx.delivery!, 'dead-letter', ctx.delivery!.remote_state));
    // Settled without an outcome: taken as consumed.
    sender.on('settled', (ctx) => this.settle(c, ctx.delivery!, 'ack'));
    return c;
  }

  consumerCount(queue: string): number {
    return this.byQueue.get(queue)?.length ?? 0;
  }

  /**
   * The consumer's link or connection is gone: unsettled deliveries go back. A lost connection
   * counts as a failed attempt; a clean detach does not (Artemis takes back the count it added when
   * it delivered, as for a release).
   */
  remove(c: Consumer, clean = false): void {
    const list = this.byQueue.get(c.queue);
    if (list) {
      const i = list.indexOf(c);
      if (i >= 0) list.splice(i, 1);
      if (!list.length) this.byQueue.delete(c.queue);
    }
    for (const ref of c.inFlight.values()) {
      ref.inDelivery = false;
      if (!clean) ref.deliveryCount++;
    }
    c.inFlight.clear();
    if (c.ownsQueue && this.state.queues.has(c.queue)) this.state.destroyQueue(c.queue);
    else this.pump(c.queue);
  }

  /** Forget every consumer (the broker went down); in-delivery references are reset by BrokerState.restart. */
  reset(): void {
    this.paused = false;
    this.byQueue.clear();
    for (const t of this.wakeups.values()) clearTimeout(t);
    this.wakeups.clear();
  }

  private settle(c: Consumer, d: Delivery, how: 'ack' | 'return' | 'return-failed' | 'dead-letter', error?: unknown): void {
    const ref = c.inFlight.get(d);
    if (!ref) return;
    c.inFlight.delete(d);
    ref.inDelivery = false;
    if (how === 'ack') {
      this.state.acknowledge(ref);
    } else if (how === 'dead-letter') {
      this.state.acknowledge(ref);
      this.state.deadLetters.push({ queue: ref.queue.name, message: ref.message, error });
    } else {
      if (how === 'return-failed') ref.deliveryCount++;
      this.pump(c.queue);
    }
  }

  pump(queueName: string): void {
    const q = this.state.queues.get(queueName);
    const list = this.byQueue.get(queueName);
    if (this.paused || !q || !list?.length) return;
    const now = Date.now();
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const c of list) {
        if (!c.sender.is_open() || !c.sender.sendable()) continue;
        const ref = this.nextDeliverable(q, now);
        if (!ref) break;
        this.deliver(c, ref);
        progressed = true;
      }
    }
    this.scheduleWakeup(q, now);
  }

  private nextDeliverable(q: QueueInfo, now: number): MessageRef | undefined {
    let best: MessageRef | undefined;
    let expired: MessageRef[] | undefined;
    for (const ref of q.refs) {
      if (ref.inDelivery || isScheduled(ref.message, now)) continue;
      if (ref.message.expiration !== undefined && ref.message.expiration <= now) {
        (expired ??= []).push(ref);
        continue;
      }
      if (!best || ref.message.priority > best.message.priority) best = ref;
    }
    if (expired) {
      q.refs = q.refs.filter((r) => !expired!.includes(r));
      for (const ref of expired) {
        this.state.dropped.push({ reason: 'expired', address: ref.message.address, queue: q.name, dupId: ref.message.dupId, raw: ref.message.raw, at: now });
      }
    }
    return best;
  }

  private deliver(c: Consumer, ref: MessageRef): void {
    ref.inDelivery = true;
    // First delivery: the bytes as received. Redelivery: the header re-encoded with the delivery count.
    const payload = ref.deliveryCount > 0 ? withDeliveryCount(ref) : ref.message.raw;
    const d = c.sender.send(payload, undefined, ref.message.format);
    if (c.presettled) {
      ref.inDelivery = false;
      this.state.acknowledge(ref);
    } else {
      c.inFlight.set(d, ref);
    }
  }

  private scheduleWakeup(q: QueueInfo, now: number): void {
    const old = this.wakeups.get(q.name);
    if (old) clearTimeout(old);
    this.wakeups.delete(q.name);
    let earliest: number | undefined;
    for (const ref of q.refs) {
      const t = ref.message.scheduledTime;
      if (t !== undefined && t > now && (earliest === undefined || t < earliest)) earliest = t;
    }
    if (earliest === undefined) return;
    const timer = setTimeout(() => {
      this.wakeups.delete(q.name);
      this.pump(q.name);
    }, earliest - now + 1);
    timer.unref();
    this.wakeups.set(q.name, timer);
  }
}

/** The stored bytes with the header section replaced by one carrying delivery-count = ref.deliveryCount. */
function withDeliveryCount(ref: MessageRef): Buffer {
  const raw = ref.message.raw;
  const decoded = ref.message.message;
  if (!decoded) return raw;
  const headerOnly = rhea.message.encode({
    durable: decoded.durable,
    priority: decoded.priority,
    ttl: decoded.ttl,
    first_acquirer: decoded.first_acquirer,
    delivery_count: ref.deliveryCount,
  });
  const hr = newReader(headerOnly);
  hr.read();
  const header = headerOnly.subarray(0, hr.position);
  const rr = newReader(raw);
  const first = rr.read();
  const firstIsHeader = first.descriptor?.value === 0x70 || first.descriptor?.value === 'amqp:header:list';
  return Buffer.concat([header, firstIsHeader ? raw.subarray(rr.position) : raw]);
}
