/** Opening a data directory for a command: refusals become exit codes with one clear log line. */
import type { Logger } from 'pino';
import { ArtemisDataDirectory, NotArtemisDataError } from '../../journal/data-directory.js';
import type { Diagnostics } from '../../journal/diagnostics.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { collectGarbage } from '../memory.js';

export async function openDataDir(dir: string, log: Logger): Promise<ArtemisDataDirectory | ExitCodeValue> {
  try {
    const t0 = performance.now();
    const data = await ArtemisDataDirectory.open(dir);
    collectGarbage(); // indexing's leftovers go now, not at the drain's peak
    log.info(
      {
        dataDir: data.dataDir,
        queues: data.queues.length,
        journalFiles: data.journalStats.files,
        journalRecords: data.journalStats.records,
        journalMB: +(data.journalStats.bytes / 1e6).toFixed(1),
        ms: Math.round(performance.now() - t0),
      },
      'data directory indexed',
    );
    return data;
  } catch (e) {
    if (e instanceof NotArtemisDataError) {
      log.error({ dataDir: dir, reason: e.reason }, e.message);
      return ExitCode.NOT_ARTEMIS_DATA;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') {
      log.error({ dataDir: dir, code }, `cannot read the data directory: ${(e as Error).message}`);
      return ExitCode.NOT_ARTEMIS_DATA;
    }
    throw e;
  }
}

/** The exit code a reading command ends with, given what it found. */
export function exitForDiagnostics(diagnostics: Diagnostics, allow: boolean | undefined, log: Logger): ExitCodeValue {
  const errors = diagnostics.errorCount;
  if (errors === 0) return ExitCode.OK;
  if (allow) {
    log.warn({ errors }, 'error diagnostics accepted by --allow-diagnostics');
    return ExitCode.OK;
  }
  log.error({ errors }, 'the data directory was read with error diagnostics (some data may be unreadable); --allow-diagnostics accepts them');
  return ExitCode.DIAGNOSTICS;
}

export function logDiagnostics(diagnostics: Diagnostics, log: Logger): void {
  for (const d of diagnostics.list) {
    const fields = { file: d.file, offset: d.offset };
    if (d.severity === 'error') log.error(fields, d.message);
    else if (d.severity === 'warning') log.warn(fields, d.message);
    else log.info(fields, d.message);
  }
}
