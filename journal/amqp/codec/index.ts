/** AMQP 1.0 value codec (decode side only): read, skip, measure. */
export { readAmqpValue, type ReadValueOptions } from './read-value.js';
export { skipAmqpValue, skipPayload } from './skip-value.js';
export { measureAmqpValue, type MeasuredValue } from './measure-value.js';
export { FormatCode } from './format-codes.js';
export { MAX_DEPTH, MAX_ZERO_WIDTH_ARRAY_ELEMENTS } from './limits.js';
