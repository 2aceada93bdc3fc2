/** Text helpers of the AMQP decoder: strict UTF-8 and the textual uuid form. */

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes UTF-8, or returns null when the bytes are not valid UTF-8. Buffer#toString is fast but
 * silently substitutes U+FFFD; only text containing U+FFFD (rare) pays for the strict check.
 */
export function decodeUtf8(bytes: Buffer): string | null {
  const text = bytes.toString('utf8');
  if (!text.includes('\ufffd')) return text;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Lower-case 8-4-4-4-12 hex of the 16 bytes at `offset` (the caller checked they exist). */
export function formatAmqpUuid(buf: Buffer, offset: number): string {
  const h = buf.toString('hex', offset, offset + 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
