/**
 * A message received from the parking queue: its park annotations and the enclosed message's
 * bytes (the envelope's data section). Anything else found there is not ours and is left alone.
 */
import type { Message } from 'rhea-promise';
import { readParkAnnotations, type ParkInfo } from '../prepared/park-annotations.js';

export interface ParkedMessage {
  info: ParkInfo;
  /** The enclosed message, exactly as the drain would have sent it to its queue. */
  payload: Buffer;
}

export function readParked(m: Message): ParkedMessage | null {
  const info = readParkAnnotations(m.message_annotations as Record<string, unknown> | undefined);
  const body = m.body as { typecode?: number; content?: unknown; multiple?: boolean } | undefined;
  if (!info || !body || body.typecode !== 0x75 || body.multiple || !Buffer.isBuffer(body.content)) return null;
  return { info, payload: body.content };
}

/** What resolving does with one parked message: commit delivers sends, rollback delivers acks. */
export function forwards(info: ParkInfo, decision: 'commit' | 'rollback'): boolean {
  return decision === 'commit' ? info.operation === 'send' : info.operation === 'ack';
}
