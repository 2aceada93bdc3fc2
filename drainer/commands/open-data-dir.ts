/** Opening a data directory for a command: refusals become exit codes with one clear log line. */
import path from 'node:path';
import type { Logger } from 'pino';
import { ArtemisDataDirectory, NotArtemisDataError } from '../../journal/data-directory.js';
import type { Diagnostics } from '../../journal/diagnostics.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { collectGarbage } from '../memory.js';
import { checkBrokerLock, readLockState } from './broker-lock.js';
import { explainNotData, preflight } from './data-dir-preflight.js';

let ignoreLock = false;

/** `--ignore-lock`: read a data directory even though a live process holds the broker's lock. */
export function setIgnoreLock(value: boolean): void {
  ignoreLock = value;
}

export async function openDataDir(dir: string, log: Logger): Promise<ArtemisDataDirectory | ExitCodeValue> {
  // Unreadable parts are refused before reading: the reader would otherwise see a missing folder
  // or file, and a missing journal is indistinguishable from an empty one.
  const refusal = preflight(dir);
  if (refusal) {
    log.error({ dataDir: dir, file: refusal.file, code: refusal.code }, refusal.message);
    return ExitCode.NOT_ARTEMIS_DATA;
  }
  const locked = refuseIfLocked(dir, log);
  if (locked !== null) return locked;
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
      const better = e.reason === 'not-a-data-directory' ? explainNotData(dir) : null;
      log.error({ dataDir: dir, reason: better?.reason ?? e.reason, ...(better?.file ? { file: better.file } : {}) }, better?.message ?? e.message);
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

/**
 * A broker that still runs owns the data: its files change under the reader, and what is moved
 * would also be delivered by the broker. Refused unless --ignore-lock.
 */
function refuseIfLocked(dir: string, log: Logger): ExitCodeValue | null {
  const root = path.resolve(dir);
  const check = checkBrokerLock([root, path.join(root, 'journal'), path.join(root, 'data'), path.join(root, 'data', 'journal')]);
  if (!check.checked) {
    if (check.files.length > 0) log.warn({ lockFiles: check.files }, 'cannot tell whether a live broker holds the lock (no /proc/locks): make sure the broker is stopped');
    return null;
  }
  const h = check.held[0];
  if (!h) return null;
  const state = readLockState(h.file);
  const fields = { dataDir: dir, file: h.file, pid: h.pid, lock: `${h.kind} ${h.access} ${h.range}`, nodeState: state?.state, nodeId: state?.nodeId };
  if (ignoreLock) {
    log.warn(fields, `a live process (pid ${h.pid}) holds the broker lock on this data directory: reading it anyway (--ignore-lock); what is read may be inconsistent`);
    return null;
  }
  log.error(
    fields,
    `the data directory is locked by a live process: pid ${h.pid} holds a lock on ${h.file}, so a broker is still using it. ` +
      'Stop the broker first (or work on a copy); --ignore-lock reads it anyway',
  );
  return ExitCode.DATA_DIR_LOCKED;
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
