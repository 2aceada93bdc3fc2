/**
 * The drain, end to end: read the data directory, find a surviving broker, re-create the
 * destinations, move every pending message into exactly its queue, prove it queue by queue, and
 * exit 0 only then. Every other outcome keeps the volume (non-zero) and says why, in the log and
 * in the termination message.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { ArtemisDataDirectory, QueueSummary } from '../../journal/data-directory.js';
import type { QueueInfo } from '../../journal/bindings/topology.js';
import { ExitCode } from '../exit-codes.js';
import { openDataDir } from '../commands/open-data-dir.js';
import { connectTarget, errorText, TargetAuthError, type TargetConnection } from '../target/connect.js';
import { discoverTargets } from '../target/discovery.js';
import { ManagementClient, ManagementError } from '../target/management.js';
import { DestinationCreator, planDestinations, type DestinationPlan } from '../target/destinations.js';
import type { DrainOptions } from './options.js';
import { DrainState } from './state-file.js';
import { DrainProgress } from './progress.js';
import { QueueDrainer, type LinkTarget } from './queue-drainer.js';
import { logReconciliation, terminationMessage, writeTerminationMessage, type ReconciliationRow } from './reconcile.js';
import { sourceNodeId } from './source-node.js';
import { closeWithin } from '../target/bounded.js';
import { parkTotal, queueTotal, type InDoubtPolicy } from '../prepared/policy.js';
import { parkLabel, parkPlan, queuePlan } from '../prepared/entry-plans.js';
import { parkingQueueInfo } from '../prepared/parking-queue.js';
import { preparedLine, xidFields } from '../prepared/xid-text.js';
import { checkAndRecordPolicy } from '../prepared/policy-record.js';

/** One drainer and the queue its link goes to (the parking queue for parked in-doubt copies). */
interface Job {
  drainer: QueueDrainer;
  destination: QueueInfo;
  parked: boolean;
}

const MAX_XID_LINES = 12;

export interface Outcome {
  code: number;
  reason: string;
  rows: ReconciliationRow[];
  extra?: string[];
}

export async function runDrain(opts: DrainOptions, log: Logger): Promise<number> {
  const outcome = await drain(opts, log);
  logReconciliation(outcome.rows, log);
  const level = outcome.code === ExitCode.OK ? 'info' : 'error';
  log[level]({ exitCode: outcome.code }, outcome.reason);
  writeTerminationMessage(opts.terminationLog, terminationMessage(outcome.code, outcome.reason, outcome.rows, outcome.extra), log);
  return outcome.code;
}

