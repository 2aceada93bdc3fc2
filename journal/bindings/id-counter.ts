/**
 * ID_COUNTER_RECORD (24, §8.4): the upper bound of the id block the broker had reserved. Every
 * id this broker handed out (messages, queues, transactions, records) is at most the highest one.
 */
import { BufferReader } from '../binary/reader.js';

export function decodeIdCounter(body: Buffer): bigint {
  return new BufferReader(body).i64();
}
