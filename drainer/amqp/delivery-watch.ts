/**
 * Turns what happens to one outgoing rhea delivery into promises: `written` once its last frame has
 * gone to the socket, `done` once the peer has given an outcome (or at once when it was sent
 * pre-settled). Both reject with a DeliveryError when the link, session or connection goes away
 * first, or when the caller's signal aborts. It listens on rhea's `observers` emitters (see
 * rhea-internals.ts), which see every event without stealing it from the application's handlers,
 * through shared listeners so that any number of deliveries in flight add none per delivery.
 */
import type { EventEmitter } from 'node:events';
import type { Delivery } from 'rhea';
import { DeliveryError } from './delivery-error.js';
import type { LinkInternals, OutgoingDelivery, SocketLike } from './rhea-internals.js';
import { sharedListener } from './shared-listener.js';

export type OutcomeKind = 'accepted' | 'rejected' | 'released' | 'modified' | 'settled' | 'presettled';

export interface SendOutcome {
  /**
   * The peer's terminal outcome; `settled` = settled by the peer without a terminal outcome;
   * `presettled` = sent settled (snd-settle-mode settled): no outcome will ever come.
   */
  kind: OutcomeKind;
  delivery: Delivery;
  /** The peer's delivery state as rhea decoded it (rejected: `.error`; modified: its fields). */
  state: unknown;
}

const OUTCOME_EVENTS = ['accepted', 'rejected', 'released', 'modified', 'settled'] as const;
const TERMINAL = new Set<string>(['accepted', 'rejected', 'released', 'modified']);

export interface WatchHooks {
  signal?: AbortSignal;
  /** The connection's socket drained (used to resume frames held back for it). */
  onDrain?(): void;
  /** The delivery failed (called once, after `done` rejected). */
  onFail?(e: DeliveryError): void;
}

export class DeliveryWatch {
  readonly done: Promise<SendOutcome>;
  readonly written: Promise<void>;
  private resolveDone!: (o: SendOutcome) => void;
  private rejectDone!: (e: Error) => void;
  private resolveWritten!: () => void;
  private rejectWritten!: (e: Error) => void;
  private finished = false;
  private isWritten = false;
  private outcome: SendOutcome | null = null;
  private socket: SocketLike | undefined;
  private readonly disposers: Array<() => void> = [];

  constructor(
    private readonly link: LinkInternals,
    private readonly d: OutgoingDelivery,
    private readonly hooks: WatchHooks = {},
  ) {
    this.done = new Promise((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    this.written = new Promise((res, rej) => {
      this.resolveWritten = res;
      this.rejectWritten = rej;
    });
    // Callers may follow the delivery through link events and never await these.
    this.done.catch(() => undefined);
    this.written.catch(() => undefined);
  }

  /** Starts listening; may fail the delivery at once (signal already aborted, socket already gone). */
  start(): void {
    const byDelivery = linkRegistry(this.link);
    byDelivery.set(this.d, this);
    this.disposers.push(() => byDelivery.delete(this.d));
    this.disposers.push(
      sharedListener(this.link.observers, 'sender_close', () =>
        this.fail(new DeliveryError('link-closed', `the peer closed the link${describe(this.link.remote.detach?.error)} before the delivery was settled`)),
      ),
      sharedListener(this.link.session.observers, 'session_close', () =>
        this.fail(new DeliveryError('session-closed', 'the peer ended the session before the delivery was settled')),
      ),
    );
    const signal = this.hooks.signal;
    if (signal) {
      const onAbort = () => this.fail(new DeliveryError('cancelled', 'send cancelled', { cause: signal.reason }));
      if (signal.aborted) {
        onAbort();
        return;
      }
      this.disposers.push(sharedListener(signal, 'abort', onAbort));
    }
    this.watchSocket(this.link.connection.socket);
  }

  /** Watches the connection's socket (called again once the connection has one). */
  watchSocket(socket: SocketLike | undefined): void {
    if (!socket || this.socket || this.finished) return;
    this.socket = socket;
    if (socket.destroyed) {
      this.fail(new DeliveryError('disconnected', 'the connection is closed'));
      return;
    }
    this.disposers.push(
      sharedListener(socket, 'close', () => this.fail(new DeliveryError('disconnected', 'the connection dropped before the delivery was settled'))),
    );
    const onDrain = this.hooks.onDrain;
    if (onDrain) this.disposers.push(sharedListener(socket, 'drain', onDrain));
  }

  /** The last frame has been handed to the socket. */
  markWritten(): void {
    if (this.isWritten || this.finished) return;
    this.isWritten = true;
    this.resolveWritten();
    if (this.d.settled) this.finish({ kind: 'presettled', delivery: this.d as unknown as Delivery, state: undefined });
    else if (this.outcome) this.finish(this.outcome);
  }

  fail(e: DeliveryError): void {
    if (this.finished) return;
    this.finished = true;
    this.dispose();
    if (!this.isWritten) this.rejectWritten(e);
    this.rejectDone(e);
    this.hooks.onFail?.(e);
  }

  /** The peer sent a disposition for this delivery. */
  noteOutcome(): void {
    if (this.outcome || this.finished) return;
    const state = this.d.remote_state as { constructor?: { composite_type?: string } } | undefined;
    const kind = state?.constructor?.composite_type;
    if (kind && TERMINAL.has(kind)) this.outcome = { kind: kind as OutcomeKind, delivery: this.d as unknown as Delivery, state };
    else if (this.d.remote_settled) this.outcome = { kind: 'settled', delivery: this.d as unknown as Delivery, state };
    else return;
    // A peer may settle before the last frame (it gave up on the message): wait for the frames anyway.
    if (this.isWritten) this.finish(this.outcome);
  }

  private finish(o: SendOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.dispose();
    this.resolveDone(o);
  }

  private dispose(): void {
    for (const f of this.disposers.splice(0)) f();
  }
}

const registries = new WeakMap<EventEmitter, Map<unknown, DeliveryWatch>>();

/**
 * The watches of one link's deliveries, reached from rhea's outcome events (whose context carries
 * the delivery) by one listener per event for the life of the link.
 */
function linkRegistry(link: LinkInternals): Map<unknown, DeliveryWatch> {
  let byDelivery = registries.get(link.observers);
  if (!byDelivery) {
    const map = new Map<unknown, DeliveryWatch>();
    const route = (ctx?: { delivery?: unknown }) => map.get(ctx?.delivery)?.noteOutcome();
    for (const ev of OUTCOME_EVENTS) link.observers.on(ev, route);
    registries.set(link.observers, (byDelivery = map));
  }
  return byDelivery;
}

function describe(error: unknown): string {
  if (!error || typeof error !== 'object') return '';
  const e = error as { condition?: unknown; description?: unknown };
  const parts = [e.condition, e.description].filter((x) => x !== undefined && x !== null).map(String);
  return parts.length ? ` (${parts.join(': ')})` : '';
}