async function drain(opts: DrainOptions, log: Logger): Promise<Outcome> {
  const opened = await openDataDir(opts.dataDir, log);
  if (typeof opened === 'number') return { code: opened, reason: 'the data directory cannot be read as Artemis 2.x data: nothing was moved', rows: [] };
  const data = opened;
  try {
    const errors = data.diagnostics.list.filter((d) => d.severity === 'error');
    for (const d of data.diagnostics.list) log[d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warn' : 'info']({ file: d.file, offset: d.offset }, d.message);
    if (errors.length > 0 && !opts.allowDiagnostics) {
      return { code: ExitCode.DIAGNOSTICS, reason: `${errors.length} error diagnostic(s) in the data directory: refusing to drain data that may be incomplete (--allow-diagnostics accepts them)`, rows: [] };
    }
    const summaries = await data.summarize();
    const plan = planDestinations(data.queues, opts.queues);
    const byId = new Map(summaries.map((s) => [s.queue.id, s]));
    const prepared = data.preparedTransactions();
    const policy = opts.preparedTransactions;
    const skippedRows: ReconciliationRow[] = plan.skipped.map(({ queue, reason }) => {
      log.warn({ queue: queue.name, address: queue.address, messages: byId.get(queue.id)?.messageCount ?? 0 }, `queue skipped: ${reason}`);
      return { ...row(queue, byId.get(queue.id)), skipped: reason };
    });
    // Prepared transactions are what an operator must know about: one line each, Xid by Xid.
    const preparedLines = prepared.map((p) => preparedLine(p, policy, opts.parkQueue));
    prepared.forEach((p, i) => {
      const fields = { ...xidFields(p.xid, p.xidKey), sends: p.sends.length, acks: p.acks.length, policy, file: p.file, offset: p.offset };
      if (policy === 'park') log.warn(fields, preparedLines[i]!);
      else log.error(fields, preparedLines[i]!);
    });
    // The termination message has 4 KiB: the first Xids, and the queue table after them.
    const preparedNote = preparedLines.length > MAX_XID_LINES ? [...preparedLines.slice(0, MAX_XID_LINES), `… ${preparedLines.length - MAX_XID_LINES} more prepared transaction(s): see the log or inspect`] : preparedLines;

    const total = plan.queues.reduce((n, q) => n + queueTotal(byId.get(q.id), policy) + parkTotal(byId.get(q.id), policy), 0);
    // With queues but no messages the target is still needed: a durable subscription with nothing
    // pending must exist on the target, or its subscriber loses what is published meanwhile.
    if (plan.queues.length === 0) return finalOutcome(skippedRows, policy, prepared.length, preparedNote, 'nothing to drain');

    const state = DrainState.open(opts.stateDir, data.dataDir);
    if (state.resetReason) log.warn({ stateDir: opts.stateDir }, `earlier progress discarded: ${state.resetReason}`);
    if (prepared.length > 0) {
      const refused = checkAndRecordPolicy(opts.stateDir, policy, opts.parkQueue, state.resetReason !== null);
      if (refused) return { code: ExitCode.USAGE, reason: refused, rows: skippedRows, extra: preparedNote };
    }
    const nodeId = sourceNodeId(data.layout);
    const progress = new DrainProgress(log, opts.progressIntervalMs);
    const xids = new Map(prepared.map((p) => [p.xidKey, p.xid]));
    const parking = parkingQueueInfo(opts.parkQueue);
    const jobs: Job[] = [];
    for (const q of plan.queues) {
      const pending = queueTotal(byId.get(q.id), policy);
      const d = new QueueDrainer(data, q, pending, state, nodeId, opts.window, progress, log.child({ queue: q.name }), queuePlan(q, policy));
      progress.track(q.name, pending, d.counts.confirmed);
      jobs.push({ drainer: d, destination: q, parked: false });
    }
    for (const q of plan.queues) {
      const parked = parkTotal(byId.get(q.id), policy);
      if (parked === 0) continue;
      const d = new QueueDrainer(data, q, parked, state, nodeId, opts.window, progress, log.child({ queue: q.name, parkQueue: opts.parkQueue }), parkPlan(q, opts.parkQueue, nodeId, xids));
      progress.track(parkLabel(q.name, opts.parkQueue), parked, d.counts.confirmed);
      jobs.push({ drainer: d, destination: parking, parked: true });
    }
    const drainers = jobs.map((j) => j.drainer);
    const rowsOf = () => jobs.map((j) => (j.parked ? { ...rowOf(j.drainer), queue: parkLabel(j.drainer.queue.name, opts.parkQueue), inDoubt: 0, parked: true } : rowOf(j.drainer)));
    log.info({ queues: plan.queues.length, messages: total, inDoubtPolicy: policy, alreadyConfirmed: progress.totals().confirmed, sourceNode: nodeId }, 'drain starting');

    const deadline = opts.deadlineMs > 0 ? Date.now() + opts.deadlineMs : Infinity;
    const abort = new AbortController();
    // Every queue's link listens on the signal and the connection: dozens of listeners are normal.
    setMaxListeners(0, abort.signal);
    const deadlineTimer = Number.isFinite(deadline) ? setTimeout(() => abort.abort(), deadline - Date.now()) : null;
    deadlineTimer?.unref();
    progress.start();
    try {
      const result = await moveAll(data, plan, jobs, opts, abort.signal, deadline, log);
      if (result) return { ...result, rows: [...rowsOf(), ...skippedRows], extra: [...preparedNote, ...(result.extra ?? [])] };
    } finally {
      progress.stop();
      if (deadlineTimer) clearTimeout(deadlineTimer);
      state.flush(true);
    }
    const rows = [...rowsOf(), ...skippedRows];
    if (abort.signal.aborted) return { code: ExitCode.INCOMPLETE, reason: 'deadline reached before every message was confirmed: data kept', rows, extra: preparedNote };
    if (drainers.some((d) => d.counts.rejected.length > 0)) return { code: ExitCode.TARGET_REJECTED, reason: 'the target rejected messages: data kept', rows, extra: preparedNote };
    return finalOutcome(rows, policy, prepared.length, preparedNote, 'every pending message was confirmed by the target');
  } finally {
    data.close();
  }
}

/**
 * Exit 0 only when every message the policy moves is confirmed: pending ones, and the in-doubt
 * ones as parked copies (park) or heuristic deliveries (commit / rollback). Under `fail`, any
 * prepared transaction keeps the data (25); in-doubt messages of a skipped queue are never moved.
 */
function finalOutcome(rows: ReconciliationRow[], policy: InDoubtPolicy, preparedCount: number, preparedNote: string[], okReason: string): Outcome {
  const incomplete = rows.filter((r) => r.confirmed < r.pending || r.unreadable > 0 || (r.skipped && r.inDoubt > 0 && policy !== 'fail'));
  if (incomplete.length > 0) {
    return { code: ExitCode.INCOMPLETE, reason: `${incomplete.length} queue(s) not fully confirmed: data kept`, rows, extra: preparedNote };
  }
  const inDoubt = rows.reduce((n, r) => n + r.inDoubt, 0);
  if (policy === 'fail' && (preparedCount > 0 || inDoubt > 0)) {
    return {
      code: ExitCode.PREPARED_TRANSACTIONS,
      reason: `${preparedCount} prepared XA transaction(s) hold ${inDoubt} in-doubt message(s) that were not moved (--prepared-transactions=fail): data kept until they are resolved`,
      rows,
      extra: preparedNote,
    };
  }
  if (preparedCount === 0) return { code: ExitCode.OK, reason: okReason, rows };
  const parked = rows.filter((r) => r.parked).reduce((n, r) => n + r.confirmed, 0);
  const how = {
    park: `${parked} in-doubt message(s) of ${preparedCount} prepared XA transaction(s) parked with their Xid: resolve them once the transaction manager has decided`,
    commit: `${preparedCount} prepared XA transaction(s) HEURISTICALLY COMMITTED`,
    rollback: `${preparedCount} prepared XA transaction(s) HEURISTICALLY ROLLED BACK`,
  }[policy as Exclude<InDoubtPolicy, 'fail'>];
  return { code: ExitCode.OK, reason: `${okReason}; ${how}`, rows, extra: preparedNote };
}

function row(q: QueueInfo, s: QueueSummary | undefined): ReconciliationRow {
  return { queue: q.name, pending: s?.messageCount ?? 0, confirmed: 0, inDoubt: (s?.inDoubtAcks ?? 0) + (s?.inDoubtSends ?? 0), unreadable: s?.unreadable ?? 0, rejected: 0 };
}

function rowOf(d: QueueDrainer): ReconciliationRow {
  return { queue: d.queue.name, pending: d.counts.pending, confirmed: d.counts.confirmed, inDoubt: d.counts.inDoubt, unreadable: d.counts.unreadable, rejected: d.counts.rejected.length };
}

/**
 * Connects (again and again, on failure, until the deadline), prepares the destinations and runs
 * every unfinished queue. Returns an outcome only for a final refusal; null when the queues ran.
 */
async function moveAll(
  data: ArtemisDataDirectory,
  plan: DestinationPlan,
  jobs: Job[],
  opts: DrainOptions,
  signal: AbortSignal,
  deadline: number,
  log: Logger,
): Promise<Omit<Outcome, 'rows'> | null> {
  let destinationsReady = false;
  for (let attempt = 0; ; attempt++) {
    const remaining = jobs.filter((j) => !j.drainer.done);
    if ((remaining.length === 0 && destinationsReady) || signal.aborted) return null;
    const target = await findTarget(opts, log, Math.min(deadline, Date.now() + opts.waitForTargetMs), signal);
    if ('code' in target) return target;
    const { connection, kind } = target;
    connection.setMaxListeners(0);
    try {
      // Artemis: destinations through management. Other brokers declare a queue when a durable
      // sender attaches, so the first pass attaches to every queue, even one with nothing to send.
      let toRun = remaining;
      if (!destinationsReady) {
        if (kind === 'artemis') {
          const refused = await createDestinations(data, plan, jobs.some((j) => j.parked) ? jobs.find((j) => j.parked)!.destination : null, target, log);
          if (refused) return refused;
        } else {
          toRun = jobs;
        }
      }
      const results = await Promise.allSettled(toRun.map((j) => j.drainer.run(connection, linkTarget(j.destination, kind, opts), signal)));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      destinationsReady ||= kind === 'artemis' || failed.length === 0;
      if (failed.length === 0) return null;
      log.warn({ target: target.candidate.url, failures: failed.length, error: errorText(failed[0]!.reason) }, 'lost the target mid-drain: reconnecting and resuming');
    } finally {
      if (connection.isOpen()) await closeWithin(() => connection.close());
    }
  }
}

/** `address::queue` with the matching capability on Artemis; the template on other brokers. */
export function linkTarget(q: Pick<QueueInfo, 'name' | 'address' | 'routingType'>, kind: TargetConnection['kind'], opts: DrainOptions): LinkTarget {
  if (kind === 'artemis') return { address: `${q.address}::${q.name}`, capabilities: [q.routingType === 'ANYCAST' ? 'queue' : 'topic'] };
  const template = opts.addressTemplate ?? '{queue}';
  return { address: template.replaceAll('{queue}', q.name).replaceAll('{address}', q.address), capabilities: [], durable: 2 };
}

async function createDestinations(
  data: ArtemisDataDirectory,
  plan: DestinationPlan,
  parking: QueueInfo | null,
  target: TargetConnection,
  log: Logger,
): Promise<Omit<Outcome, 'rows'> | null> {
  const mgmt = await ManagementClient.open(target.connection);
  try {
    const creator = new DestinationCreator(mgmt, target.version);
    const addresses = new Set(plan.queues.map((q) => q.address));
    for (const a of data.topology.addresses.filter((x) => addresses.has(x.name))) await creator.ensureAddress(a);
    for (const q of plan.queues) await creator.ensureQueue(q);
    if (parking) {
      await creator.ensureAddress({ name: parking.address, routingTypes: ['ANYCAST'] });
      await creator.ensureQueue(parking);
    }
    if (creator.conflicts.length > 0) {
      for (const c of creator.conflicts) log.error(c, 'destination conflict: the target has this queue with different settings');
      return {
        code: ExitCode.TARGET_CONFLICT,
        reason: `${creator.conflicts.length} destination conflict(s) on the target (${creator.conflicts.map((c) => `${c.queue}.${c.field}`).join(', ')}): nothing merged, data kept`,
        extra: creator.conflicts.map((c) => `conflict ${c.queue} ${c.field}: journal ${JSON.stringify(c.journal)} target ${JSON.stringify(c.target)}`),
      };
    }
    log.info({ addresses: addresses.size, queues: plan.queues.length }, 'destinations ready on the target');
    return null;
  } catch (e) {
    if (e instanceof ManagementError) return { code: ExitCode.TARGET_REJECTED, reason: `the target refused a management operation: ${e.message}` };
    throw e;
  } finally {
    await mgmt.close();
  }
}

/**
 * Discovers and connects, retrying with back-off until `until`. Every candidate tried and why it
 * failed is logged. Refused credentials on a reachable broker end the search (exit 11).
 */
export async function findTarget(opts: DrainOptions, log: Logger, until: number, signal: AbortSignal): Promise<TargetConnection | Omit<Outcome, 'rows'>> {
  let delay = 1000;
  for (;;) {
    const found = await discoverTargets(opts);
    if (found.lookups.length > 0) log.info({ lookups: found.lookups }, 'looked up the surviving brokers');
    let authFailure: string | null = null;
    for (const c of found.candidates) {
      const creds = opts.credentials.length > 0 ? opts.credentials : [null];
      for (const cr of creds) {
        try {
          const t = await connectTarget(c, opts, cr);
          log.info({ target: c.url, via: c.source, kind: t.kind, product: t.product, version: t.version, credentials: t.credentialsSource }, 'connected to the target');
          return t;
        } catch (e) {
          if (e instanceof TargetAuthError) {
            authFailure = e.message;
            log.warn({ target: c.url, credentials: cr?.source ?? 'anonymous' }, 'credentials refused');
            continue;
          }
          log.warn({ target: c.url, via: c.source, error: errorText(e) }, 'target not reachable');
          break;
        }
      }
      if (authFailure) return { code: ExitCode.TARGET_AUTH, reason: `the target refused every set of credentials (${opts.credentials.map((x) => x.source).join(', ') || 'anonymous'}): ${authFailure}` };
    }
    if (found.candidates.length === 0) log.warn('no target candidate (no --target, and DNS gave no other broker): waiting');
    if (Date.now() + delay > until || signal.aborted) {
      return { code: ExitCode.NO_TARGET, reason: `no target broker reachable within the wait (${Math.round(opts.waitForTargetMs / 1000)} s): data kept` };
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 30_000);
  }
}
