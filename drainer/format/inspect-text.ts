/** The human `inspect` summary: what an operator needs first, prepared transactions prominent. */
import type { InspectReport } from './inspect-report.js';

export function renderInspectText(r: InspectReport): string {
  const out: string[] = [];
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = r.diagnostics.filter((d) => d.severity === 'warning').length;
  const total = r.queues.reduce((n, q) => n + (q.messageCount as number), 0);
  out.push(`Data directory  ${r.dataDir}`);
  out.push(`Format          ${r.format.hints.join('; ')}`);
  out.push(`Journal         ${r.journal.messageFiles} message file(s), ${r.journal.messageRecords} records, ${r.journal.bindingsFiles} bindings file(s)`);
  out.push(`Pending         ${total} message(s) on ${r.queues.length} queue(s)` + (r.preparedTransactions.length ? `, ${r.preparedTransactions.length} PREPARED XA TRANSACTION(S)` : ''));
  out.push(`Diagnostics     ${errors} error(s), ${warnings} warning(s)`);

  if (r.preparedTransactions.length > 0) {
    out.push('', 'PREPARED XA TRANSACTIONS (in doubt: only the transaction manager knows their outcome; drain parks them by default, see docs/in-doubt.md)');
    for (const p of r.preparedTransactions) {
      const x = p.xid;
      // The key is what `resolve --xid` takes after a drain parked them.
      out.push(x ? `  Xid formatId=${x.formatId} gtrid=${x.globalTransactionId} bqual=${x.branchQualifier}  (key ${x.formatId}:${x.globalTransactionId}:${x.branchQualifier})` : `  transaction ${p.transactionId} (Xid unreadable)`);
      for (const s of p.sends) out.push(`    send  ${s.queue}  message ${s.messageId}${s.paged ? ' (paged)' : ''}`);
      for (const a of p.acks) out.push(`    ack   ${a.queue}  message ${a.messageId}${a.paged ? ' (paged)' : ''}`);
    }
  }

  out.push('', 'Addresses');
  for (const a of r.addresses) out.push(`  ${a.name}  [${(a.routingTypes as string[]).join(',')}]${a.internal ? ' internal' : ''}${a.autoCreated ? ' auto-created' : ''}`);

  out.push('', 'Queues' + pad('', 0));
  out.push(`  ${pad('queue', 32)} ${pad('address', 24)} ${pad('type', 9)} ${pad('pending', 8)} ${pad('paged', 7)} ${pad('large', 6)} ${pad('sched', 6)} ${pad('doubt', 6)} attributes`);
  for (const q of r.queues) {
    const attrs = [
      q.filter ? `filter=${JSON.stringify(q.filter)}` : '',
      q.exclusive ? 'exclusive' : '',
      q.lastValue ? `last-value${q.lastValueKey ? `(${q.lastValueKey})` : ''}` : '',
      (q.maxConsumers as number) >= 0 ? `max-consumers=${q.maxConsumers}` : '',
      q.nonDestructive ? 'non-destructive' : '',
      q.paused ? 'PAUSED' : '',
      q.internal ? 'internal' : '',
      q.autoCreated ? 'auto-created' : '',
      q.configurationManaged ? 'from-config' : '',
    ].filter(Boolean);
    const doubt = (q.inDoubtAckCount as number) + (q.inDoubtSendCount as number);
    out.push(
      `  ${pad(String(q.name), 32)} ${pad(String(q.address), 24)} ${pad(String(q.routingType), 9)} ${pad(String(q.messageCount), 8)} ${pad(String(q.pagedCount), 7)} ${pad(String(q.largeCount), 6)} ${pad(String(q.scheduledCount), 6)} ${pad(String(doubt), 6)} ${attrs.join(' ')}`,
    );
  }

  if (r.duplicateIdCaches.length > 0) {
    out.push('', 'Duplicate-id caches');
    for (const c of r.duplicateIdCaches) out.push(`  ${c.cache}: ${c.count} id(s)`);
  }
  const cfg = Object.entries(r.configuration).filter(([, n]) => n > 0);
  if (cfg.length > 0) out.push('', `Persisted configuration  ${cfg.map(([k, n]) => `${k}=${n}`).join(' ')}`);

  if (r.diagnostics.length > 0) {
    out.push('', 'Diagnostics');
    for (const d of r.diagnostics) out.push(`  ${d.severity.toUpperCase().padEnd(7)} ${d.file ?? '-'}${d.offset !== null ? `@${d.offset}` : ''}  ${d.message}`);
  }
  return out.join('\n') + '\n';
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
