/**
 * Puts one OutgoingMessage on a sender link as one delivery. Large ones are streamed part by part
 * (file regions read on demand, zlib parts inflated on the way), so a big body is never held whole.
 * `failed` reports a delivery that could not be completed (its source unreadable, too large for the
 * link, the link or connection gone): the link gives no outcome event for those.
 */
import type { Sender } from 'rhea-promise';
import type { OutgoingMessage } from '../convert/outgoing.js';
import { sendStreaming } from '../amqp/streaming-send.js';
import { linkInternals, rheaSenderOf } from '../amqp/rhea-internals.js';
import { coalesceWrites } from '../amqp/write-coalescing.js';
import { DeliveryError } from '../amqp/delivery-error.js';

export interface SentDelivery {
  delivery: object;
  /** Resolves when the delivery was written or settled; rejects with a DeliveryError otherwise. */
  done: Promise<unknown>;
}

export function sendOutgoing(sender: Sender, out: OutgoingMessage): SentDelivery {
  const link = rheaSenderOf(sender);
  coalesceWrites(linkInternals(link).connection.socket);
  const s = sendStreaming(link, out);
  return { delivery: s.delivery, done: s.done };
}

/** A failure of this message only (the next one may go through), as opposed to the link's. */
export function isMessageFailure(e: unknown): boolean {
  return e instanceof DeliveryError && (e.kind === 'source' || e.kind === 'too-large');
}
