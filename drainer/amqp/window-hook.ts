/**
 * Lets a delivery decide how many of its transfer frames rhea may write in one processing pass.
 *
 * rhea's Outgoing.process (lib/session.js:244-304) takes the delivery at the head of the session's
 * queue and writes min(transfer_window(), fragments left) frames at once, reading each fragment as
 * `d.data[i]`. transfer_window() is asked exactly there, once per pass, for the head delivery and
 * only when its link has credit. Overriding it on the session's Outgoing instance (never on the
 * prototype, never in node_modules) makes it the one place where a streamed delivery says "only the
 * fragments I have read from disk, and only as many as the socket can take now"; every other
 * delivery still gets rhea's own answer.
 */
import type { OutgoingDelivery, OutgoingInternals } from './rhea-internals.js';

/** A delivery that paces its own frames. */
export interface PacedDelivery {
  /**
   * Called by rhea's processing pass while this delivery is at the head of its session's queue and
   * its link has credit. `peerWindow` is rhea's own answer (the peer's remaining session incoming
   * window). Returns how many frames rhea may write now; 0 makes rhea stop this pass.
   */
  window(peerWindow: number): number;
}

const paced = new WeakMap<object, PacedDelivery>();
const hooked = new WeakSet<OutgoingInternals>();

export function pace(outgoing: OutgoingInternals, delivery: OutgoingDelivery, p: PacedDelivery): void {
  hook(outgoing);
  paced.set(delivery, p);
}

export function unpace(delivery: OutgoingDelivery): void {
  paced.delete(delivery);
}

function hook(outgoing: OutgoingInternals): void {
  if (hooked.has(outgoing)) return;
  // The function rhea would have called: the prototype's, unless someone else wrapped this instance.
  const inner = outgoing.transfer_window;
  outgoing.transfer_window = function (this: OutgoingInternals): number {
    const peerWindow = inner.call(this);
    const d = this.deliveries.by_id(this.next_pending_delivery);
    const p = d ? paced.get(d) : undefined;
    return p ? p.window(peerWindow) : peerWindow;
  };
  hooked.add(outgoing);
}
