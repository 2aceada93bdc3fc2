/**
 * What the index needs of a message record (priority, durable), packed in one int so that it can be
 * computed while scanning — possibly on another thread — and travel in a record table.
 */
import { DecodeError } from '../binary/reader.js';
import { peekCoreHeaderSummary } from '../core/core-headers.js';
import { peekCorePersistedSummary } from '../core/core-message.js';
import { peekAmqpSummary } from '../amqp/persisters.js';

/** Not a message record. */
export const NO_SUMMARY = -1;
/** A message record whose header cannot be read: the consumer decodes it again and reports why. */
export const BAD_SUMMARY = -2;

const ADD_LARGE_MESSAGE = 30;
const ADD_MESSAGE_PROTOCOL = 45;
const DURABLE_BIT = 0x100;

export function isMessageRecord(recordType: number, userType: number): boolean {
  return recordType >= 11 && recordType <= 14 && (userType === ADD_MESSAGE_PROTOCOL || userType === ADD_LARGE_MESSAGE);
}

/** The packed summary of a message body at buf[start, start + length), or BAD_SUMMARY. */
export function summarizeMessage(userType: number, buf: Buffer, start: number, length: number): number {
  try {
    const s = peekMessage(userType, buf, start, length);
    return Math.min(9, Math.max(0, s.priority)) | (s.durable ? DURABLE_BIT : 0);
  } catch (e) {
    if (e instanceof DecodeError) return BAD_SUMMARY;
    throw e;
  }
}

/** Throws DecodeError when the header cannot be read. */
export function peekMessage(userType: number, buf: Buffer, start: number, length: number): { priority: number; durable: boolean } {
  if (length < 1) throw new DecodeError('empty message record', 0);
  if (userType === ADD_LARGE_MESSAGE) return peekCoreHeaderSummary(buf, start, start + length);
  const persister = buf[start]!;
  return persister === 1 ? peekCorePersistedSummary(buf, start + 1, length - 1) : peekAmqpSummary(persister, buf, start + 1, length - 1);
}

export function summaryPriority(summary: number): number {
  return summary & 0xff;
}

export function summaryDurable(summary: number): boolean {
  return (summary & DURABLE_BIT) !== 0;
}
