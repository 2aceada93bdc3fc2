/**
 * Turning any stored message into the AMQP 1.0 message the drainer sends: stored AMQP messages
 * are re-sent as their own bytes (amqp-resend.ts), core messages are converted as the broker's
 * core→AMQP converter does (core-to-amqp.ts). Both carry a duplicate-detection id and the
 * drainer's annotations.
 */
import type { StoredMessage } from '../../journal/model/message.js';
import { amqpToOutgoing } from './amqp-resend.js';
import { extractEmbedded } from './core-embedded.js';
import { coreToOutgoing } from './core-to-amqp.js';
import { ConversionError } from './errors.js';
import type { ConversionContext, OutgoingMessage } from './outgoing.js';

/**
 * Rejects with ConversionError (cause: the DecodeError or I/O error) when the message cannot be
 * sent: unreadable or missing body file, a body that does not match its type, unsupported kind.
 * Never reads a whole large body into memory except text, map and stream bodies, which must be
 * transcoded (see core-body.ts).
 */
export async function toOutgoing(msg: StoredMessage, ctx: ConversionContext): Promise<OutgoingMessage> {
  try {
    if (msg.protocol === 'amqp') return await amqpToOutgoing(msg, ctx);
    const embedded = extractEmbedded(msg);
    return embedded ? await amqpToOutgoing(embedded, ctx) : await coreToOutgoing(msg, ctx);
  } catch (e) {
    if (e instanceof ConversionError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new ConversionError(`message ${msg.messageId}: ${detail}`, msg.messageId, { cause: e });
  }
}
