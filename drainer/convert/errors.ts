/** A stored message that cannot be turned into an AMQP message (unreadable body, unsupported kind). */
export class ConversionError extends Error {
  constructor(
    message: string,
    /** Broker message id of the stored message. */
    readonly messageId: bigint,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConversionError';
  }
}
