/**
 * Moves one queue's messages over one sender link, in delivery order: a bounded window of
 * unsettled deliveries, credit respected, every outcome handled — accepted is recorded as
 * confirmed (restart state), released/modified is sent again, rejected is reported with the
 * broker's error. Messages already confirmed by an earlier run are skipped. Which entries it sends
 * is its EntryPlan's: by default the pending ones; the in-doubt policy (drainer/prepared/) decides
 * for messages of prepared XA transactions. In-doubt entries are counted either way.
 */
import type { Logger } from 'pino';
import type { Connection, EventContext, Sender } from 'rhea-promise';
import { ConnectionEvents, SenderEvents } from 'rhea-promise';
import type { ArtemisDataDirectory, QueueEntry } from '../../journal/data-directory.js';
import type { QueueInfo } from '../../journal/bindings/topology.js';
import { toOutgoing } from '../convert/to-outgoing.js';
import { isMessageFailure, sendOutgoing } from './send-outgoing.js';
import { closeWithin } from '../target/bounded.js';
import type { DrainState } from './state-file.js';
import type { DrainProgress } from './progress.js';
import type { OutgoingMessage } from '../convert/outgoing.js';

/**
 * Which of the queue's entries this drainer sends, with which delivery count, and how: the plain
 * drain sends the pending ones as they are; the in-doubt policies (drainer/prepared/) add entries
 * of prepared transactions, or send them elsewhere wrapped (parking).
 */
export interface EntryPlan {
  /** Key of this drainer's progress in the state file. */
  stateKey: string;
  /** Name in progress lines (default: the queue's). */
  label?: string;
  /** null: not sent by this drainer. */
  select(entry: QueueEntry): { deliveryCount: number } | null;
  wrap?(out: OutgoingMessage, entry: QueueEntry): OutgoingMessage;
}

/** Pending entries as recorded; in-doubt ones are counted, not sent. */
export function pendingOnly(queue: QueueInfo): EntryPlan {
  return { stateKey: queue.name, select: (e) => (e.state === 'pending' ? { deliveryCount: e.deliveryCount } : null) };
}

export interface LinkTarget {
  address: string;
  capabilities: string[];
  /** Terminus durability: generic brokers (RabbitMQ) declare a durable queue for durable = 2. */
  durable?: number;
}

export interface QueueCounts {
  /** Pending messages in the journal for this queue (what must be confirmed). */
  pending: number;
  confirmed: number;
  inDoubt: number;
  unreadable: number;
  rejected: Array<{ messageId: string; error: string }>;
}

/** After this many released/modified outcomes for one message, it counts as rejected. */
const MAX_RETRIES = 20;
/**
 * Some brokers reset the connection on content they do not support. When a pass dies, the
 * messages then in flight become suspects and are sent one at a time; a suspect alone in flight
 * when the connection drops again is struck, and after this many strikes it is reported as refused
 * by the target instead of being retried forever.
 */
const MAX_CONNECTION_STRIKES = 2;

export class QueueDrainer {
  readonly counts: QueueCounts;
  /** position -> passes that failed while it was alone in flight. */
  private readonly strikes = new Map<number, number>();
  /** Positions in flight when a pass failed: sent one at a time until settled. */
  private readonly suspects = new Set<number>();

  constructor(
    private readonly data: ArtemisDataDirectory,
    readonly queue: QueueInfo,
    pending: number,
    private readonly state: DrainState,
    private readonly sourceNodeId: string,
    private readonly window: number,
    private readonly progress: DrainProgress,
    private readonly log: Logger,
    private readonly plan: EntryPlan = pendingOnly(queue),
  ) {
    this.counts = { pending, confirmed: state.confirmedCount(plan.stateKey), inDoubt: 0, unreadable: 0, rejected: [] };
  }

  /** A pass failed: isolate what was in flight, or strike the one message that was. */
  private afterFailedPass(inflight: Map<object, { position: number; entry: QueueEntry }>): void {
    const flying = [...inflight.values()];
    if (flying.length === 1 && this.suspects.has(flying[0]!.position)) {
      const { position, entry } = flying[0]!;
      const n = (this.strikes.get(position) ?? 0) + 1;
      this.strikes.set(position, n);
      if (n >= MAX_CONNECTION_STRIKES) {
        this.suspects.delete(position);
        const error = `the target dropped the connection ${n} times on this message alone: it cannot accept it`;
        this.counts.rejected.push({ messageId: entry.messageId.toString(), error });
        this.log.error({ queue: this.queue.name, messageId: entry.messageId.toString() }, error);
      }
      return;
    }
    for (const f of flying) this.suspects.add(f.position);
  }

  get done(): boolean {
    return this.counts.confirmed + this.counts.unreadable + this.counts.rejected.length >= this.counts.pending;
  }

