/**
 * FakeArtemis: an in-process AMQP 1.0 broker (rhea) that behaves the way shared/docs/artemis-move-semantics.md
 * says Apache Artemis does for a drainer — management over AMQP, FQQN sends and the routing-type trap,
 * duplicate detection, scheduled delivery — with a model tests can inspect and faults they can inject.
 */
import { randomUUID } from 'node:crypto';
import type { AmqpError } from 'rhea';
import { BrokerState } from './broker-state.js';
import { ConsumerLinks } from './consumer-links.js';
import { Dispatcher } from './consumers.js';
import { DEFAULT_ID_CACHE_SIZE } from './dedup.js';
import { FaultPlan } from './faults.js';
import type { ControlContext } from './management-controls.js';
import { ManagementEndpoint } from './management-endpoint.js';
import type { AddressInfo, DeadLetter, DroppedMessage, QueueInfo, RoutingType, StoredMessage } from './model.js';
import { ProducerLinks } from './producer-links.js';
import { queueRequestFromJson } from './queue-config.js';
import { Router } from './routing.js';
import { AmqpServer } from './server.js';
import { DEFAULT_VERSION, featuresOf } from './version.js';

export interface FakeArtemisOptions {
  /** SASL PLAIN users (name → password). Absent: anonymous connections are accepted. */
  users?: Record<string, string>;
  /** Users lacking the `manage` permission: their management requests are rejected (amqp:unauthorized-access). */
  denyManage?: string[];
  /** Broker version announced in the open frame and by the `Version` attribute; gates version-dependent behaviour. */
  version?: string;
  /** Link-attach auto-creation of addresses/queues (default false: attach to a missing node fails amqp:not-found). */
  autoCreate?: boolean;
  /** Port on 127.0.0.1 (default 0: any free port; kept across goDown/comeUp). */
  port?: number;
  /** Credit granted to each producer link (default 1000, Artemis' amqpCredits). */
  creditWindow?: number;
  /** Credit is topped up to the window once it falls to this (default 30% of the window, like amqpLowCredits 300). */
  lowCredit?: number;
  /** Duplicate-id cache size per routing address (default 20000). */
  idCacheSize?: number;
  /** The acceptor's amqpDuplicateDetection flag (default true). */
  amqpDuplicateDetection?: boolean;
}

export class FakeArtemis {
  readonly host = '127.0.0.1';
  readonly version: string;
  readonly nodeId: string;
  readonly state: BrokerState;
  readonly faults = new FaultPlan();
  private readonly server: AmqpServer;
  private readonly producers: ProducerLinks;
  private readonly dispatcher: Dispatcher;
  private up = false;
  private upWaiters: Array<() => void> = [];
  private restartTimer: NodeJS.Timeout | undefined;

  private constructor(opts: FakeArtemisOptions) {
    this.version = opts.version ?? DEFAULT_VERSION;
    this.nodeId = randomUUID();
    const idCacheSize = opts.idCacheSize ?? DEFAULT_ID_CACHE_SIZE;
    const creditWindow = opts.creditWindow ?? 1000;
    this.state = new BrokerState(idCacheSize);
    const router = new Router(this.state, featuresOf(this.version), {
      autoCreate: opts.autoCreate ?? false,
      duplicateDetection: opts.amqpDuplicateDetection ?? true,
    });
    const ctx: ControlContext = {
      state: this.state,
      version: this.version,
      nodeId: this.nodeId,
      idCacheSize,
      connectionCount: () => this.server.connectionCount,
    };
    const management = new ManagementEndpoint(ctx, router, new Set(opts.denyManage ?? []));
    this.dispatcher = new Dispatcher(this.state);
    this.producers = new ProducerLinks(router, management, this.faults, {
      creditWindow,
      lowCredit: opts.lowCredit ?? Math.floor(creditWindow * 0.3),
      dropConnection: (receiver) => this.server.cutConnection(receiver.connection),
    });
    const consumers = new ConsumerLinks(this.state, this.dispatcher, opts.autoCreate ?? false, randomUUID);
    this.server = new AmqpServer(
      { host: this.host, port: opts.port ?? 0, containerId: this.nodeId, version: this.version, users: opts.users },
      this.producers,
      consumers,
    );
  }

  static async start(opts: FakeArtemisOptions = {}): Promise<FakeArtemis> {
    const broker = new FakeArtemis(opts);
    await broker.comeUp();
    return broker;
  }

  get port(): number {
    return this.server.port;
  }

  /** `amqp://127.0.0.1:<port>` */
  get url(): string {
    return `amqp://${this.host}:${this.port}`;
  }

  get isUp(): boolean {
    return this.up;
  }

