/**
 * One journal record that is part of the live state: a non-transactional ADD/UPDATE, or a
 * record of a transaction that committed (delivered at the commit's position), or a record of a
 * transaction that is still prepared (delivered separately, with its Xid).
 */
export interface EffectiveRecord {
  /** Journal record id. */
  id: bigint;
  /** User record type (format spec §8, §9). */
  userType: number;
  /** Payload; a copy the consumer may keep. */
  body: Buffer;
  isUpdate: boolean;
  /** Data-dir-relative file name and byte offset of the record, for diagnostics. */
  file: string;
  offset: number;
  /** Index of the file in the journal's file list and offset of `body` in it, for lazy re-reads. */
  fileIndex?: number;
  bodyOffset?: number;
  /**
   * Hot-path access without making a view: when set, the body is `buf[bodyOffset, +bodyLength)`
   * (the scan buffer, valid only during apply()). Consumers that keep a record must not keep `buf`.
   */
  buf?: Buffer;
  bodyLength?: number;
  /** The id as two 32-bit halves, when the loader has them (saves BigInt work on hot paths). */
  idHi?: number;
  idLo?: number;
  /** Message header summary made while scanning (messages/record-summary.ts), -1 when none. */
  summary?: number;
}
