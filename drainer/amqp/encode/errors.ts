/** A value that has no AMQP encoding (out of range, wrong shape, mixed array): a caller's bug. */
export class AmqpEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AmqpEncodeError';
  }
}
