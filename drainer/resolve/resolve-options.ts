/**
 * `resolve`'s settings: the drain's connection options (same flags, same environment fallbacks,
 * same discovery) plus what to resolve and how.
 */
import { DRAIN_OPTIONS, OptionsError, resolveDrainOptions, type DrainOptions } from '../drain/options.js';
import { parseXidSelector, XidSelectorError, type XidSelector } from './xid-selector.js';

export interface ResolveOptions {
  connection: DrainOptions;
  parkQueue: string;
  /** null: --list. */
  decision: 'commit' | 'rollback' | null;
  selector: XidSelector;
  /** No parked message for this long: the queue is taken as read through (generic targets). */
  idleMs: number;
}

/** The drain options `resolve` accepts (connection, discovery, parking queue). */
export const RESOLVE_CONNECTION_OPTIONS = [
  'target', 'headlessService', 'namespace', 'clusterDomain', 'port', 'podName', 'podIp', 'user', 'password', 'passwordFile', 'sasl',
  'caFile', 'certFile', 'keyFile', 'servername', 'tlsAllowInvalid', 'addressTemplate', 'waitForTarget', 'parkQueue',
].map((k) => ({ key: k, spec: DRAIN_OPTIONS[k]! }));

type Flags = Record<string, string | boolean | string[] | undefined>;

export function resolveResolveOptions(flags: Flags, env: NodeJS.ProcessEnv): ResolveOptions {
  // The drain's resolver wants a data directory; resolve has none (the parking queue is on the target).
  const connection = resolveDrainOptions({ ...flags, waitForTarget: flags.waitForTarget ?? env.DRAINER_WAIT_FOR_TARGET ?? '30' }, env, process.cwd());
  const list = flags.list === true;
  const commit = flags.commit === true;
  const rollback = flags.rollback === true;
  if (list && (commit || rollback)) throw new OptionsError('--list only lists: give it without --commit/--rollback');
  if (!list && commit === rollback) throw new OptionsError('give exactly one of --commit or --rollback (or --list)');
  let selector: XidSelector = { all: true };
  if (!list || flags.xid !== undefined) {
    try {
      selector = parseXidSelector(flags.xid as string | undefined, flags.all === true || (list && flags.xid === undefined));
    } catch (e) {
      if (e instanceof XidSelectorError) throw new OptionsError(e.message);
      throw e;
    }
  }
  const idle = Number(flags.idle ?? 2);
  if (!Number.isFinite(idle) || idle <= 0) throw new OptionsError(`--idle: not a positive number: ${String(flags.idle)}`);
  return { connection, parkQueue: connection.parkQueue, decision: list ? null : commit ? 'commit' : 'rollback', selector, idleMs: idle * 1000 };
}
