/**
 * The proof: per queue, what the journal held against what the target confirmed, as log lines and
 * as the Kubernetes termination message (what `kubectl describe pod` shows after exit). Kept under
 * the 4 KiB the kubelet reads.
 */
import fs from 'node:fs';
import type { Logger } from 'pino';

export interface ReconciliationRow {
  queue: string;
  pending: number;
  confirmed: number;
  inDoubt: number;
  unreadable: number;
  rejected: number;
  skipped?: string;
  /** In-doubt messages of this queue as parked copies (pending = how many, confirmed = parked so far). */
  parked?: boolean;
}

export function logReconciliation(rows: ReconciliationRow[], log: Logger): void {
  for (const r of rows) {
    const ok = r.confirmed >= r.pending && r.rejected === 0 && r.unreadable === 0 && !r.skipped;
    log[ok ? 'info' : 'warn'](
      { queue: r.queue, pending: r.pending, confirmed: r.confirmed, inDoubt: r.inDoubt, unreadable: r.unreadable, rejected: r.rejected, skipped: r.skipped, parked: r.parked },
      ok ? 'queue reconciled' : 'queue NOT reconciled',
    );
  }
}

export function terminationMessage(exitCode: number, reason: string, rows: ReconciliationRow[], extra: string[] = []): string {
  const lines = [`artemis-drainer exit ${exitCode}: ${reason}`, ...extra, 'queue pending confirmed in-doubt unreadable rejected'];
  const bad = rows.filter((r) => r.confirmed < r.pending || r.rejected > 0 || r.unreadable > 0 || r.inDoubt > 0 || r.skipped || r.parked);
  const good = rows.filter((r) => !bad.includes(r));
  for (const r of [...bad, ...good]) {
    lines.push(`${r.queue} ${r.pending} ${r.confirmed} ${r.inDoubt} ${r.unreadable} ${r.rejected}${r.skipped ? ` (skipped: ${r.skipped})` : ''}`);
  }
  let text = lines.join('\n');
  if (text.length > 4000) text = `${text.slice(0, 3900)}\n… ${rows.length} queues in all, see the log`;
  return text + '\n';
}

/** Best effort: the file exists in a pod; running locally it usually does not. */
export function writeTerminationMessage(file: string, text: string, log: Logger): void {
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    log.debug({ file, err: (e as Error).message }, 'termination message not written');
  }
}
