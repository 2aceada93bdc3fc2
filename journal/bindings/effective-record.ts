/** One live record of the bindings journal, as the transaction loader hands it to a consumer. */
export interface EffectiveRecord {
  id: bigint; // journal record id
  userType: number; // user record type (§8 table)
  body: Buffer; // payload (a copy you may keep)
  isUpdate: boolean;
  file: string; // data-dir-relative file name, for diagnostics
  offset: number; // byte offset of the record in that file
}
