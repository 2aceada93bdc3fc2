/**
 * The AMQP endpoint: a rhea container listening on 127.0.0.1, announcing itself like Artemis in the open
 * frame, authenticating with SASL PLAIN (or ANONYMOUS when no users are configured), and handing links to
 * the producer / consumer sides. It can stop listening and listen again on the same port (goDown/comeUp).
 */
import type { Server, Socket } from 'node:net';
import rhea from 'rhea';
import type { Connection, Container, EventContext, Receiver, Sender, Session } from 'rhea';
import type { ConsumerLinks } from './consumer-links.js';
import type { ProducerLinks } from './producer-links.js';
import { captureRawTransfers } from './raw-transfers.js';
import { guts, linksOf, socketOf } from './rhea-internals.js';

export interface ServerOptions {
  host: string;
  port: number;
  containerId: string;
  version: string;
  users: Record<string, string> | undefined;
}

export class AmqpServer {
  readonly container: Container;
  /** Errors rhea reported on server connections (protocol errors, failed SASL, ...), for diagnosis. */
  readonly errors: unknown[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<Connection>();
  private readonly cleaned = new WeakSet<object>();
  port: number;

  constructor(
    private readonly options: ServerOptions,
    private readonly producers: ProducerLinks,
    private readonly consumers: ConsumerLinks,
  ) {
    this.port = options.port;
    this.container = rhea.create_container({ id: options.containerId });
    if (options.users) {
      const users = options.users;
      this.container.sasl_server_mechanisms.enable_plain((user: string, password: string) =>
        Object.prototype.hasOwnProperty.call(users, user) && users[user] === password);
    } else {
      // Security disabled: ANONYMOUS, and PLAIN with whatever credentials the client brings.
      this.container.sasl_server_mechanisms.enable_anonymous();
      this.container.sasl_server_mechanisms.enable_plain(() => true);
    }
    const c = this.container;
    c.on('connection_open', (ctx: EventContext) => this.onConnectionOpen(ctx.connection));
    c.on('receiver_open', (ctx: EventContext) => this.producers.attach(ctx.receiver!));
    c.on('sender_open', (ctx: EventContext) => this.consumers.attach(ctx.sender!));
    c.on('receiver_close', (ctx: EventContext) => this.linkGone(ctx.receiver!));
    c.on('sender_close', (ctx: EventContext) => this.linkGone(ctx.sender!, true));
    c.on('session_close', (ctx: EventContext) => this.sessionGone(ctx.session!, true));
    for (const e of ['receiver_error', 'sender_error', 'session_error', 'connection_close', 'connection_error']) {
      c.on(e, () => {});
    }
    c.on('disconnected', () => {});
    c.on('protocol_error', (e: unknown) => this.errors.push(e));
    c.on('error', (e: unknown) => this.errors.push(e));
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async listen(): Promise<void> {
    const server = this.container.listen({
      host: this.options.host,
      port: this.port,
      container_id: this.options.containerId,
      properties: { product: 'apache-activemq-artemis', version: this.options.version },
      offered_capabilities: ['sole-connection-for-container', 'DELAYED_DELIVERY', 'SHARED-SUBS', 'ANONYMOUS-RELAY'],
      // Artemis' AMQP acceptor default: clients split larger transfers into several frames.
      max_frame_size: 131072,
      // The broker decides credit and outcomes itself.
      credit_window: 0,
      autoaccept: false,
      treat_modified_as_released: false,
      require_sasl: this.options.users !== undefined,
    } as never) as Server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.server = server;
  }

  /** Stop listening and cut every connection. graceful: send a close frame (amqp:connection:forced) first. */
  async close(graceful = false): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (graceful) {
      for (const conn of this.connections) {
        conn.close({ condition: 'amqp:connection:forced', description: 'broker is shutting down' });
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const conn of [...this.connections]) this.cutConnection(conn);
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Destroy a connection's socket now, with no AMQP close (a crash or network cut as the client sees it). */
  cutConnection(conn: Connection): void {
    const g = guts(conn);
    g.socket_ready = false;
    // rhea may arm a heartbeat on its way out of the frame being handled: clear them after it too.
    const stopHeartbeats = () => {
      for (const t of [g.heartbeat_out, g.heartbeat_in]) if (t) clearTimeout(t);
      g.heartbeat_out = g.heartbeat_in = undefined;
    };
    stopHeartbeats();
    setImmediate(stopHeartbeats);
    socketOf(conn)?.destroy();
    this.connectionGone(conn);
  }

  private onConnectionOpen(conn: Connection): void {
    captureRawTransfers(conn);
    this.connections.add(conn);
    socketOf(conn)?.once('close', () => this.connectionGone(conn));
  }

  /** `clean`: the client detached (or ended the session); otherwise its connection was lost. */
  private linkGone(link: Receiver | Sender, clean = false): void {
    if (this.cleaned.has(link)) return;
    this.cleaned.add(link);
    if (link.is_receiver()) this.producers.detach(link as Receiver);
    else this.consumers.detach(link as Sender, clean);
  }

  private sessionGone(session: Session, clean = false): void {
    for (const l of linksOf(session)) this.linkGone(l, clean);
  }

  private connectionGone(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    for (const session of Object.values(guts(conn).local_channel_map)) this.sessionGone(session);
  }
}
