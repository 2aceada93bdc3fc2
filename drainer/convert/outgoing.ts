/**
 * A message ready to send over AMQP 1.0: its complete encoding (header … footer) as parts that are
 * either bytes in hand or regions of a large-message file, so that a 20 MiB body is streamed from
 * disk rather than held whole.
 */
import type { ByteSource } from '../../journal/model/message.js';

export interface OutgoingMessage {
  /**
   * The encoded AMQP message, in order. Concatenated, the parts are the transfer payload.
   * A `file` part with `zlib: true` (a compressed core large body) stands for the *inflated*
   * bytes of that region, not the bytes on disk: its length on the wire is the one declared by
   * the data-section header just before it (measured by the converter), not `length`. Read parts
   * through `outgoingChunks` / `readOutgoing` (outgoing-bytes.ts), which inflate such parts and
   * check the total against `size`.
   */
  parts: ByteSource[];
  /** Total size in bytes on the wire (sum of the parts, inflated sizes for zlib parts). */
  size: number;
  /** AMQP message-format of the transfer (0 for standard AMQP messages). */
  format: number;
  /** The `_AMQ_DUPL_ID` the message carries (kept from the source, or the drainer's deterministic one). */
  duplicateId: string | Buffer;
  /** What the receiving side should see, for verification and logs (priority as the broker caps it, 0–9). */
  durable: boolean;
  priority: number;
}

/** Facts about the drain that a conversion needs. */
export interface ConversionContext {
  /** Node id of the source broker (server.lock), or a stable stand-in. */
  sourceNodeId: string;
  /** Name of the queue the message is sent to. */
  queue: string;
  /** The address the queue belongs to (for `to` and routing annotations). */
  address: string;
  /** 'ANYCAST' or 'MULTICAST': the queue's routing type. */
  routingType: 'ANYCAST' | 'MULTICAST';
  /** Delivery count recorded for this message on this queue. */
  deliveryCount: number;
  /** Scheduled delivery time recorded for this queue (ms), 0 = none. */
  scheduledTime: number;
  /** Clock for TTL arithmetic (ms since epoch). */
  now: number;
}