  /** Open AMQP connections (those that got past SASL and the open frame). */
  get connectionCount(): number {
    return this.server.connectionCount;
  }

  /** Errors rhea reported on server connections. */
  get serverErrors(): readonly unknown[] {
    return this.server.errors;
  }

  async stop(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.up = false;
    this.dispatcher.paused = true;
    await this.server.close();
    this.dispatcher.reset();
  }

  // ---- the model ---------------------------------------------------------------------------------------------

  queue(name: string): QueueInfo | undefined {
    return this.state.queues.get(name);
  }

  address(name: string): AddressInfo | undefined {
    return this.state.addresses.get(name);
  }

  queueNames(): string[] {
    return [...this.state.queues.keys()];
  }

  addressNames(): string[] {
    return [...this.state.addresses.keys()];
  }

  /** Messages held by a queue in arrival order, scheduled and in-delivery ones included. Throws for an unknown queue. */
  messages(queue: string): StoredMessage[] {
    const q = this.state.queues.get(queue);
    if (!q) throw new Error(`no queue ${queue}`);
    return q.refs.map((r) => r.message);
  }

  /** MessageCount as the management attribute reports it (scheduled and in-delivery included). */
  messageCount(queue: string): number {
    const q = this.state.queues.get(queue);
    if (!q) throw new Error(`no queue ${queue}`);
    return this.state.messageCount(q);
  }

  scheduledCount(queue: string): number {
    const q = this.state.queues.get(queue);
    if (!q) throw new Error(`no queue ${queue}`);
    return this.state.scheduledCount(q);
  }

  /** Accepted messages that were not stored, and why (duplicate, routing-type-mismatch, filter, no-binding, expired). */
  get dropped(): readonly DroppedMessage[] {
    return this.state.dropped;
  }

  /** Messages consumers rejected. */
  get deadLetters(): readonly DeadLetter[] {
    return this.state.deadLetters;
  }

  /** The duplicate-id cache of a routing address (`addr::queue` for FQQN sends), oldest first. */
  duplicateIds(routingAddress: string): Array<string | Buffer> {
    return this.state.duplicates.get(routingAddress)?.ids() ?? [];
  }

  /** Set up an address directly (no management round trip). */
  createAddress(name: string, routingTypes: RoutingType[]): AddressInfo {
    return this.state.createAddress(name, routingTypes);
  }

  /** Set up a queue directly from the §4.1 JSON keys (`name`, `address`, `routing-type`, `filter-string`, ...). */
  createQueue(config: Record<string, unknown>, ignoreIfExists = false): QueueInfo {
    return this.state.createQueue(queueRequestFromJson(JSON.stringify(config)), ignoreIfExists);
  }

  // ---- faults ------------------------------------------------------------------------------------------------

  /** After n more producer messages, destroy the TCP connection carrying the n-th before its disposition is sent. */
  dropConnectionAfter(n: number, opts?: { storeLast?: boolean }): void {
    this.faults.dropConnectionAfter(n, opts);
  }

  rejectNext(n: number, error?: AmqpError): void {
    this.faults.rejectNext(n, error);
  }

  releaseNext(n: number): void {
    this.faults.releaseNext(n);
  }

  modifyNext(n: number, opts?: { deliveryFailed?: boolean; undeliverableHere?: boolean }): void {
    this.faults.modifyNext(n, opts);
  }

  /** Let n more producer messages in, then grant no credit (outstanding credit above that is revoked). */
  stallAfter(n: number): void {
    this.faults.stallAfter(n);
    this.producers.reapplyCredit();
  }

  resumeCredit(): void {
    this.faults.resumeCredit();
    this.producers.reapplyCredit();
  }

  clearFaults(): void {
    this.faults.clear();
    this.producers.reapplyCredit();
  }

  /**
   * Simulate a broker restart: stop listening (connections are refused), cut every connection (abruptly, or
   * with an amqp:connection:forced close when graceful), keep what a persistent broker keeps, and listen again
   * on the same port after `ms` (never, until comeUp(), when ms is undefined). Resolves once down.
   */
  async goDown(ms?: number, opts: { graceful?: boolean } = {}): Promise<void> {
    if (!this.up) return;
    this.up = false;
    this.dispatcher.paused = true;
    await this.server.close(opts.graceful ?? false);
    this.dispatcher.reset();
    this.state.restart();
    if (ms !== undefined) {
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        void this.comeUp();
      }, ms);
    }
  }

  async comeUp(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    if (this.up) return;
    await this.server.listen();
    this.up = true;
    const waiters = this.upWaiters;
    this.upWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when the broker is listening. */
  whenUp(): Promise<void> {
    if (this.up) return Promise.resolve();
    return new Promise((resolve) => this.upWaiters.push(resolve));
  }
}
