/**
 * The broker's ceiling for the drain benchmark: a plain rhea producer, nothing of the drainer in it.
 * One connection, one session and sender per queue on `/queue/<q>` (durable terminus, so RabbitMQ declares a
 * durable queue), every queue at once, each link keeping at most `window` deliveries unsettled —
 * the drainer's default, so both sides get the same pipelining — and a delivery counts when the
 * broker accepts it (settle-on-accept: durable messages are accepted once persisted).
 *
 * The messages look like the fixture's: 1 KiB body `body[j] = (seq + j) & 0xff`, durable header,
 * a message id and the same three application properties (fixture_id, seq, queue_index).
 */
import rhea from 'rhea';
import type { Connection, EventContext, Message, Sender } from 'rhea';
import { closeConnection, openConnection } from '../support/rabbitmq/client.js';

export interface CeilingResult {
  /** First send to last accept. */
  ms: number;
  accepted: number;
  /** Bytes rhea wrote on the socket while sending (frames included). */
  socketBytes: number;
}

const BODY_SIZE = 1024;
/** The body only depends on seq & 0xff: 256 buffers cover every message. */
const BODIES = Array.from({ length: 256 }, (_, s) => {
  const b = Buffer.allocUnsafe(BODY_SIZE);
  for (let j = 0; j < BODY_SIZE; j++) b[j] = (s + j) & 0xff;
  return b;
});

function messageFor(queue: string, queueIndex: number, seq: number): Message {
  return {
    durable: true,
    message_id: `ceiling-${queue}-${seq}`,
    application_properties: {
      fixture_id: `i-${queueIndex}-${String(seq).padStart(7, '0')}`,
      seq: rhea.types.wrap_int(seq),
      queue_index: rhea.types.wrap_int(queueIndex),
    },
    body: rhea.message.data_section(BODIES[seq & 0xff]!),
  };
}

/** Sends `perQueue` messages to every queue concurrently; resolves when all were accepted. */
export async function rheaCeiling(url: string, queues: string[], perQueue: number, window: number, timeoutMs = 30 * 60_000): Promise<CeilingResult> {
  const conn = await openConnection(url, { timeoutMs: 10_000 });
  const socket = (conn as unknown as { socket: import('node:net').Socket }).socket;
  try {
    // Attach every link first, so the clock measures sending only.
    const senders = await Promise.all(queues.map((q) => openSender(conn, q)));
    const bytes0 = socket.bytesWritten;
    return await new Promise<CeilingResult>((resolve, reject) => {
      let t0 = 0;
      let acceptedTotal = 0;
      let finished = false;
      const timer = setTimeout(() => fail(new Error(`ceiling: not done after ${timeoutMs} ms (${acceptedTotal} accepted)`)), timeoutMs);
      const fail = (e: Error): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        clearInterval(watchdog);
        reject(e);
      };
      conn.on('disconnected', (ctx: EventContext) => fail(new Error(`ceiling: disconnected: ${String(ctx.error ?? '')}`)));
      conn.on('connection_error', () => fail(new Error(`ceiling: connection error: ${JSON.stringify(conn.error)}`)));
      conn.on('connection_close', () => fail(new Error('ceiling: connection closed by the broker')));
      const links = senders.map(() => ({ sent: 0, unsettled: 0 }));
      let lastAccepted = -1;
      const watchdog = setInterval(() => {
        if (acceptedTotal !== lastAccepted) {
          lastAccepted = acceptedTotal;
          return;
        }
        fail(new Error(`ceiling: no accept for ${STALL_MS / 1000} s (${acceptedTotal} accepted); ${stateOf(senders, links)}`));
      }, STALL_MS);
      const pumps = senders.map((sender, qi) => {
        const queue = queues[qi]!;
        const link = links[qi]!;
        const pump = (): void => {
          while (!finished && link.sent < perQueue && link.unsettled < window && sender.sendable()) {
            sender.send(messageFor(queue, qi, link.sent));
            link.sent++;
            link.unsettled++;
          }
        };
        sender.on('sendable', pump);
        sender.on('accepted', () => {
          link.unsettled--;
          if (++acceptedTotal === queues.length * perQueue) {
            const ms = performance.now() - t0;
            finished = true;
            clearTimeout(timer);
            clearInterval(watchdog);
            resolve({ ms, accepted: acceptedTotal, socketBytes: socket.bytesWritten - bytes0 });
          } else {
            pump();
            // Room in the window but none in the session buffer yet: it is freed after this handler.
            if (link.unsettled < window && link.sent < perQueue && !sender.sendable()) setImmediate(pump);
          }
        });
        for (const outcome of ['rejected', 'released', 'modified']) {
          sender.on(outcome, (ctx: EventContext) => fail(new Error(`ceiling ${queue}: a message was ${outcome}: ${JSON.stringify(ctx.delivery?.remote_state)}`)));
        }
        sender.on('sender_error', () => fail(new Error(`ceiling ${queue}: link error: ${JSON.stringify(sender.error)}`)));
        sender.on('sender_close', () => fail(new Error(`ceiling ${queue}: link closed by the broker`)));
        return pump;
      });
      t0 = performance.now();
      // Credit may have arrived during attach, before 'sendable' was listened to: start every link by hand.
      for (const pump of pumps) pump();
    });
  } finally {
    await closeConnection(conn, 10_000);
  }
}

const STALL_MS = 60_000;

/** Where each link and the session stand, for a stall report (rhea internals, read only). */
function stateOf(senders: Sender[], links: Array<{ sent: number; unsettled: number }>): string {
  const out = (senders[0] as unknown as { session: { outgoing: Record<string, unknown> & { deliveries: { size: number; capacity: number } } } }).session.outgoing;
  const session = `session: remote_window=${out.remote_window} next_transfer_id=${out.next_transfer_id} remote_next_transfer_id=${out.remote_next_transfer_id} next_pending_delivery=${out.next_pending_delivery} next_delivery_id=${out.next_delivery_id} deliveries=${out.deliveries.size}/${out.deliveries.capacity}`;
  const perLink = senders.map((s, i) => `${s.name}: sent=${links[i]!.sent} unsettled=${links[i]!.unsettled} credit=${(s as unknown as { credit: number }).credit}`);
  return [session, ...perLink].join('; ');
}

function openSender(conn: Connection, queue: string): Promise<Sender> {
  return new Promise((resolve, reject) => {
    // A session per link, as the drainer has (rhea-promise's createSender): rhea's session buffer
    // holds 2048 deliveries, less than 10 links x 256 unsettled, and a full shared buffer loses
    // 'sendable' wake-ups (space freed after the accept handlers ran notifies nobody).
    const session = conn.create_session();
    session.begin();
    const sender = session.attach_sender({ target: { address: `/queue/${queue}`, durable: 2 }, name: `ceiling-${queue}` });
    sender.once('sender_open', () => resolve(sender));
    sender.once('sender_error', () => reject(new Error(`ceiling ${queue}: attach refused: ${JSON.stringify(sender.error)}`)));
  });
}
