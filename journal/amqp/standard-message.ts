/**
 * §10.4: AMQP messages stored whole in the record (persisters 2 = v1, 3 = v2, 5 = v3).
 */
import { BufferReader, DecodeError } from '../binary/reader.js';
import { readNullableSimpleString } from '../binary/strings.js';
import type { MessageContext } from '../messages/context.js';
import type { TypedMap } from '../model/typed-value.js';
import { readTypedProperties } from '../core/typed-properties.js';
import {
  effectiveDurable,
  effectivePriority,
  expiryFromProperties,
  scanAmqpFacts,
  type AmqpFacts,
} from './facts.js';
import type { AmqpStoredMessage } from './stored-message.js';

export const AMQP_V1 = 2;
export const AMQP_V2 = 3;
export const AMQP_V3 = 5;

/** Decodes the record after its persister id byte; bytes kept are copied. */
export function decodeStandardAmqp(persister: number, r: BufferReader, ctx: MessageContext): AmqpStoredMessage {
  const messageId = r.i64();
  const messageFormat = r.i64();
  const address = readNullableSimpleString(r);
  const dataLength = r.i32();
  const amqpData = Buffer.from(r.bytes(dataLength, 'AMQP message data'));
  let extraProperties: TypedMap = new Map();
  let storedExpiration: bigint | null = null;
  if (persister === AMQP_V2 || persister === AMQP_V3) {
    extraProperties = readExtraProperties(r);
    if (persister === AMQP_V3) storedExpiration = r.i64();
  }

  const facts = factsOrDefaults(amqpData, persister !== AMQP_V3, ctx, messageId);
  return {
    protocol: 'amqp',
    messageId,
    large: false,
    messageFormat,
    address,
    durable: effectiveDurable(facts.header),
    priority: effectivePriority(facts.header),
    expiration: storedExpiration !== null ? Number(storedExpiration) : expiryFromProperties(facts.absoluteExpiry),
    ttl: facts.header?.ttl ?? null,
    extraProperties,
    encoded: [{ kind: 'buffer', data: amqpData }],
    persister,
  };
}

/** `i32 size` + TypedProperties of exactly that size (0 = none). */
export function readExtraProperties(r: BufferReader): TypedMap {
  const size = r.i32();
  if (size === 0) return new Map();
  const sub = r.sub(size, 'AMQP extra properties');
  const props = readTypedProperties(sub);
  if (sub.remaining !== 0) sub.fail(`AMQP extra properties leave ${sub.remaining} of ${size} bytes unread`);
  return props;
}

/**
 * Header facts of a stored encoding. Damaged sections do not lose the message (its bytes can still
 * be re-sent): they give a warning and the broker defaults.
 */
function factsOrDefaults(
  amqpData: Buffer,
  wantProperties: boolean,
  ctx: MessageContext,
  messageId: bigint,
): AmqpFacts {
  const facts: AmqpFacts = { header: null, absoluteExpiry: null };
  try {
    // Walks every section so that damage is reported here rather than when sending.
    return scanAmqpFacts(new BufferReader(amqpData), wantProperties, facts, true);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    ctx.diagnostics.warning(
      ctx.where.file,
      ctx.where.offset,
      `AMQP message ${messageId}: sections undecodable at byte ${e.at} of its ${amqpData.length}-byte encoding: ` +
        `${e.message}; kept as raw bytes, header facts ${facts.header ? 'from the readable part' : 'defaulted (durable=false, priority=4)'}`,
      'AMQP sections undecodable',
    );
    return facts;
  }
}
