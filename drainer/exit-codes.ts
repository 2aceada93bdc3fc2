/**
 * Process exit codes. They are a contract with the scale-down controller, which deletes the
 * broker's volume when the cleanup pod exits 0: 0 must only ever mean "done and proven".
 */
export const ExitCode = {
  /** Read cleanly (inspect/export). */
  OK: 0,
  /** Unexpected internal failure (a bug): nothing was concluded. */
  INTERNAL: 1,
  /** Bad command line. */
  USAGE: 2,
  /** Not an Artemis 2.x data directory (missing, empty, not a journal, or Artemis 1.x data). */
  NOT_ARTEMIS_DATA: 3,
  /** Read, but with diagnostics of severity error (some data may be unreadable). */
  DIAGNOSTICS: 4,
  /** drain: no target broker could be reached before --wait-for-target ran out. */
  NO_TARGET: 10,
  /** drain: the target refused our credentials (SASL / authorization). */
  TARGET_AUTH: 11,
  /** drain: a destination on the target conflicts with the journal's (address, routing type, filter). */
  TARGET_CONFLICT: 12,
  /** drain: the target rejected messages (or management operations) with an error. */
  TARGET_REJECTED: 13,
  /** drain: the deadline came before every message was confirmed. */
  INCOMPLETE: 14,
  /** drain: prepared (in-doubt) XA transactions are present: their messages were not moved. */
  PREPARED_TRANSACTIONS: 15,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