  /**
   * One pass over the queue on `connection`. Resolves when every message is settled; rejects when
   * the link or connection fails (the caller reconnects and calls run() again: confirmed messages
   * are skipped, the in-flight tail is sent again).
   */
  async run(connection: Connection, target: LinkTarget, signal: AbortSignal): Promise<void> {
    // Counted afresh on every pass (a pass after a reconnect sees them again).
    this.counts.inDoubt = 0;
    this.counts.unreadable = 0;
    const sender = await connection.createSender({
      target: { address: target.address, capabilities: target.capabilities, ...(target.durable !== undefined ? { durable: target.durable } : {}) },
      name: `drain-${this.queue.name}-${Date.now()}`,
    });
    const inflight = new Map<object, { position: number; entry: QueueEntry; attempts: number }>();
    const retries: Array<{ position: number; entry: QueueEntry; attempts: number }> = [];
    let failure: Error | null = null;
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const settled = (ctx: EventContext, outcome: 'accepted' | 'rejected' | 'released' | 'modified') => {
      const d = ctx.delivery;
      const f = d ? inflight.get(d) : undefined;
      if (!d || !f) return;
      inflight.delete(d);
      if (outcome === 'accepted') {
        this.state.confirm(this.plan.stateKey, f.position);
        this.counts.confirmed++;
        this.progress.confirmed(this.plan.label ?? this.queue.name, 1);
      } else if (outcome === 'rejected') {
        const err = (d.remote_state as { error?: { condition?: string; description?: string } } | undefined)?.error;
        const text = [err?.condition, err?.description].filter(Boolean).join(': ') || 'rejected';
        this.counts.rejected.push({ messageId: f.entry.messageId.toString(), error: text });
        this.log.error({ queue: this.queue.name, messageId: f.entry.messageId.toString(), error: text }, 'the target rejected a message');
      } else if (f.attempts + 1 >= MAX_RETRIES) {
        this.counts.rejected.push({ messageId: f.entry.messageId.toString(), error: `${outcome} ${MAX_RETRIES} times` });
      } else {
        retries.push({ ...f, attempts: f.attempts + 1 });
      }
      this.state.flush();
      notify();
    };
    const on = (ev: SenderEvents, outcome: 'accepted' | 'rejected' | 'released' | 'modified') => sender.on(ev, (ctx: EventContext) => settled(ctx, outcome));
    on(SenderEvents.accepted, 'accepted');
    on(SenderEvents.rejected, 'rejected');
    on(SenderEvents.released, 'released');
    on(SenderEvents.modified, 'modified');
    sender.on(SenderEvents.sendable, notify);
    const fail = (e: unknown) => {
      failure ??= e instanceof Error ? e : new Error(String((e as { message?: string })?.message ?? e));
      notify();
    };
    sender.on(SenderEvents.senderError, (ctx: EventContext) => fail(ctx.sender?.error ?? new Error('sender link failed')));
    sender.on(SenderEvents.senderClose, () => fail(new Error('sender link closed by the target')));
    signal.addEventListener('abort', notify);

    // A lost connection does not always reach the link as an event: watch the connection too.
    const onDisconnect = () => fail(new Error('connection to the target lost'));
    connection.on(ConnectionEvents.disconnected, onDisconnect);
    /** Until the next settlement, credit or failure (the timer guards against a missed event). */
    const nextEvent = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000);
      });
    /** Waits for room in the window and credit on the link. */
    const room = async (): Promise<void> => {
      while (!failure && !signal.aborted && (inflight.size >= this.window || !sender.sendable())) {
        if (!connection.isOpen()) fail(new Error('connection to the target lost'));
        else await nextEvent();
      }
      if (failure) throw failure;
    };
    const send = async (position: number, entry: QueueEntry, attempts: number): Promise<void> => {
      const msg = entry.load();
      if (!msg) {
        this.counts.unreadable++;
        return;
      }
      const deliveryCount = this.plan.select(entry)?.deliveryCount ?? entry.deliveryCount;
      let out = await toOutgoing(msg, {
        sourceNodeId: this.sourceNodeId,
        queue: this.queue.name,
        address: this.queue.address,
        routingType: this.queue.routingType,
        deliveryCount,
        scheduledTime: entry.scheduledTime,
        now: Date.now(),
      });
      if (this.plan.wrap) out = this.plan.wrap(out, entry);
      const suspect = this.suspects.has(position);
      if (suspect) while (inflight.size > 0 && !failure) await nextEvent();
      await room();
      const { delivery, done } = sendOutgoing(sender, out);
      inflight.set(delivery, { position, entry, attempts });
      this.progress.sent(this.plan.label ?? this.queue.name, 1);
      // A delivery that cannot be completed gets no outcome event: account for it here.
      done.catch((e: unknown) => {
        if (!inflight.has(delivery)) return;
        if (isMessageFailure(e)) {
          inflight.delete(delivery);
          this.counts.unreadable++;
          this.log.error({ queue: this.queue.name, messageId: entry.messageId.toString(), error: (e as Error).message }, 'message could not be sent');
          notify();
        } else {
          fail(e); // stays in flight: the failed pass's bookkeeping needs to see it
        }
      });
      if (suspect) {
        while (inflight.has(delivery) && !failure && !signal.aborted) await nextEvent();
        if (failure) throw failure;
        this.suspects.delete(position);
      }
    };

    try {
      let position = -1;
      for await (const entry of this.data.entries(this.queue)) {
        position++;
        if (signal.aborted) break;
        if (entry.state !== 'pending') this.counts.inDoubt++;
        if (!this.plan.select(entry)) continue;
        if (this.state.isConfirmed(this.plan.stateKey, position)) continue;
        if ((this.strikes.get(position) ?? 0) >= MAX_CONNECTION_STRIKES) continue; // reported already
        await send(position, entry, 0);
      }
      // Drain the window, sending again what was released or modified.
      while (!signal.aborted && (inflight.size > 0 || retries.length > 0)) {
        const r = retries.shift();
        if (r) await send(r.position, r.entry, r.attempts);
        else if (!connection.isOpen()) fail(new Error('connection to the target lost'));
        else await nextEvent();
        if (failure) throw failure;
      }
    } catch (e) {
      this.afterFailedPass(inflight);
      throw e;
    } finally {
      this.state.flush(true);
      signal.removeEventListener('abort', notify);
      connection.removeListener(ConnectionEvents.disconnected, onDisconnect);
      if (connection.isOpen()) await closeWithin(() => sender.close());
    }
  }
}
