/**
 * Entry points for AMQP messages stored by the broker (§10.4, §10.5, §11.2): decoding a record,
 * the indexing fast path, reading/streaming the encoding to re-send, and describing it.
 */
import type { BufferReader } from '../binary/reader.js';
import type { MessageContext } from '../messages/context.js';
import type { AmqpMessage } from '../model/message.js';
import { AMQP_LARGE, decodeLargeAmqp } from './large-message.js';
import { AMQP_V1, AMQP_V2, AMQP_V3, decodeStandardAmqp } from './standard-message.js';

export { peekAmqpSummary, type AmqpSummary } from './summary.js';
export { readAmqpEncoded, openAmqpEncodedStream, DEFAULT_MAX_IN_MEMORY } from './encoded-io.js';
export { describeAmqpMessage, type DescribeOptions } from './describe.js';
export { amqpTtl, type AmqpStoredMessage } from './stored-message.js';
export type { AmqpView } from './view.js';

/**
 * Decodes an AMQP record after its persister id byte (2, 3, 5: message in the record; 4: large
 * message, body in large-messages/<id>.msg). The returned object also carries `ttl` (and
 * `reencoded` for large messages): see AmqpStoredMessage / amqpTtl. Bytes kept are copies.
 * Throws DecodeError for a damaged record; a missing large-message file is an error diagnostic
 * at ctx.where and the message is still returned.
 */
export function decodeAmqpPersisted(persister: number, r: BufferReader, ctx: MessageContext): AmqpMessage {
  switch (persister) {
    case AMQP_V1:
    case AMQP_V2:
    case AMQP_V3:
      return decodeStandardAmqp(persister, r, ctx);
    case AMQP_LARGE:
      return decodeLargeAmqp(r, ctx);
    default:
      return r.fail(`persister ${persister} is not an AMQP persister`);
  }
}
