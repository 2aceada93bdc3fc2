/** Journal-level record kinds (format spec §4.1) and the shape the scanner hands out. */

export const RecordType = {
  EVENT: 10,
  ADD: 11,
  UPDATE: 12,
  ADD_TX: 13,
  UPDATE_TX: 14,
  DELETE_TX: 15,
  DELETE: 16,
  PREPARE: 17,
  COMMIT: 18,
  ROLLBACK: 19,
} as const;

export type RecordTypeCode = (typeof RecordType)[keyof typeof RecordType];

export const RECORD_TYPE_NAMES: Record<number, string> = {
  10: 'EVENT',
  11: 'ADD',
  12: 'UPDATE',
  13: 'ADD_TX',
  14: 'UPDATE_TX',
  15: 'DELETE_TX',
  16: 'DELETE',
  17: 'PREPARE',
  18: 'COMMIT',
  19: 'ROLLBACK',
};

/**
 * One well-framed record as found in a file. The object itself and `body` (user payload, or the
 * PREPARE extra data, a view into the scanner's buffer) are valid only during the visit callback:
 * the scanner refills the same object for the next record.
 */
export interface RawRecord {
  type: RecordTypeCode;
  /** Byte offset of the record start in its file. */
  offset: number;
  /** Total record length (equals its checkSize). */
  length: number;
  compactCount: number;
  readonly txId: bigint;
  /** txId as a Map key without BigInt work: a Number when exact, else the bigint. */
  readonly txKey: number | bigint;
  txIdHi: number;
  txIdLo: number;
  /** The record id; also as two 32-bit halves for hot paths that avoid BigInt allocation. */
  readonly recordId: bigint;
  recordIdHi: number;
  recordIdLo: number;
  userType: number;
  /** PREPARE / COMMIT: records of the transaction in this same file (§7.3). */
  numberOfRecords: number;
  /** A view of the payload, made on first access (hot consumers read `buf` at `bodyOffset` instead). */
  readonly body: Buffer;
  /** Byte offset of `body` in the file (lets consumers re-read it later instead of keeping it). */
  bodyOffset: number;
  bodyLength: number;
  /** The whole file buffer `body` is a view of. */
  buf: Buffer;
  /** Precomputed message summary (messages/record-summary.ts), or -1 when none was made. */
  summary: number;
}

/** Fixed part of each record type for format version 2 (§4.3); version 1 is one byte shorter. */
export function fixedSize(type: number, formatVersion: number): number {
  const v1 = formatVersion < 2 ? 1 : 0;
  switch (type) {
    case RecordType.EVENT:
    case RecordType.ADD:
    case RecordType.UPDATE:
      return 23 - v1;
    case RecordType.ADD_TX:
    case RecordType.UPDATE_TX:
      return 31 - v1;
    case RecordType.DELETE_TX:
      return 30 - v1;
    case RecordType.DELETE:
    case RecordType.ROLLBACK:
      return 18 - v1;
    case RecordType.PREPARE:
      return 26 - v1;
    case RecordType.COMMIT:
      return 22 - v1;
    default:
      return -1;
  }
}
