/**
 * What the AMQP persisters return. The ttl and re-encoding facts are part of the shared model;
 * these names stay for the callers that use them.
 */
import type { AmqpMessage } from '../model/message.js';

export type AmqpStoredMessage = AmqpMessage;

/** `header.ttl` of a message returned by decodeAmqpPersisted (null when absent or unknown). */
export function amqpTtl(msg: AmqpMessage): number | null {
  return msg.ttl;
}
