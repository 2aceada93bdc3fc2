/**
 * QUEUE_STATUS_RECORD (22) and ADDRESS_STATUS_RECORD (46), §8.3: a live PAUSED record means the
 * queue/address was paused by management (resuming deletes the record).
 */
import { BufferReader } from '../binary/reader.js';

export type PauseStatus = 'PAUSED' | 'RUNNING';

export interface StatusRecord {
  /** Queue id (type 22) or address id (type 46) the status belongs to. */
  targetId: bigint;
  /** null when the stored value is neither 0 nor 1. */
  status: PauseStatus | null;
  rawStatus: number;
}

export function decodeStatusRecord(body: Buffer): StatusRecord {
  const r = new BufferReader(body);
  const targetId = r.i64();
  const rawStatus = r.i16();
  const status = rawStatus === 0 ? 'PAUSED' : rawStatus === 1 ? 'RUNNING' : null;
  return { targetId, status, rawStatus };
}
