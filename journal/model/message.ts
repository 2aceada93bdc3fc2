/**
 * The decoded form of one stored message, independent of where it was stored (journal record,
 * page file) and of its protocol. Bodies stay where they are until asked for: a `ByteSource`
 * is either bytes already in hand (small messages) or a region of a file (large messages).
 */
import type { TypedMap, TypedValue } from './typed-value.js';

/** Where a message's bytes are. File regions are read lazily, never all at once unless asked. */
export type ByteSource =
  | { kind: 'buffer'; data: Buffer }
  | {
      kind: 'file';
      /** Absolute path. */
      path: string;
      /** Path relative to the data directory, for diagnostics. */
      displayPath: string;
      offset: number;
      length: number;
      /** zlib-compressed core large message body (`_AMQ_LARGE_COMPRESSED`). */
      zlib?: boolean;
    };

/** Core message type byte (§10.3). */
export const CoreType = {
  DEFAULT: 0,
  OBJECT: 2,
  TEXT: 3,
  BYTES: 4,
  MAP: 5,
  STREAM: 6,
  EMBEDDED: 7,
  LARGE_EMBEDDED: 8,
} as const;

export const CORE_TYPE_NAMES: Record<number, string> = {
  0: 'default',
  2: 'object',
  3: 'text',
  4: 'bytes',
  5: 'map',
  6: 'stream',
  7: 'embedded',
  8: 'large-embedded',
};

export interface CoreHeaders {
  messageId: bigint;
  address: string | null;
  /** The 16-byte JMS UUID as text, or null. */
  userId: string | null;
  type: number;
  durable: boolean;
  expiration: number;
  timestamp: number;
  priority: number;
  properties: TypedMap;
}

export interface CoreMessage extends CoreHeaders {
  protocol: 'core';
  large: boolean;
  /** The raw body buffer as stored (for large messages: the `.msg` file). */
  body: ByteSource;
}

/** One AMQP 1.0 section as stored: its bytes (for byte-exact re-send) and decoded value. */
export interface AmqpSection {
  /** Section descriptor code: 0x70 header … 0x78 footer. */
  code: number;
  /** Offset and length of the whole section (descriptor included) inside the message encoding. */
  offset: number;
  length: number;
  /** Decoded value; null when the section was only located, not decoded. */
  value: TypedValue | null;
}

export interface AmqpMessage {
  protocol: 'amqp';
  messageId: bigint;
  large: boolean;
  messageFormat: bigint;
  /** The address the broker routed it to (record field), may be null. */
  address: string | null;
  durable: boolean;
  priority: number;
  /** Absolute expiration in ms (persister v3 stores it; older ones derive it at load), 0 = none. */
  expiration: number;
  /**
   * `header.ttl` in ms (relative), null when absent. Brokers restart this countdown at every load
   * for persisters without a stored expiration; the caller decides what to do with it.
   */
  ttl: number | null;
  /** Large messages only: the broker re-encoded header/annotations/properties after arrival (§11.2). */
  reencoded?: boolean;
  /** Broker-only properties (`_AMQ_AD`, `_AMQ_ORIG_*`, route ids …), not part of the AMQP bytes. */
  extraProperties: TypedMap;
  /** The complete AMQP encoding to re-send (for large messages: rebuilt from file + record, §11.2). */
  encoded: ByteSource[];
  /** Persister id the record used (2, 3, 4 or 5). */
  persister: number;
}

export type StoredMessage = CoreMessage | AmqpMessage;
