/**
 * pino JSON logs, one line per event, always on stderr: stdout carries data (`export`, `--json`).
 */
import { pino, type Logger } from 'pino';

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level,
      base: { app: 'artemis-drainer' },
      // Never let a credential reach a log line, whatever object is logged.
      redact: { paths: ['password', '*.password', 'credentials', '*.credentials', 'token', '*.token'], censor: '[redacted]' },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
