/**
 * Fast path for indexing many records: id, priority, durability and expiration of an AMQP record
 * without copying the message or decoding its body.
 */
import { BufferReader, DecodeError } from '../binary/reader.js';
import {
  effectiveDurable,
  effectivePriority,
  expiryFromProperties,
  scanAmqpFacts,
  type AmqpFacts,
} from './facts.js';
import { AMQP_LARGE, largeRecordExpiration, largeRecordHeader, readLargeRecord } from './large-message.js';
import { AMQP_V1, AMQP_V2, AMQP_V3 } from './standard-message.js';

export interface AmqpSummary {
  messageId: bigint;
  priority: number;
  durable: boolean;
  /** Absolute epoch ms, 0 = none (same rule as decodeAmqpPersisted). */
  expiration: number;
}

/**
 * `buf[offset, offset + length)` is the record body after its persister id byte (the same bytes
 * decodeAmqpPersisted reads). Throws DecodeError for a damaged record; damaged AMQP sections give
 * the facts read before the damage, else the broker defaults (decodeAmqpPersisted reports them).
 */
export function peekAmqpSummary(persister: number, buf: Buffer, offset: number, length: number): AmqpSummary {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > buf.length) {
    throw new DecodeError(`AMQP record range ${offset}+${length} outside a ${buf.length}-byte buffer`, offset);
  }
  const r = new BufferReader(buf, offset, offset + length);
  if (persister === AMQP_LARGE) {
    const rec = readLargeRecord(r);
    return {
      messageId: rec.messageId,
      priority: effectivePriority(largeRecordHeader(rec)),
      durable: rec.durable,
      expiration: largeRecordExpiration(rec),
    };
  }
  if (persister !== AMQP_V1 && persister !== AMQP_V2 && persister !== AMQP_V3) {
    r.fail(`persister ${persister} is not an AMQP persister`);
  }
  const messageId = r.i64();
  r.skip(8, 'message format');
  if (r.u8() !== 0) r.skip(r.i32(), 'address');
  const data = r.sub(r.i32(), 'AMQP message data');
  let expiration: number | null = null;
  if (persister === AMQP_V3) {
    r.skip(r.i32(), 'AMQP extra properties');
    expiration = Number(r.i64());
  }
  const facts = factsOrDefaults(data, expiration === null);
  return {
    messageId,
    priority: effectivePriority(facts.header),
    durable: effectiveDurable(facts.header),
    expiration: expiration ?? expiryFromProperties(facts.absoluteExpiry),
  };
}

/** Facts found before any damage (like decodeAmqpPersisted, which also reports it). */
function factsOrDefaults(data: BufferReader, wantProperties: boolean): AmqpFacts {
  const facts: AmqpFacts = { header: null, absoluteExpiry: null };
  try {
    return scanAmqpFacts(data, wantProperties, facts);
  } catch (e) {
    if (e instanceof DecodeError) return facts;
    throw e;
  }
}
