/**
 * What the AMQP persisters return: the shared AmqpMessage plus facts only AMQP has.
 */
import type { AmqpMessage } from '../model/message.js';

export interface AmqpStoredMessage extends AmqpMessage {
  /**
   * `header.ttl` in ms (relative), null when absent. Brokers restart this countdown at every load
   * for persisters without a stored expiration; the caller decides what to do with it.
   */
  ttl: number | null;
  /** Large messages only: the broker re-encoded header/annotations/properties after arrival (§11.2). */
  reencoded?: boolean;
}

/** `header.ttl` of a message returned by decodeAmqpPersisted (null when absent or unknown). */
export function amqpTtl(msg: AmqpMessage): number | null {
  const ttl = (msg as Partial<AmqpStoredMessage>).ttl;
  return typeof ttl === 'number' ? ttl : null;
}
