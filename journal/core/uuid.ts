/** §1.9 Artemis UUID: 16 raw bytes, shown as lower-case 8-4-4-4-12 hex. */

/** Text form of the 16 bytes at `offset` (the caller has checked they exist). */
export function formatUuid(buf: Buffer, offset: number): string {
  const hex = buf.toString('hex', offset, offset + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
