/**
 * §3.1 EMBEDDED (7): a non-core message that crossed a core bridge is stored as a core message
 * whose body is "EMB" followed by the persister encoding of the original. The original (an AMQP
 * message) is what gets sent. The large variants (a large EMBEDDED message, LARGE_EMBEDDED 8:
 * record in a property, body in the core large-message file) are not supported.
 */
import { BufferReader } from '../../journal/binary/reader.js';
import { Diagnostics } from '../../journal/diagnostics.js';
import { decodePersistedMessage } from '../../journal/messages/persisted.js';
import { CoreType, type AmqpMessage, type CoreMessage } from '../../journal/model/message.js';
import { ConversionError } from './errors.js';

const SIGNATURE = Buffer.from('EMB', 'ascii');

/**
 * The embedded AMQP message, or null when the body does not hold one (the message is then
 * converted as a plain core message, as the broker does). Throws ConversionError for the large
 * variants.
 */
export function extractEmbedded(msg: CoreMessage): AmqpMessage | null {
  if (msg.type !== CoreType.EMBEDDED && msg.type !== CoreType.LARGE_EMBEDDED) return null;
  if (msg.large || msg.type === CoreType.LARGE_EMBEDDED || msg.body.kind !== 'buffer') {
    throw new ConversionError(
      `message ${msg.messageId}: large embedded (cluster store-and-forward) AMQP messages are not supported`,
      msg.messageId,
    );
  }
  const body = msg.body.data;
  if (body.length < SIGNATURE.length || !body.subarray(0, SIGNATURE.length).equals(SIGNATURE)) return null;
  try {
    const ctx = { dataDir: '', largeMessagesDir: null, diagnostics: new Diagnostics(), where: { file: '', offset: 0 } };
    const inner = decodePersistedMessage(new BufferReader(body, SIGNATURE.length), ctx);
    if (inner.protocol !== 'amqp' || inner.large) return null;
    // The drainer tracks (and de-duplicates) the message under the id it was stored with.
    return { ...inner, messageId: msg.messageId };
  } catch {
    return null;
  }
}
