/** The `inspect --json` document: one object describing everything a data directory holds. */
import type { ArtemisDataDirectory } from '../../journal/data-directory.js';
import type { Diagnostic } from '../../journal/diagnostics.js';
import { xidToJson } from '../../journal/binary/xid.js';

export interface InspectReport {
  dataDir: string;
  layout: { bindings: string | null; journal: string | null; largeMessages: string | null; paging: string | null };
  format: { hints: string[] };
  journal: { bindingsFiles: number; messageFiles: number; messageRecords: number; bytesRead: number };
  addresses: Array<Record<string, unknown>>;
  queues: Array<Record<string, unknown>>;
  preparedTransactions: Array<{
    xid: { formatId: number; globalTransactionId: string; branchQualifier: string } | null;
    transactionId: bigint;
    sends: Array<{ queue: string; messageId: bigint; paged: boolean }>;
    acks: Array<{ queue: string; messageId: bigint; paged: boolean }>;
  }>;
  duplicateIdCaches: Array<{ cache: string; count: number }>;
  configuration: Record<string, number>;
  diagnostics: Diagnostic[];
}

export async function buildInspectReport(data: ArtemisDataDirectory): Promise<InspectReport> {
  const summaries = await data.summarize();
  const rel = (p: string | null) => (p === null ? null : p);
  const t = data.topology;
  return {
    dataDir: data.dataDir,
    layout: {
      bindings: rel(data.layout.bindingsDir),
      journal: rel(data.layout.journalDir),
      largeMessages: rel(data.layout.largeMessagesDir),
      paging: rel(data.layout.pagingDir),
    },
    format: { hints: formatHints(data) },
    journal: {
      bindingsFiles: data.bindingsStats.files,
      messageFiles: data.journalStats.files,
      messageRecords: data.journalStats.records,
      bytesRead: data.journalStats.bytes + data.bindingsStats.bytes,
    },
    addresses: t.addresses.map((a) => ({ ...a })),
    queues: summaries.map((s) => ({
      ...s.queue,
      messageCount: s.messageCount,
      journalCount: s.journal,
      pagedCount: s.paged,
      largeCount: s.large,
      scheduledCount: s.scheduled,
      inDoubtAckCount: s.inDoubtAcks,
      inDoubtSendCount: s.inDoubtSends,
      unreadableCount: s.unreadable,
    })),
    preparedTransactions: data.preparedTransactions().map((p) => ({
      xid: p.xid ? xidToJson(p.xid) : null,
      transactionId: p.txId,
      sends: p.sends.map(({ queue, messageId, paged }) => ({ queue, messageId, paged })),
      acks: p.acks.map(({ queue, messageId, paged }) => ({ queue, messageId, paged })),
    })),
    duplicateIdCaches: [...data.duplicateIdCaches()].map(([cache, ids]) => ({ cache, count: ids.length })),
    configuration: {
      addressSettings: t.addressSettings.length,
      securitySettings: t.securitySettings.length,
      diverts: t.diverts.length,
      bridges: t.bridges.length,
      users: t.users.length,
      roles: t.roles.length,
    },
    diagnostics: data.diagnostics.list,
  };
}

/** What the files say about the broker that wrote them (there is no version stamp on disk). */
function formatHints(data: ArtemisDataDirectory): string[] {
  const hints: string[] = ['journal format version 2 (Artemis 2.x)'];
  const q = data.topology.queues;
  const maxFields = q.reduce((m, x) => Math.max(m, x.fieldsPresent ?? 0), 0);
  if (q.length > 0) hints.push(`queue records carry ${maxFields} of 25 fields (${queueFieldVersion(maxFields)})`);
  if (data.topology.addresses.some((a) => a.internal)) hints.push('address records with the internal flag (2.31+)');
  if (data.layout.legacyJmsFiles.length > 0) hints.push('legacy JMS journal present (embedded in WildFly/EAP or older)');
  return hints;
}

function queueFieldVersion(n: number): string {
  if (n >= 25) return 'written by 2.31 or later';
  if (n >= 24) return '2.15 – 2.30';
  if (n >= 23) return '2.14';
  if (n >= 22) return '2.10 – 2.13';
  if (n >= 21) return '2.8 – 2.9';
  if (n >= 11) return '2.7';
  if (n >= 10) return '2.6';
  if (n >= 9) return '2.5';
  return '2.0 – 2.4';
}
