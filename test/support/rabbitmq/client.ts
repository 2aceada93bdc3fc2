/**
 * Small rhea helpers for tests against the RabbitMQ AMQP 1.0 plugin (see broker.ts).
 *
 * RabbitMQ 3.10 address rules these helpers follow:
 *  - senders target `/queue/<q>` with a durable terminus: the plugin declares a durable queue;
 *  - receivers read `/amq/queue/<q>` (existing queue, nothing declared). A receiver on `/queue/<q>`
 *    without a durable terminus re-declares the queue non-durable, which fails with
 *    PRECONDITION_FAILED and takes the whole session down — so every terminus here is durable.
 *  - no transactions, no anonymous relay (a null target kills the session);
 *  - 3.10.8 kills the connection on a message carrying delivery-annotations or a footer
 *    ("unexpected_trailing_sections"), and the session on a drain against an empty classic queue;
 *  - the header comes back re-encoded: delivery-count dropped, first-acquirer true; everything
 *    after the header comes back byte for byte.
 */
import rhea from 'rhea';
import type { Connection, EventContext, Message, Receiver, Sender } from 'rhea';
import { queueDepth } from './queue-depth.js';

export type { Message } from 'rhea';

/**
 * The encoded sections a received message was decoded from. rhea decodes incoming messages into
 * plain JS values, losing the AMQP types (int vs long, symbol vs string…), and keeps no bytes; so
 * its decoder is wrapped once, process-wide, to remember them in a non-enumerable property (deep
 * comparisons of messages are unaffected). Only for tests.
 */
export function rawOf(message: Message): Buffer | undefined {
  return (message as unknown as Record<symbol, Buffer | undefined>)[RAW];
}
const RAW = Symbol.for('artemis-drainer.test.rawAmqp');
{
  const m = rhea.message as unknown as { decode(b: Buffer): Message; [RAW]?: true };
  if (!m[RAW]) {
    const decode = m.decode.bind(m);
    m.decode = (buf: Buffer): Message => {
      const msg = decode(buf);
      Object.defineProperty(msg, RAW, { value: Buffer.from(buf), enumerable: false });
      return msg;
    };
    m[RAW] = true;
  }
}

/** A durable terminus (durable = 2, "unsettled-state"): what keeps RabbitMQ from redeclaring. */
const DURABLE = 2;

export interface ConnectOptions {
  /** Give up after this long (default 5 s). */
  timeoutMs?: number;
  /** SASL PLAIN credentials; without them no SASL is done and the plugin's default_user applies. */
  username?: string;
  password?: string;
}

/** Opens one AMQP 1.0 connection (own rhea container, no reconnect). Resolves once the open frame came back. */
export function openConnection(url: string, opts: ConnectOptions = {}): Promise<Connection> {
  const u = new URL(url);
  const username = opts.username ?? (u.username ? decodeURIComponent(u.username) : undefined);
  const password = opts.password ?? (u.password ? decodeURIComponent(u.password) : undefined);
  const container = rhea.create_container({ id: `drainer-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}` });
  return new Promise<Connection>((resolve, reject) => {
    const conn = container.connect({
      host: u.hostname,
      port: Number(u.port || 5672),
      reconnect: false,
      ...(username !== undefined ? { username, password: password ?? '' } : {}),
    });
    const timer = setTimeout(() => fail(new Error(`AMQP open to ${url} timed out after ${opts.timeoutMs ?? 5000} ms`)), opts.timeoutMs ?? 5000);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      conn.removeAllListeners();
      conn.on('error', () => {}); // late socket errors after we gave up
      try {
        conn.close();
      } catch {
        /* already gone */
      }
      (conn as unknown as { socket?: { destroy(): void } }).socket?.destroy();
      reject(e);
    };
    conn.once('connection_open', () => {
      clearTimeout(timer);
      conn.removeAllListeners();
      resolve(conn);
    });
    conn.once('connection_error', (ctx: EventContext) => fail(new Error(`AMQP open refused: ${describe(ctx.error ?? ctx.connection.error)}`)));
    conn.once('disconnected', (ctx: EventContext) => fail(new Error(`AMQP connection to ${url} failed: ${describe(ctx.error)}`)));
  });
}

/**
 * Closes the connection and waits (bounded) until the socket is gone. The socket is left for rhea
 * to end after the close handshake: destroying it ourselves would skip rhea's cleanup and leave its
 * heartbeat timer holding the process open.
 */
