/**
 * The bytes of an OutgoingMessage, for the sender (and tests): parts in order, file regions read
 * in chunks, zlib parts inflated on the fly. The total is checked against `size`, so a file that
 * changed since the conversion fails the message instead of sending a corrupt one.
 */
import { openCoreBodyStream } from '../../journal/core/body-source.js';
import type { OutgoingMessage } from './outgoing.js';

/** Default ceiling for readOutgoing. */
export const MAX_OUTGOING_IN_MEMORY = 256 * 1024 * 1024;

export async function* outgoingChunks(out: OutgoingMessage): AsyncGenerator<Buffer> {
  let total = 0;
  for (const p of out.parts) {
    if (p.kind === 'buffer') {
      total += p.data.length;
      yield p.data;
      continue;
    }
    for await (const chunk of openCoreBodyStream(p, p.zlib === true) as AsyncIterable<Buffer>) {
      total += chunk.length;
      yield chunk;
    }
  }
  if (total !== out.size) throw new Error(`outgoing message is ${total} bytes, ${out.size} expected`);
}

/** The whole encoded message in one Buffer; rejects (RangeError) above `maxInMemory` bytes. */
export async function readOutgoing(out: OutgoingMessage, maxInMemory = MAX_OUTGOING_IN_MEMORY): Promise<Buffer> {
  if (out.size > maxInMemory) throw new RangeError(`outgoing message of ${out.size} bytes is above the ${maxInMemory}-byte in-memory limit`);
  if (out.parts.length === 1 && out.parts[0]!.kind === 'buffer' && out.parts[0].data.length === out.size) return out.parts[0].data;
  const chunks: Buffer[] = [];
  for await (const c of outgoingChunks(out)) chunks.push(c);
  return Buffer.concat(chunks, out.size);
}
