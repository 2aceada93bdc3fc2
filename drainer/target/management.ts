/**
 * Artemis management over AMQP (move-semantics §4.1): a request is a message to
 * `activemq.management` naming a resource and an operation (or attribute), its parameters a JSON
 * array in an amqp-value string; the reply comes to our dynamic receiver, correlated by message id,
 * with `_AMQ_OperationSucceeded` and a one-element JSON array.
 */
import { randomUUID } from 'node:crypto';
import type { Connection, Receiver, Sender, EventContext } from 'rhea-promise';
import { ReceiverEvents, SenderEvents } from 'rhea-promise';
import { closeWithin } from './bounded.js';

export interface ManagementReply {
  ok: boolean;
  /** The single result (or the failure text). */
  value: unknown;
}

export class ManagementError extends Error {
  constructor(
    message: string,
    /** The broker's own text, e.g. "AMQ229019: Queue q already exists…". */
    readonly brokerText: string,
  ) {
    super(message);
    this.name = 'ManagementError';
  }
}

export class ManagementClient {
  private readonly pending = new Map<string, (r: ManagementReply) => void>();
  private readonly refused = new Map<string, (e: Error) => void>();
  /** Delivery -> request id, to match a rejected request. */
  private readonly byDelivery = new WeakMap<object, string>();

  private constructor(
    private readonly sender: Sender,
    private readonly receiver: Receiver,
    private readonly replyTo: string,
    private readonly timeoutMs: number,
  ) {
    receiver.on(ReceiverEvents.message, (ctx: EventContext) => {
      const m = ctx.message;
      if (!m) return;
      const id = String(m.correlation_id ?? m.message_id ?? '');
      const done = this.pending.get(id);
      if (!done) return;
      this.pending.delete(id);
      const ok = m.application_properties?.['_AMQ_OperationSucceeded'] !== false;
      done({ ok, value: parseBody(m.body) });
    });
    // A rejected request means no `manage` permission (or management RBAC): fail it at once.
    sender.on(SenderEvents.rejected, (ctx: EventContext) => {
      const id = ctx.delivery ? this.byDelivery.get(ctx.delivery) : undefined;
      if (id === undefined) return;
      const err = (ctx.delivery?.remote_state as { error?: { condition?: string; description?: string } } | undefined)?.error;
      this.refused.get(id)?.(new ManagementError(`management request refused: ${err?.condition ?? ''} ${err?.description ?? ''}`.trim(), err?.description ?? ''));
    });
  }

  static async open(connection: Connection, address = 'activemq.management', timeoutMs = 30_000): Promise<ManagementClient> {
    const receiver = await connection.createReceiver({ source: { dynamic: true } as unknown as { address: string }, credit_window: 100 });
    const replyTo = (receiver as unknown as { source?: { address?: string } }).source?.address ?? receiver.address;
    if (!replyTo) throw new Error('the target did not give the dynamic reply queue an address');
    const sender = await connection.createSender({ target: { address } });
    return new ManagementClient(sender, receiver, replyTo, timeoutMs);
  }

  /** Invokes an operation; resolves with the result, rejects with ManagementError when it failed. */
  async invoke(resource: string, operation: string, params: unknown[]): Promise<unknown> {
    const r = await this.request({ _AMQ_ResourceName: resource, _AMQ_OperationName: operation }, params);
    if (!r.ok) throw new ManagementError(`${resource}.${operation} failed: ${String(r.value)}`, String(r.value));
    return r.value;
  }

  async attribute(resource: string, name: string): Promise<unknown> {
    const r = await this.request({ _AMQ_ResourceName: resource, _AMQ_Attribute: name }, []);
    if (!r.ok) throw new ManagementError(`${resource}.${name} failed: ${String(r.value)}`, String(r.value));
    return r.value;
  }

  async close(): Promise<void> {
    await Promise.all([closeWithin(() => this.sender.close()), closeWithin(() => this.receiver.close())]);
  }

  private request(props: Record<string, string>, params: unknown[]): Promise<ManagementReply> {
    const id = randomUUID();
    return new Promise<ManagementReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`management request ${Object.values(props).join('.')} timed out`));
      }, this.timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.pending.delete(id);
        this.refused.delete(id);
      };
      this.pending.set(id, (r) => {
        finish();
        resolve(r);
      });
      this.refused.set(id, (e) => {
        finish();
        reject(e);
      });
      const delivery = this.sender.send({ message_id: id, reply_to: this.replyTo, application_properties: props, body: JSON.stringify(params) });
      this.byDelivery.set(delivery, id);
    });
  }
}

/** The reply body: a JSON array with one element (a string body for core TEXT conversions). */
function parseBody(body: unknown): unknown {
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : (body as { content?: Buffer })?.content?.toString('utf8');
  if (text === undefined) return body ?? null;
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) && v.length === 1 ? v[0] : v;
  } catch {
    return text;
  }
}