export function closeConnection(conn: Connection, timeoutMs = 3000): Promise<void> {
  const socket = (conn as unknown as { socket?: import('node:net').Socket }).socket;
  return new Promise<void>((resolve) => {
    if (!socket || socket.destroyed) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    conn.on('error', () => {});
    conn.on('disconnected', () => {});
    if (conn.is_open()) conn.close();
    else socket.end();
  });
}

export interface SendOptions extends ConnectOptions {
  /** Target terminus durable flag (default true: RabbitMQ declares a durable queue on /queue/<q>). */
  durable?: boolean;
}

/**
 * Sends the messages in order on one sender link and resolves when every one of them was accepted.
 * A Buffer is sent as is (already encoded sections) — needed for section layouts rhea cannot
 * produce, e.g. a footer after the body (rhea encodes the footer first).
 * Any other outcome (rejected / released / modified), a link/session/connection error or the
 * timeout rejects, naming the message index.
 */
export async function sendTo(url: string, address: string, messages: Array<Message | Buffer>, opts: SendOptions = {}): Promise<void> {
  const conn = await openConnection(url, opts);
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let accepted = 0;
      const timeoutMs = opts.timeoutMs ?? 30_000;
      const timer = setTimeout(() => reject(new Error(`sendTo ${address}: ${accepted}/${messages.length} accepted after ${timeoutMs} ms`)), timeoutMs);
      const fail = (e: Error): void => {
        clearTimeout(timer);
        reject(e);
      };
      const sender: Sender = conn.open_sender({
        target: { address, durable: opts.durable === false ? 0 : DURABLE },
        autosettle: true,
      });
      const pump = (): void => {
        while (next < messages.length && sender.sendable()) {
          const index = next++;
          const m = messages[index]!;
          // A Buffer is an already encoded bare message (message-format 0), sent byte for byte.
          const delivery = Buffer.isBuffer(m) ? sender.send(m, Buffer.from(String(index)), 0) : sender.send(m);
          (delivery as unknown as { index: number }).index = index;
        }
      };
      sender.on('sendable', pump);
      sender.on('accepted', () => {
        if (++accepted === messages.length) {
          clearTimeout(timer);
          resolve();
        }
      });
      for (const outcome of ['rejected', 'released', 'modified'] as const) {
        sender.on(outcome, (ctx: EventContext) => {
          const index = (ctx.delivery as unknown as { index?: number } | undefined)?.index;
          const state = (ctx.delivery as unknown as { remote_state?: { error?: unknown } } | undefined)?.remote_state;
          fail(new Error(`sendTo ${address}: message #${index} ${outcome}${state?.error ? `: ${describe(state.error)}` : ''}`));
        });
      }
      watchFailures(conn, sender, `sendTo ${address}`, fail);
      if (messages.length === 0) sender.once('sender_open', () => (clearTimeout(timer), resolve()));
    });
  } finally {
    await closeConnection(conn);
  }
}

export interface DrainOptions extends ConnectOptions {
  /** Quiet time after the last message before the consumer is closed and the queue checked (default 300 ms). */
  idleMs?: number;
  /** Receiver credit window (default 100). */
  creditWindow?: number;
  /** Overall limit (default 30 s). */
  timeoutMs?: number;
}

/**
 * Consumes `/amq/queue/<queue>` (accepting every message) until the broker confirms the queue is
 * empty, and returns the messages in arrival order. A missing queue rejects before any attach.
 *
 * Emptiness is not concluded from a quiet period alone: after `idleMs` without a message the
 * connection is closed (so anything the broker had in flight to us but we never accepted is
 * requeued), then the queue is asked over AMQP 0-9-1 (queue-depth.ts) for its ready-message and
 * consumer counts. Only "0 messages, 0 consumers" ends the loop — 0 consumers proves the broker has
 * finished tearing our consumer down, i.e. has requeued whatever it was going to; otherwise another
 * round consumes again. Messages arriving after we started closing are left unaccepted (they go
 * back to the queue), so nothing is both returned here and requeued.
 *
 * The AMQP 1.0 drain flag would be the protocol's own answer, but RabbitMQ 3.10.8 crashes the
 * session when a drain meets an empty classic queue (rabbitmq-server #7119, fixed in later 3.10.x).
 * Assumes nobody else consumes the queue meanwhile (a foreign consumer keeps `consumers` above 0
 * and ends in the timeout error).
 */
