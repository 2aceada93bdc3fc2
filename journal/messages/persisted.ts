/**
 * Dispatch on the persister id byte that starts every ADD_MESSAGE_PROTOCOL body and every
 * non-large paged message (§10.1).
 */
import { BufferReader } from '../binary/reader.js';
import type { StoredMessage } from '../model/message.js';
import type { MessageContext } from './context.js';
import { decodeCorePersisted } from '../core/core-message.js';
import { decodeAmqpPersisted } from '../amqp/persisters.js';

export const Persister = {
  CORE: 1,
  AMQP_V1: 2,
  AMQP_V2: 3,
  AMQP_LARGE: 4,
  AMQP_V3: 5,
} as const;

export function decodePersistedMessage(r: BufferReader, ctx: MessageContext): StoredMessage {
  const persister = r.u8();
  switch (persister) {
    case Persister.CORE:
      return decodeCorePersisted(r, ctx);
    case Persister.AMQP_V1:
    case Persister.AMQP_V2:
    case Persister.AMQP_LARGE:
    case Persister.AMQP_V3:
      return decodeAmqpPersisted(persister, r, ctx);
    default:
      return r.fail(`unknown message persister id ${persister}`);
  }
}
