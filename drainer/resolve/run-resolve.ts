/**
 * `resolve`: applies the transaction manager's decision to parked in-doubt messages on a live
 * broker. It reads the parking queue through once, holding every message unsettled; for each
 * parked message of a selected Xid it delivers the enclosed message to its queue when the decision
 * says so (commit: sends; rollback: acks), waits until the target accepted it, and only then
 * accepts (removes) the parked copy. Everything else — other Xids, foreign messages — is never
 * settled and goes back to the queue untouched when the link closes.
 *
 * Restart safety: a run killed between the two steps leaves the parked copy in place; the next run
 * delivers the same bytes again, with the same `_AMQ_DUPL_ID` the direct drain would have used,
 * which an Artemis target drops as a duplicate. So a resolve re-run, or a resolve after a direct
 * drain, never doubles a message.
 *
 * Reading through: on Artemis the parking queue's MessageCount (management) says how many to
 * expect; on other brokers the queue counts as read through after --idle seconds without a message.
 */
import type { Logger } from 'pino';
import { ReceiverEvents, ConnectionEvents, type AwaitableSender, type Connection, type Delivery, type EventContext } from 'rhea-promise';
import { ExitCode } from '../exit-codes.js';
import { errorText } from '../target/connect.js';
import { ManagementClient, ManagementError } from '../target/management.js';
import { closeWithin } from '../target/bounded.js';
import { findTarget, linkTarget } from '../drain/run-drain.js';
import type { ParkInfo } from '../prepared/park-annotations.js';
import { printable } from '../prepared/xid-text.js';
import { forwards, readParked } from './parked-message.js';
import { selects } from './xid-selector.js';
import type { ResolveOptions } from './resolve-options.js';

/** Per Xid: what was found parked, and what was done. */
interface XidTally {
  info: ParkInfo;
  operations: Array<{ operation: 'send' | 'ack'; address: string; queue: string; messageId: string }>;
  forwarded: number;
  dropped: number;
  failed: number;
}

const SEND_ATTEMPTS = 5;
const INITIAL_CREDIT = 100;

export async function runResolve(opts: ResolveOptions, log: Logger, print: (line: string) => void): Promise<number> {
  const abort = new AbortController();
  const target = await findTarget(opts.connection, log, Date.now() + opts.connection.waitForTargetMs, abort.signal);
  if ('code' in target) {
    log.error({ exitCode: target.code }, target.reason);
    return target.code;
  }
  const { connection, kind } = target;
  const park = { name: opts.parkQueue, address: opts.parkQueue, routingType: 'ANYCAST' as const };
  const tallies = new Map<string, XidTally>();
  let failure: Error | null = null;
  try {
    let expected: number | null = null;
    if (kind === 'artemis') {
      const mgmt = await ManagementClient.open(connection);
      try {
        expected = Number(await mgmt.attribute(`queue.${opts.parkQueue}`, 'MessageCount'));
      } catch (e) {
        if (!(e instanceof ManagementError)) throw e;
        // No such queue, or no permission to ask: read through by time instead.
        log.info({ parkQueue: opts.parkQueue, error: e.message }, 'the parking queue\'s message count is not available');
        expected = null;
      } finally {
        await mgmt.close();
      }
    }
    if (expected !== 0) {
      const r = await readThrough(connection, kind, opts, park, expected, tallies, log);
      failure = r.failure;
      if (!failure && expected !== null && r.seen < expected) failure = new Error(`read ${r.seen} of the ${expected} messages of ${opts.parkQueue} (another consumer?)`);
    }
  } catch (e) {
    failure = e instanceof Error ? e : new Error(errorText(e));
  } finally {
    if (connection.isOpen()) await closeWithin(() => connection.close());
  }
  return report(opts, tallies, failure, log, print);
}

