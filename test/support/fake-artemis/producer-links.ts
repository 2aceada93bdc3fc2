/**
 * Links on which clients send to the broker (the broker's receiving end): target resolution at attach,
 * credit (a window topped up as deliveries are settled, like Artemis' amqpCredits/amqpLowCredits), the
 * per-message path through faults, management or the router.
 */
import type { EventContext, Message, Receiver } from 'rhea';
import type { FaultPlan } from './faults.js';
import type { ManagementEndpoint } from './management-endpoint.js';
import { takeRaw } from './raw-transfers.js';
import { capabilityList, creditOf, flushFrames, linkGuts, setCredit, socketOf } from './rhea-internals.js';
import { MANAGEMENT_ADDRESS, type Router, type SenderTarget } from './routing.js';

interface ProducerLink {
  receiver: Receiver;
  target: SenderTarget | 'management';
  capabilities: string[];
}

export interface ProducerLinkOptions {
  creditWindow: number;
  lowCredit: number;
  /** Destroy the connection's socket at once (fault injection). */
  dropConnection(receiver: Receiver): void;
}

export class ProducerLinks {
  private readonly open = new Map<Receiver, ProducerLink>();

  constructor(
    private readonly router: Router,
    private readonly management: ManagementEndpoint,
    private readonly faults: FaultPlan,
    private readonly options: ProducerLinkOptions,
  ) {}

  attach(receiver: Receiver): void {
    const remoteTarget = receiver.target as { address?: string; capabilities?: unknown; dynamic?: boolean } | null;
    const address = remoteTarget?.address ?? undefined;
    const capabilities = capabilityList(remoteTarget?.capabilities);
    // Mirror the sender's settle mode; only the first receiver settle mode is supported (as Artemis).
    linkGuts(receiver).local.attach.snd_settle_mode = receiver.snd_settle_mode;
    linkGuts(receiver).local.attach.rcv_settle_mode = 0;
    let target: SenderTarget | 'management';
    if (address === MANAGEMENT_ADDRESS) {
      target = 'management';
    } else {
      const resolved = this.router.resolveSenderTarget(address, capabilities);
      if ('condition' in resolved) {
        // Refusal: the attach goes back with a null target, followed by a detach carrying the error.
        receiver.close({ condition: resolved.condition, description: resolved.description });
        return;
      }
      target = resolved;
    }
    const remoteSource = receiver.source as { address?: string } | null;
    receiver.set_source({ address: remoteSource?.address } as never);
    receiver.set_target({ address, capabilities } as never);
    this.open.set(receiver, { receiver, target, capabilities });
    receiver.on('message', (ctx) => this.onMessage(ctx));
    this.topUp(receiver);
  }

  detach(receiver: Receiver): void {
    this.open.delete(receiver);
  }

  /** Re-apply the credit policy to every open link (after stallAfter/resumeCredit). */
  reapplyCredit(): void {
    for (const r of this.open.keys()) this.topUp(r);
  }

  private topUp(receiver: Receiver): void {
    if (!receiver.is_open()) return;
    const budget = this.faults.creditBudget;
    const max = Math.min(this.options.creditWindow, budget);
    const credit = creditOf(receiver);
    if (credit > max) {
      setCredit(receiver, max);
    } else if (credit < max && (credit <= this.options.lowCredit || budget !== Number.POSITIVE_INFINITY)) {
      receiver.add_credit(max - credit);
    }
  }

  private onMessage(ctx: EventContext): void {
    const receiver = ctx.receiver!;
    const delivery = ctx.delivery!;
    const link = this.open.get(receiver);
    // After a cut, rhea still walks the frames left in the last read buffer: they never arrived.
    if (!link || socketOf(ctx.connection)?.destroyed) return;
    const format = (ctx as { format?: number }).format ?? 0;
    const raw = format === 0 ? takeRaw(receiver) ?? Buffer.alloc(0) : (ctx.message as unknown as Buffer);
    const message = format === 0 ? (ctx.message as Message) : undefined;

    if (link.target === 'management') {
      this.management.handle(ctx.connection, delivery, raw, message);
      this.topUp(receiver);
      flushFrames(ctx.connection);
      return;
    }

    const decision = this.faults.next();
    if (decision.dropConnection && !decision.storeBeforeDrop) {
      this.options.dropConnection(receiver);
      return;
    }
    const planned = decision.outcome;
    if (planned?.kind === 'reject') delivery.reject(planned.error);
    else if (planned?.kind === 'release') delivery.release();
    else if (planned?.kind === 'modify') {
      delivery.modified({ delivery_failed: planned.deliveryFailed, undeliverable_here: planned.undeliverableHere });
    } else {
      const outcome = this.router.route(link.target, link.capabilities, raw, message, format);
      if (outcome.kind === 'reject') delivery.reject({ condition: outcome.condition, description: outcome.description });
      else delivery.accept();
    }
    if (decision.dropConnection) {
      // Before the disposition above is written: the client never learns the outcome.
      this.options.dropConnection(receiver);
      return;
    }
    this.topUp(receiver);
    flushFrames(ctx.connection);
  }
}
