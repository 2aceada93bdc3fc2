/**
 * Message annotations the drainer adds to every message it sends: the delivery count the source
 * broker recorded for the queue (targets restart theirs at 0) and where the message came from.
 */
import type { TypedValue } from '../../journal/model/typed-value.js';
import type { ConversionContext } from './outgoing.js';

export const DRAINER_DELIVERY_COUNT = 'x-opt-drainer-delivery-count';
export const DRAINER_SOURCE = 'x-opt-drainer-source';

/** `x-opt-drainer-delivery-count` (uint) and `x-opt-drainer-source` (string `<node id>:<message id>`). */
export function drainerAnnotations(ctx: ConversionContext, messageId: bigint): Array<[string, TypedValue]> {
  const count = Math.min(Math.max(0, Math.trunc(ctx.deliveryCount)), 0xffffffff);
  return [
    [DRAINER_DELIVERY_COUNT, { type: 'uint', value: count }],
    [DRAINER_SOURCE, { type: 'string', value: `${ctx.sourceNodeId}:${messageId}` }],
  ];
}
