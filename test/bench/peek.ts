/** Bench helper: the size of one stored message as the broker hands it out. */
import type { EventContext } from 'rhea';
import { closeConnection, openConnection, rawOf } from '../support/rabbitmq/client.js';

/**
 * Encoded size of the first message of `queue` (all sections; RabbitMQ re-encodes the header,
 * the rest comes back byte for byte). The message is not accepted: closing the connection
 * requeues it, so the queue's count is unchanged.
 */
export async function peekMessageSize(url: string, queue: string, timeoutMs = 10_000): Promise<number> {
  const conn = await openConnection(url);
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`peek ${queue}: no message within ${timeoutMs} ms`)), timeoutMs);
      const receiver = conn.open_receiver({ source: { address: `/amq/queue/${queue}`, durable: 2 }, credit_window: 0, autoaccept: false });
      receiver.once('receiver_open', () => receiver.add_credit(1));
      receiver.once('message', (ctx: EventContext) => {
        clearTimeout(timer);
        const raw = rawOf(ctx.message!);
        if (raw) resolve(raw.length);
        else reject(new Error(`peek ${queue}: no raw bytes`));
      });
      receiver.once('receiver_error', () => (clearTimeout(timer), reject(new Error(`peek ${queue}: ${JSON.stringify(receiver.error)}`))));
    });
  } finally {
    await closeConnection(conn);
  }
}
