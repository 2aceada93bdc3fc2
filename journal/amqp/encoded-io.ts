/**
 * The complete AMQP encoding of a stored message (what to re-send), whole or as a stream.
 */
import { Readable } from 'node:stream';
import type { AmqpMessage } from '../model/message.js';
import { EncodedParts, encodedLength } from './encoded-parts.js';

/** Default ceiling for readAmqpEncoded: bigger messages must be streamed. */
export const DEFAULT_MAX_IN_MEMORY = 256 * 1024 * 1024;

/** The whole encoding in one Buffer. Rejects (RangeError) above `maxInMemory` bytes. */
export async function readAmqpEncoded(msg: AmqpMessage, maxInMemory = DEFAULT_MAX_IN_MEMORY): Promise<Buffer> {
  const total = encodedLength(msg.encoded);
  if (total > maxInMemory) {
    throw new RangeError(`AMQP message ${msg.messageId} is ${total} bytes, above the ${maxInMemory}-byte in-memory limit`);
  }
  const only = msg.encoded.length === 1 ? msg.encoded[0]! : null;
  if (only?.kind === 'buffer') return only.data;
  const parts = await EncodedParts.open(msg.encoded);
  try {
    return Buffer.from(await parts.read(0, parts.length));
  } finally {
    await parts.close();
  }
}

/** A byte stream over all parts, in order; files are opened when the stream starts. */
export function openAmqpEncodedStream(msg: AmqpMessage, chunkSize = 1 << 20): Readable {
  async function* generate(): AsyncGenerator<Buffer> {
    const parts = await EncodedParts.open(msg.encoded);
    try {
      yield* parts.chunks(0, parts.length, chunkSize);
    } finally {
      await parts.close();
    }
  }
  return Readable.from(generate(), { objectMode: false });
}