async function readThrough(
  connection: Connection,
  kind: 'artemis' | 'generic',
  opts: ResolveOptions,
  park: { name: string; address: string; routingType: 'ANYCAST' },
  expected: number | null,
  tallies: Map<string, XidTally>,
  log: Logger,
): Promise<{ seen: number; failure: Error | null }> {
  const src = linkTarget(park, kind, opts.connection);
  let receiver;
  try {
    receiver = await connection.createReceiver({
      name: `resolve-${opts.parkQueue}-${Date.now()}`,
      source: { address: src.address, capabilities: src.capabilities, ...(src.durable !== undefined ? { durable: src.durable } : {}) },
      autoaccept: false,
      credit_window: 0,
    });
  } catch (e) {
    if (!/not-found|does not exist/i.test(errorText(e))) throw e;
    log.info({ parkQueue: opts.parkQueue, error: errorText(e) }, 'no parking queue on the target: nothing is parked');
    return { seen: 0, failure: null };
  }
  const arrived: EventContext[] = [];
  let seen = 0;
  let failure: Error | null = null;
  let last = Date.now();
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  // A lost connection must also end a forward awaiting its outcome (rhea-promise would wait for its timeout).
  const lost = new AbortController();
  const fail = (e: Error) => {
    failure ??= e;
    lost.abort();
    notify();
  };
  receiver.on(ReceiverEvents.message, (ctx: EventContext) => {
    arrived.push(ctx);
    last = Date.now();
    notify();
  });
  let missing = false;
  receiver.on(ReceiverEvents.receiverError, (ctx: EventContext) => {
    const text = errorText(ctx.receiver?.error);
    // The queue does not exist (the attach is refused): nothing was ever parked there.
    if (seen === 0 && /not-found|does not exist/i.test(text)) {
      missing = true;
      log.info({ parkQueue: opts.parkQueue, error: text }, 'no parking queue on the target: nothing is parked');
      notify();
    } else fail(new Error(`parking queue link failed: ${text}`));
  });
  const onDisconnect = () => fail(new Error('connection to the target lost'));
  connection.on(ConnectionEvents.disconnected, onDisconnect);
  const senders = new Map<string, AwaitableSender>();
  try {
    receiver.addCredit(INITIAL_CREDIT);
    for (;;) {
      if (failure || missing) break;
      const ctx = arrived.shift();
      if (ctx) {
        seen++;
        await handle(ctx, connection, kind, opts, senders, tallies, log, lost.signal);
        if (failure) break;
        receiver.addCredit(1);
        continue;
      }
      if (expected !== null && seen >= expected) break;
      // Artemis said how many there are: wait longer before concluding another consumer has them.
      if (Date.now() - last >= (expected !== null ? Math.max(opts.idleMs, 10_000) : opts.idleMs)) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  } catch (e) {
    failure ??= e instanceof Error ? e : new Error(errorText(e));
  } finally {
    connection.removeListener(ConnectionEvents.disconnected, onDisconnect);
    // Unsettled (held) messages go back to the queue untouched when the link closes.
    if (connection.isOpen()) {
      for (const s of senders.values()) await closeWithin(() => s.close());
      await closeWithin(() => receiver.close());
    }
  }
  return { seen, failure };
}

async function handle(
  ctx: EventContext,
  connection: Connection,
  kind: 'artemis' | 'generic',
  opts: ResolveOptions,
  senders: Map<string, AwaitableSender>,
  tallies: Map<string, XidTally>,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  const delivery = ctx.delivery as Delivery;
  const parked = ctx.message ? readParked(ctx.message) : null;
  if (!parked) {
    log.warn({ parkQueue: opts.parkQueue }, 'a message on the parking queue is not a parked in-doubt message: left alone');
    return;
  }
  const { info, payload } = parked;
  let t = tallies.get(info.xidKey);
  if (!t) tallies.set(info.xidKey, (t = { info, operations: [], forwarded: 0, dropped: 0, failed: 0 }));
  t.operations.push({ operation: info.operation, address: info.address, queue: info.queue, messageId: info.messageId.toString() });
  if (opts.decision === null || !selects(opts.selector, info)) return; // held: released untouched at the end
  if (forwards(info, opts.decision)) {
    const dest = linkTarget({ name: info.queue, address: info.address, routingType: info.routingType }, kind, opts.connection);
    try {
      await deliver(connection, senders, dest, payload, info.messageFormat, signal);
    } catch (e) {
      if (signal.aborted) return; // the connection is gone: the parked copy stays, the run ends incomplete
      t.failed++;
      log.error({ xid: info.xidKey, queue: info.queue, messageId: info.messageId.toString(), error: errorText(e) }, 'the target did not take the in-doubt message: its parked copy is kept');
      return;
    }
    t.forwarded++;
  } else {
    t.dropped++;
  }
  // Only now is the parked copy removed: it is on its queue (or the decision discards it).
  delivery.accept();
}

async function deliver(
  connection: Connection,
  senders: Map<string, AwaitableSender>,
  dest: { address: string; capabilities: string[]; durable?: number },
  payload: Buffer,
  format: number,
  signal: AbortSignal,
): Promise<void> {
  let sender = senders.get(dest.address);
  if (!sender) {
    sender = await connection.createAwaitableSender({
      name: `resolve-${dest.address}-${Date.now()}`,
      target: { address: dest.address, capabilities: dest.capabilities, ...(dest.durable !== undefined ? { durable: dest.durable } : {}) },
    });
    senders.set(dest.address, sender);
  }
  let lastError: unknown = null;
  for (let attempt = 0; attempt < SEND_ATTEMPTS; attempt++) {
    for (let waited = 0; !sender.sendable() && waited < 30_000; waited += 50) {
      if (!sender.isOpen() || signal.aborted) throw new Error(`link to ${dest.address} closed`);
      await new Promise((r) => setTimeout(r, 50));
    }
    try {
      await sender.send(payload, { format, timeoutInSeconds: 60, abortSignal: signal });
      return;
    } catch (e) {
      lastError = e;
      if (signal.aborted) break;
      // rejected is final; released / modified may go through on the next attempt
      if (/rejected/i.test(errorText(e))) break;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(errorText(lastError));
}

function report(opts: ResolveOptions, tallies: Map<string, XidTally>, failure: Error | null, log: Logger, print: (line: string) => void): number {
  const rows = [...tallies.values()].sort((a, b) => a.info.xidKey.localeCompare(b.info.xidKey));
  for (const t of rows) {
    const x = t.info.xid;
    const base = {
      xid: t.info.xidKey,
      formatId: x?.formatId,
      gtrid: x?.globalTransactionId.toString('hex'),
      bqual: x?.branchQualifier.toString('hex'),
      gtridText: x ? printable(x.globalTransactionId) : undefined,
      sourceNode: t.info.sourceNode,
      sends: t.operations.filter((o) => o.operation === 'send').length,
      acks: t.operations.filter((o) => o.operation === 'ack').length,
    };
    if (opts.decision === null) {
      print(JSON.stringify({ ...base, operations: t.operations }));
    } else if (selects(opts.selector, t.info)) {
      print(JSON.stringify({ ...base, decision: opts.decision, forwarded: t.forwarded, dropped: t.dropped, failed: t.failed }));
      log.info({ xid: t.info.xidKey, decision: opts.decision, forwarded: t.forwarded, dropped: t.dropped, failed: t.failed }, `in-doubt transaction resolved: ${opts.decision}`);
    }
  }
  if (failure) {
    log.error({ exitCode: ExitCode.INCOMPLETE, error: failure.message }, 'resolve incomplete: what was not confirmed stays parked; run it again');
    return ExitCode.INCOMPLETE;
  }
  const failed = rows.reduce((n, t) => n + t.failed, 0);
  if (failed > 0) {
    log.error({ exitCode: ExitCode.TARGET_REJECTED, failed }, 'the target refused in-doubt messages: their parked copies are kept');
    return ExitCode.TARGET_REJECTED;
  }
  if (opts.decision !== null) {
    const matched = rows.filter((t) => selects(opts.selector, t.info));
    if (matched.length === 0) log.warn({ parkQueue: opts.parkQueue }, 'no parked message of the selected Xid(s): nothing to do (already resolved?)');
  }
  log.info({ exitCode: ExitCode.OK, xids: rows.length }, opts.decision === null ? 'parked in-doubt transactions listed' : 'resolve done');
  return ExitCode.OK;
}
