/**
 * Why a delivery did not reach an outcome. Each kind tells the caller what is safe next: after
 * `disconnected`, `link-closed` or `session-closed` the message may or may not have arrived
 * (send it again on a new link); after `source` or `cancelled` the peer was told to discard it
 * (an aborted transfer) or never saw it; `too-large` will fail again on the same target.
 */
export type DeliveryErrorKind = 'disconnected' | 'link-closed' | 'session-closed' | 'source' | 'cancelled' | 'too-large';

export class DeliveryError extends Error {
  constructor(
    readonly kind: DeliveryErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** The payload's bytes could not be produced as promised (file short or unreadable, bad zlib stream, size mismatch). */
export class PayloadSourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PayloadSourceError';
  }
}