export async function drainQueue(url: string, queue: string, opts: DrainOptions = {}): Promise<Message[]> {
  const idleMs = opts.idleMs ?? 300;
  const window = opts.creditWindow ?? 100;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const received: Message[] = [];
  let depth = await queueDepth(url, queue);
  if (depth === null) throw new Error(`drainQueue: queue ${queue} does not exist`);
  for (let round = 1; ; round++) {
    if (depth.messages > 0 || round === 1) await consumeUntilIdle(url, queue, received, { ...opts, idleMs, window, deadline });
    depth = await queueDepth(url, queue);
    if (depth === null) throw new Error(`drainQueue: queue ${queue} disappeared while draining`);
    if (depth.messages === 0 && depth.consumers === 0) return received;
    if (Date.now() > deadline) {
      throw new Error(`drainQueue ${queue}: not empty after ${timeoutMs} ms (${received.length} received, broker reports ${depth.messages} ready, ${depth.consumers} consumers)`);
    }
    if (depth.messages === 0) await sleep(20); // our consumer is still being torn down
  }
}

/** One connection: receive and accept until `idleMs` passes without a message, then close. */
async function consumeUntilIdle(
  url: string,
  queue: string,
  received: Message[],
  o: ConnectOptions & { idleMs: number; window: number; deadline: number },
): Promise<void> {
  const conn = await openConnection(url, o);
  let closing = false;
  try {
    await new Promise<void>((resolve, reject) => {
      let idle: NodeJS.Timeout | undefined;
      const finish = (e?: Error): void => {
        if (closing) return;
        closing = true;
        clearTimeout(idle);
        clearTimeout(overall);
        if (e) reject(e);
        else resolve();
      };
      const overall = setTimeout(
        () => finish(new Error(`drainQueue ${queue}: still receiving at the deadline (${received.length} received)`)),
        Math.max(0, o.deadline - Date.now()),
      );
      const armIdle = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => finish(), o.idleMs);
      };
      const receiver: Receiver = conn.open_receiver({
        source: { address: `/amq/queue/${queue}`, durable: DURABLE },
        credit_window: o.window,
        autoaccept: false,
      });
      receiver.once('receiver_open', armIdle);
      receiver.on('message', (ctx: EventContext) => {
        if (closing) return; // not accepted: requeued when the connection closes
        ctx.delivery!.accept();
        received.push(ctx.message!);
        armIdle();
      });
      watchFailures(conn, receiver, `drainQueue ${queue}`, finish);
    });
  } finally {
    closing = true;
    await closeConnection(conn);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Turns link, session and connection failures (RabbitMQ ends the session on most errors) into a rejection. */
function watchFailures(conn: Connection, link: Sender | Receiver, what: string, fail: (e: Error) => void): void {
  const kind = link.is_sender() ? 'sender' : 'receiver';
  link.on(`${kind}_error`, (ctx: EventContext) => fail(new Error(`${what}: link error: ${describe(ctx[kind]?.error)}`)));
  link.on(`${kind}_close`, () => fail(new Error(`${what}: link closed by the broker`)));
  link.session.on('session_error', (ctx: EventContext) => fail(new Error(`${what}: session error: ${describe(ctx.session?.error)}`)));
  link.session.on('session_close', () => fail(new Error(`${what}: session ended by the broker`)));
  conn.on('connection_error', (ctx: EventContext) => fail(new Error(`${what}: connection error: ${describe(ctx.error ?? ctx.connection.error)}`)));
  conn.on('connection_close', () => fail(new Error(`${what}: connection closed by the broker`)));
  conn.on('disconnected', (ctx: EventContext) => fail(new Error(`${what}: disconnected: ${describe(ctx.error)}`)));
  conn.on('error', (e: unknown) => fail(new Error(`${what}: ${describe(e)}`)));
}

function describe(e: unknown): string {
  if (e === undefined || e === null) return 'no detail';
  if (e instanceof Error) return e.message;
  if (typeof e === 'object') {
    const o = e as { condition?: unknown; description?: unknown };
    if (o.condition !== undefined) return `${String(o.condition)}${o.description ? ` "${String(o.description)}"` : ''}`;
  }
  return String(e);
}
