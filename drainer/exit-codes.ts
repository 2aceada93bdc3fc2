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
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
