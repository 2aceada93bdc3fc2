/**
 * The broker's ceiling for the drain benchmark: a plain rhea producer, nothing of the drainer in it.
 * One connection, one sender per queue on `/queue/<q>` (durable terminus, so RabbitMQ declares a
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
        reject(e);
      };
      conn.on('disconnected', (ctx: EventContext) => fail(new Error(`ceiling: disconnected: ${String(ctx.error ?? '')}`)));
      conn.on('connection_error', () => fail(new Error(`ceiling: connection error: ${JSON.stringify(conn.error)}`)));
      conn.on('connection_close', () => fail(new Error('ceiling: connection closed by the broker')));
      const pumps = senders.map((sender, qi) => {
        const queue = queues[qi]!;
        let sent = 0;
        let unsettled = 0;
        const pump = (): void => {
          while (!finished && sent < perQueue && unsettled < window && sender.sendable()) {
            sender.send(messageFor(queue, qi, sent));
            sent++;
            unsettled++;
          }
        };
        sender.on('sendable', pump);
        sender.on('accepted', () => {
          unsettled--;
          if (++acceptedTotal === queues.length * perQueue) {
            const ms = performance.now() - t0;
            finished = true;
            clearTimeout(timer);
            resolve({ ms, accepted: acceptedTotal, socketBytes: socket.bytesWritten - bytes0 });
          } else pump();
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

function openSender(conn: Connection, queue: string): Promise<Sender> {
  return new Promise((resolve, reject) => {
    const sender = conn.open_sender({ target: { address: `/queue/${queue}`, durable: 2 }, name: `ceiling-${queue}` });
    sender.once('sender_open', () => resolve(sender));
    sender.once('sender_error', () => reject(new Error(`ceiling ${queue}: attach refused: ${JSON.stringify(sender.error)}`)));
  });
}
