/**
 * §5: the duplicate-detection id (`_AMQ_DUPL_ID`) a message is sent with. An id the message
 * already has is kept, with its type (string or binary: the target hashes them differently);
 * otherwise the drainer adds a deterministic string id per (source node, message, queue), so a
 * re-run after a crash is dropped by an Artemis target's duplicate cache instead of doubled.
 */
import type { TypedValue } from '../../journal/model/typed-value.js';
import type { ConversionContext } from './outgoing.js';

export const DUPLICATE_ID = '_AMQ_DUPL_ID';

/** `drainer:<sourceNodeId>:<messageId>:<queue>`. */
export function drainerDuplicateId(ctx: ConversionContext, messageId: bigint): string {
  return `drainer:${ctx.sourceNodeId}:${messageId}:${ctx.queue}`;
}

/** What an existing id value is on the wire: string, or bytes for binary/byte[] ids. */
export function duplicateIdValue(v: TypedValue): string | Buffer {
  switch (v.type) {
    case 'string':
    case 'symbol':
    case 'char':
      return v.value;
    case 'bytes':
    case 'binary':
      return v.value;
    default:
      return String(v.value);
  }
}
