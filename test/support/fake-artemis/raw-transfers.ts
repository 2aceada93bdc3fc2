/**
 * Keeps the exact bytes of each incoming delivery. rhea decodes a transfer's payload and throws the bytes
 * away; wrapping the server connection's on_transfer lets us collect the frames' payloads first, so the
 * message handler (run synchronously inside the original on_transfer) can read them.
 */
import type { Connection, Receiver } from 'rhea';
import { guts, type TransferFrame } from './rhea-internals.js';

const partial = new WeakMap<object, Buffer[]>();
const complete = new WeakMap<object, Buffer>();

export function captureRawTransfers(connection: Connection): void {
  const g = guts(connection);
  const original = g.on_transfer.bind(connection);
  g.on_transfer = (frame: TransferFrame) => {
    const session = g.remote_channel_map[frame.channel];
    const link = session?.remote.handles[frame.performative.handle];
    if (link) {
      if (frame.performative.aborted) {
        partial.delete(link);
      } else {
        const parts = partial.get(link) ?? [];
        if (frame.payload) parts.push(frame.payload);
        if (frame.performative.more) {
          partial.set(link, parts);
        } else {
          partial.delete(link);
          complete.set(link, parts.length === 1 ? Buffer.from(parts[0]) : Buffer.concat(parts));
        }
      }
    }
    original(frame);
  };
}

/** The payload of the delivery the receiver's 'message' event is currently reporting. */
export function takeRaw(receiver: Receiver): Buffer | undefined {
  const raw = complete.get(receiver);
  complete.delete(receiver);
  return raw;
}
