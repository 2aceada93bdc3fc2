/** Plain rhea-promise clients for driving FakeArtemis in tests (what the drainer would do, written by hand). */
import { Connection, ReceiverEvents, type Message, type Receiver, type AwaitableSender, type Delivery } from 'rhea-promise';
import rhea from 'rhea';
import type { FakeArtemis } from '../support/fake-artemis/index.js';

export async function connect(broker: FakeArtemis, auth?: { username: string; password: string }): Promise<Connection> {
  const conn = new Connection({
    host: broker.host,
    port: broker.port,
    transport: 'tcp',
    reconnect: false,
    operationTimeoutInSeconds: 5,
    ...(auth ?? {}),
  });
  await conn.open();
  return conn;
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Reply {
  message: Message;
  succeeded: boolean | undefined;
  /** The parsed JSON array body (null for a null body). */
  values: unknown[] | null;
}

/** Request/reply over `activemq.management` with a dynamic reply queue, as the doc describes. */
export class ManagementClient {
  private readonly pending = new Map<string, (m: Message) => void>();
  private next = 1;

  private constructor(
    readonly sender: AwaitableSender,
    readonly receiver: Receiver,
    readonly replyTo: string,
  ) {
    receiver.on(ReceiverEvents.message, (ctx) => {
      const m = ctx.message!;
      const key = correlationKey(m.correlation_id);
      const done = this.pending.get(key);
      if (done) {
        this.pending.delete(key);
        done(m);
      }
    });
  }

  static async open(conn: Connection): Promise<ManagementClient> {
    const receiver = await conn.createReceiver({ source: { dynamic: true } as never });
    const replyTo = (receiver.source as { address: string }).address;
    const sender = await conn.createAwaitableSender({ target: { address: 'activemq.management' } });
    return new ManagementClient(sender, receiver, replyTo);
  }

  /** Send a raw request message (message_id is set unless given) and wait for the reply correlated to it. */
  async request(msg: Message, key?: string): Promise<Reply> {
    if (msg.message_id === undefined && msg.correlation_id === undefined) msg.message_id = `req-${this.next++}`;
    const expect = key ?? correlationKey(msg.correlation_id ?? msg.message_id);
    const reply = new Promise<Message>((resolve, reject) => {
      this.pending.set(expect, resolve);
      setTimeout(() => reject(new Error(`no reply for ${expect}`)), 3000).unref();
    });
    await this.sender.send({ reply_to: this.replyTo, ...msg });
    const m = await reply;
    const body = m.body as string | null;
    return {
      message: m,
      succeeded: (m.application_properties as Record<string, unknown> | undefined)?._AMQ_OperationSucceeded as boolean | undefined,
      values: body === null || body === undefined ? null : (JSON.parse(body) as unknown[]),
    };
  }

  invoke(resource: string, operation: string, params: unknown[]): Promise<Reply> {
    return this.request({
      application_properties: { _AMQ_ResourceName: resource, _AMQ_OperationName: operation },
      body: JSON.stringify(params),
    });
  }

  attribute(resource: string, attribute: string): Promise<Reply> {
    return this.request({
      application_properties: { _AMQ_ResourceName: resource, _AMQ_Attribute: attribute },
      body: '[]',
    });
  }
}

/** A key identifying an id by AMQP type and value (string 'x' and binary 'x' differ). */
export function correlationKey(id: unknown): string {
  if (id === undefined || id === null) return 'none';
  if (Buffer.isBuffer(id)) return `bin:${id.toString('hex')}`;
  if (typeof id === 'object' && id !== null && 'typecode' in (id as object)) {
    const t = id as { typecode: number; value: unknown };
    return `${t.typecode}:${String(t.value)}`;
  }
  return `${typeof id}:${String(id)}`;
}

/** Send and return the outcome delivery (resolves on accepted; rejects on rejected/released/modified). */
export async function sendTo(conn: Connection, target: { address: string; capabilities?: string[] }, msgs: Message[]): Promise<Delivery[]> {
  const sender = await conn.createAwaitableSender({ target });
  const out: Delivery[] = [];
  for (const m of msgs) out.push(await sender.send(m, { timeoutInSeconds: 3 }));
  await sender.close();
  return out;
}

/** Receive exactly n messages from a source address, accepting them. */
export async function receive(conn: Connection, address: string, n: number, timeoutMs = 3000): Promise<Message[]> {
  // Exactly n credits, so the broker hands over exactly n messages.
  const receiver = await conn.createReceiver({ source: { address }, credit_window: 0 });
  if (n > 0) receiver.addCredit(n);
  const got: Message[] = [];
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`received ${got.length} of ${n} from ${address}`)), timeoutMs);
    receiver.on(ReceiverEvents.message, (ctx) => {
      got.push(ctx.message!);
      if (got.length === n) {
        clearTimeout(t);
        resolve();
      }
    });
    if (n === 0) {
      clearTimeout(t);
      resolve();
    }
  });
  await receiver.close();
  return got;
}

export const types = rhea.types;
