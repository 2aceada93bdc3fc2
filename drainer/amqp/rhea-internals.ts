/**
 * The parts of rhea 3.0.x that are not in its typings but that streaming a delivery needs. Every
 * field is named after the rhea source line that defines it, and `linkInternals` checks the shape
 * at run time so that a rhea upgrade that moves them fails loudly instead of corrupting transfers.
 *
 *   lib/session.js:136-147  Outgoing: deliveries, next_delivery_id, next_pending_delivery,
 *                           next_transfer_id, window
 *   lib/session.js:161-193  Outgoing.send: the delivery record {id, tag, link, data, format,
 *                           next_to_send, settled, remote_settled, remote_state}
 *   lib/session.js:236-242  Outgoing.transfer_window: frames the peer's session window still allows
 *   lib/session.js:244-304  Outgoing.process: sends d.data[next_to_send ..] while there is link credit
 *                           and transfer window, `more` = more fragments follow, credit is taken
 *                           when the last fragment is out
 *   lib/session.js:452, lib/link.js:229  `observers`: emitters that see every event, handled or not
 *   lib/session.js:487-489  Session.output -> Connection._write_frame -> socket.write (no queueing)
 *   lib/connection.js:753-758  Connection._register: schedules one processing pass (nextTick)
 *   lib/connection.js:365   Connection.socket
 *   lib/connection.js:149-163  max_frame_size: the peer's, from its open frame
 */
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { Delivery, Sender } from 'rhea';
import type { Sender as PromiseSender } from 'rhea-promise';

const require = createRequire(import.meta.url);

export interface SocketLike extends EventEmitter {
  /** Bytes accepted by write() but not yet handed to the kernel (net.Socket, tls.TLSSocket). */
  readonly writableLength?: number;
  /** Above this, write() returns false and a 'drain' event follows once the buffer empties. */
  readonly writableHighWaterMark?: number;
  readonly destroyed?: boolean;
}

export interface OutgoingDelivery {
  readonly id: number;
  readonly tag: Buffer | string;
  readonly link: LinkInternals;
  /** The payload fragments; rhea reads `length` and `[i]` only (session.js:251-261). */
  data: ArrayLike<Buffer>;
  readonly format: number;
  next_to_send: number;
  settled: boolean;
  remote_settled: boolean;
  readonly remote_state?: unknown;
}

export interface OutgoingInternals {
  readonly deliveries: { by_id(id: number): OutgoingDelivery | undefined };
  next_delivery_id: number;
  next_pending_delivery: number;
  next_transfer_id: number;
  window: number;
  transfer_window(): number;
}

export interface SessionInternals {
  readonly outgoing: OutgoingInternals;
  readonly observers: EventEmitter;
  output(performative: object, payload?: Buffer): void;
}

export interface ConnectionInternals {
  readonly socket?: SocketLike;
  readonly max_frame_size?: number;
  _register(): void;
}

export interface LinkInternals {
  readonly session: SessionInternals;
  readonly connection: ConnectionInternals;
  readonly observers: EventEmitter;
  credit: number;
  delivery_count: number;
  readonly local: { handle: number };
  readonly remote: { attach?: { max_message_size?: unknown }; detach?: { error?: unknown } };
  is_open(): boolean;
  is_remote_open(): boolean;
}

interface FramesModule {
  transfer(fields: Record<string, unknown>): object;
}

/** rhea's performative constructors (lib/frames.js:208-222): the same module instance rhea encodes with. */
export const rheaFrames = require('rhea/lib/frames.js') as FramesModule;

/** The rhea link under a rhea-promise Sender (rhea-promise keeps it in `_link`). */
export function rheaSenderOf(sender: PromiseSender): Sender {
  return (sender as unknown as { _link: Sender })._link;
}

/** The internal view of a rhea sender, after checking that rhea still has the shape relied upon. */
export function linkInternals(sender: Sender): LinkInternals {
  const l = sender as unknown as LinkInternals;
  const o = l.session?.outgoing as Partial<OutgoingInternals> | undefined;
  const problems: string[] = [];
  if (typeof l.session?.output !== 'function') problems.push('Session.output');
  if (typeof l.session?.observers?.on !== 'function') problems.push('Session.observers');
  if (typeof l.observers?.on !== 'function') problems.push('Link.observers');
  if (typeof l.connection?._register !== 'function') problems.push('Connection._register');
  if (typeof l.local?.handle !== 'number') problems.push('Link.local.handle');
  if (typeof l.credit !== 'number' || typeof l.delivery_count !== 'number') problems.push('Link.credit/delivery_count');
  if (!o || typeof o.transfer_window !== 'function' || typeof o.deliveries?.by_id !== 'function') problems.push('Outgoing.transfer_window/deliveries');
  for (const f of ['next_delivery_id', 'next_pending_delivery', 'next_transfer_id', 'window'] as const) {
    if (typeof o?.[f] !== 'number') problems.push(`Outgoing.${f}`);
  }
  if (typeof rheaFrames.transfer !== 'function') problems.push('frames.transfer');
  if (problems.length) throw new Error(`rhea internals differ from rhea 3.0.x (missing ${problems.join(', ')}): streaming send is unavailable`);
  return l;
}

export function outgoingDelivery(d: Delivery): OutgoingDelivery {
  const o = d as unknown as OutgoingDelivery;
  if (typeof o.id !== 'number' || typeof o.next_to_send !== 'number' || !o.data || typeof o.data.length !== 'number') {
    throw new Error('rhea delivery record differs from rhea 3.0.x (id/next_to_send/data): streaming send is unavailable');
  }
  return o;
}
