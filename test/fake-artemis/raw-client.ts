/** A plain rhea client (no promise wrapper) for tests that need per-delivery outcomes and link credit. */
import rhea from 'rhea';
import type { Connection, ConnectionOptions, Delivery, Message, Sender } from 'rhea';
import type { FakeArtemis } from '../support/fake-artemis/index.js';

export function openRaw(b: FakeArtemis, extra: Partial<ConnectionOptions> = {}): Promise<Connection> {
  const conn = rhea.create_container().connect({ host: b.host, port: b.port, reconnect: false, ...extra } as ConnectionOptions);
  return new Promise((resolve, reject) => {
    conn.once('connection_open', () => resolve(conn));
    conn.once('connection_error', (ctx) => reject(ctx.connection.error ?? new Error('connection error')));
    conn.once('disconnected', (ctx) => reject(ctx.error ?? new Error('disconnected')));
  });
}

export interface Sent {
  delivery: Delivery;
  /** accepted / rejected / released / modified, once the broker settled it. */
  outcome?: string;
  state?: { error?: { condition?: string; description?: string }; delivery_failed?: boolean; undeliverable_here?: boolean };
}

export async function openSender(conn: Connection, target: { address: string; capabilities?: string[] }): Promise<Sender> {
  const sender = conn.open_sender({ target, treat_modified_as_released: false } as never);
  await new Promise<void>((resolve) => sender.once('sendable', () => resolve()));
  return sender;
}

/** Send all messages now (rhea queues what credit does not cover) and record each outcome as it comes. */
export function sendAll(sender: Sender, msgs: Message[]): Sent[] {
  const sent: Sent[] = msgs.map((m) => ({ delivery: sender.send(m) }));
  for (const outcome of ['accepted', 'rejected', 'released', 'modified']) {
    sender.on(outcome as never, (ctx: { delivery?: Delivery }) => {
      const s = sent.find((x) => x.delivery === ctx.delivery);
      if (s) {
        s.outcome = outcome;
        s.state = ctx.delivery!.remote_state as Sent['state'];
      }
    });
  }
  return sent;
}

export function creditOf(sender: Sender): number {
  return (sender as unknown as { credit: number }).credit;
}
