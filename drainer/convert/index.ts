/** Stored message → AMQP 1.0 message to send. */
export { toOutgoing } from './to-outgoing.js';
export { outgoingChunks, readOutgoing, MAX_OUTGOING_IN_MEMORY } from './outgoing-bytes.js';
export { ConversionError } from './errors.js';
export { drainerDuplicateId, DUPLICATE_ID } from './duplicate-id.js';
export { DRAINER_DELIVERY_COUNT, DRAINER_SOURCE } from './drainer-annotations.js';
export type { OutgoingMessage, ConversionContext } from './outgoing.js';
