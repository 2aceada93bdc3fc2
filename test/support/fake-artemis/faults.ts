/**
 * Faults a test can arm at run time. They apply to messages arriving on producer links (never to
 * management requests), counted from the moment they are armed.
 */
import type { AmqpError } from 'rhea';

export type PlannedOutcome =
  | { kind: 'reject'; error: AmqpError }
  | { kind: 'release' }
  | { kind: 'modify'; deliveryFailed: boolean; undeliverableHere: boolean };

/** What to do with one arriving message. */
export interface FaultDecision {
  /** Settle with this outcome instead of storing (undefined: store and accept as usual). */
  outcome: PlannedOutcome | undefined;
  /** Destroy the TCP connection after handling this message, before its disposition is written. */
  dropConnection: boolean;
  /** With dropConnection: whether this last message is stored before the drop. */
  storeBeforeDrop: boolean;
}

export class FaultPlan {
  private readonly outcomes: PlannedOutcome[] = [];
  private dropAfter: { remaining: number; storeLast: boolean } | undefined;
  /** Messages still allowed before credit stops (Infinity: not stalled). */
  creditBudget = Number.POSITIVE_INFINITY;

  /** The next n messages are rejected with `error` (default amqp:internal-error). */
  rejectNext(n: number, error: AmqpError = { condition: 'amqp:internal-error', description: 'injected rejection' }): void {
    for (let i = 0; i < n; i++) this.outcomes.push({ kind: 'reject', error });
  }

  /** The next n messages are released (not stored). */
  releaseNext(n: number): void {
    for (let i = 0; i < n; i++) this.outcomes.push({ kind: 'release' });
  }

  /** The next n messages get the modified outcome (not stored). */
  modifyNext(n: number, opts: { deliveryFailed?: boolean; undeliverableHere?: boolean } = {}): void {
    for (let i = 0; i < n; i++) {
      this.outcomes.push({ kind: 'modify', deliveryFailed: opts.deliveryFailed ?? true, undeliverableHere: opts.undeliverableHere ?? false });
    }
  }

  /** After n more messages the connection carrying the n-th is destroyed abruptly. */
  dropConnectionAfter(n: number, opts: { storeLast?: boolean } = {}): void {
    if (n < 1) throw new Error('dropConnectionAfter needs n >= 1');
    this.dropAfter = { remaining: n, storeLast: opts.storeLast ?? true };
  }

  /** After n more messages, no producer link gets any more credit (outstanding credit is revoked). */
  stallAfter(n: number): void {
    this.creditBudget = Math.max(0, n);
  }

  resumeCredit(): void {
    this.creditBudget = Number.POSITIVE_INFINITY;
  }

  clear(): void {
    this.outcomes.length = 0;
    this.dropAfter = undefined;
    this.creditBudget = Number.POSITIVE_INFINITY;
  }

  /** Consume the plan for one arriving message. */
  next(): FaultDecision {
    const outcome = this.outcomes.shift();
    let dropConnection = false;
    let storeBeforeDrop = true;
    if (this.dropAfter && --this.dropAfter.remaining === 0) {
      dropConnection = true;
      storeBeforeDrop = this.dropAfter.storeLast;
      this.dropAfter = undefined;
    }
    if (this.creditBudget !== Number.POSITIVE_INFINITY) this.creditBudget = Math.max(0, this.creditBudget - 1);
    return { outcome, dropConnection, storeBeforeDrop };
  }
}
