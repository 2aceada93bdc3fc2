/**
 * Process exit codes. They are a contract with the scale-down controller, which deletes the
 * broker's volume when the cleanup pod exits 0: 0 must only ever mean "done and proven".
 * The drain's codes start at 20, clear of the codes Node itself uses (e.g. 13 for a top-level
 * await that never settled), so a runtime failure can never pass for one of ours.
 */
export const ExitCode = {
  /** Read cleanly (inspect/export). */
  OK: 0,
  /** Unexpected internal failure (a bug), or the process ended without a result: nothing was concluded. */
  INTERNAL: 1,
  /** Bad command line. */
  USAGE: 2,
  /** Not an Artemis 2.x data directory (missing, empty, not a journal, or Artemis 1.x data). */
  NOT_ARTEMIS_DATA: 3,
  /** Read, but with diagnostics of severity error (some data may be unreadable). */
  DIAGNOSTICS: 4,
  /** drain: no target broker could be reached before --wait-for-target ran out. */
  NO_TARGET: 20,
  /** drain: the target refused our credentials (SASL / authorization). */
  TARGET_AUTH: 21,
  /** drain: a destination on the target conflicts with the journal's (address, routing type, filter). */
  TARGET_CONFLICT: 22,
  /** drain: the target rejected messages (or management operations) with an error. */
  TARGET_REJECTED: 23,
  /** drain: the deadline came before every message was confirmed. */
  INCOMPLETE: 24,
  /** drain: prepared (in-doubt) XA transactions are present: their messages were not moved. */
  PREPARED_TRANSACTIONS: 25,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
