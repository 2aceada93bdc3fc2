/**
 * The drain's settings: every flag has an environment fallback compatible with the AMQ /
 * ArtemisCloud drain pod, so the image can replace the broker image's drain.sh unchanged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_PARK_QUEUE, IN_DOUBT_POLICIES, type InDoubtPolicy } from '../prepared/policy.js';

export interface DrainOptions {
  dataDir: string;
  /** Explicit targets (amqp[s]://host:port); empty = discover through DNS. */
  targets: string[];
  headlessService: string | null;
  namespace: string | null;
  clusterDomain: string;
  port: number;
  podName: string | null;
  podIp: string | null;
  credentials: Credentials[];
  sasl: 'auto' | 'PLAIN' | 'ANONYMOUS' | 'EXTERNAL';
  tls: TlsOptions;
  addressTemplate: string | null;
  waitForTargetMs: number;
  deadlineMs: number;
  window: number;
  stateDir: string;
  terminationLog: string;
  allowDiagnostics: boolean;
  queues: string[] | null;
  progressIntervalMs: number;
  /** What happens to the messages of prepared XA transactions (docs/in-doubt.md). */
  preparedTransactions: InDoubtPolicy;
  /** Where `park` puts them. */
  parkQueue: string;
}

export interface Credentials {
  /** Where they came from, for logs (never the secret itself). */
  source: string;
  user: string;
  password: string;
}

export interface TlsOptions {
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
  servername: string | null;
  allowInvalid: boolean;
}

/** One documented option: its flag, its environment variable, its help text. */
export interface OptionSpec {
  flag: string;
  env: string[];
  help: string;
  defaultText?: string;
}

export const DRAIN_OPTIONS: Record<string, OptionSpec> = {
  dataDir: { flag: '--data-dir <dir>', env: ['AMQ_DATA_DIR'], help: 'broker data directory (holding bindings/ and journal/)' },
  target: { flag: '--target <urls>', env: ['DRAINER_TARGET'], help: 'comma-separated amqp[s]://host:port targets; without it the headless service is resolved through DNS' },
  headlessService: { flag: '--headless-service <name>', env: ['HEADLESS_SVC_NAME'], help: 'headless service of the surviving brokers', defaultText: '${AMQ_NAME}-amq-headless' },
  namespace: { flag: '--namespace <ns>', env: ['POD_NAMESPACE'], help: 'namespace of the headless service' },
  clusterDomain: { flag: '--cluster-domain <domain>', env: ['DRAINER_CLUSTER_DOMAIN'], help: 'cluster DNS domain', defaultText: 'cluster.local' },
  port: { flag: '--port <port>', env: ['DRAINER_PORT'], help: 'AMQP port of discovered brokers (SRV records win when present)', defaultText: '61616' },
  podName: { flag: '--pod-name <name>', env: ['HOSTNAME'], help: "this pod's name (excluded from the candidates)" },
  podIp: { flag: '--pod-ip <ip>', env: ['DRAINER_HOST'], help: "this pod's IP (excluded from the candidates)" },
  user: { flag: '--user <user>', env: ['AMQ_USER', 'AMQ_CLUSTER_USER'], help: 'user name for SASL PLAIN (AMQ_USER first, then the cluster user)' },
  password: { flag: '--password <password>', env: ['AMQ_PASSWORD', 'AMQ_CLUSTER_PASSWORD'], help: 'password (prefer --password-file)' },
  passwordFile: { flag: '--password-file <file>', env: ['DRAINER_PASSWORD_FILE'], help: 'file holding the password (e.g. a mounted secret)' },
  sasl: { flag: '--sasl <mechanism>', env: ['DRAINER_SASL'], help: 'auto, PLAIN, ANONYMOUS or EXTERNAL (client certificate)', defaultText: 'auto' },
  caFile: { flag: '--ca-file <file>', env: ['DRAINER_CA_FILE'], help: 'CA bundle to verify amqps:// targets' },
  certFile: { flag: '--cert-file <file>', env: ['DRAINER_CERT_FILE'], help: 'client certificate (TLS, SASL EXTERNAL)' },
  keyFile: { flag: '--key-file <file>', env: ['DRAINER_KEY_FILE'], help: 'client private key' },
  servername: { flag: '--servername <name>', env: ['DRAINER_SERVERNAME'], help: 'TLS server name (SNI and certificate check)' },
  tlsAllowInvalid: { flag: '--tls-allow-invalid', env: ['DRAINER_TLS_ALLOW_INVALID'], help: 'accept a target certificate that does not verify (not recommended)' },
  addressTemplate: { flag: '--address-template <template>', env: ['DRAINER_ADDRESS_TEMPLATE'], help: 'generic (non-Artemis) targets: link address for a queue, e.g. /queue/{queue}', defaultText: '{queue}' },
  waitForTarget: { flag: '--wait-for-target <seconds>', env: ['DRAINER_WAIT_FOR_TARGET'], help: 'how long to keep looking for a reachable target', defaultText: '600' },
  deadline: { flag: '--deadline <seconds>', env: ['DRAINER_DEADLINE'], help: 'give up (exit 24, data kept) when not done by then; 0 = no deadline', defaultText: '0' },
  window: { flag: '--window <n>', env: ['DRAINER_WINDOW'], help: 'unsettled deliveries per queue link', defaultText: '256' },
  stateDir: { flag: '--state-dir <dir>', env: ['DRAINER_STATE_DIR'], help: 'where progress is recorded for restarts', defaultText: '<data-dir>/.artemis-drainer' },
  preparedTransactions: {
    flag: '--prepared-transactions <policy>',
    env: ['DRAINER_PREPARED_TRANSACTIONS'],
    help: 'messages of prepared XA transactions: park (into --park-queue, Xid kept, exit 0), commit, rollback (heuristic decisions) or fail (exit 25)',
    defaultText: 'park',
  },
  parkQueue: { flag: '--park-queue <queue>', env: ['DRAINER_PARK_QUEUE'], help: 'anycast queue receiving parked in-doubt messages (created if missing)', defaultText: DEFAULT_PARK_QUEUE },
  terminationLog: { flag: '--termination-log <file>', env: ['DRAINER_TERMINATION_LOG'], help: 'Kubernetes termination message file', defaultText: '/dev/termination-log' },
};

type Flags = Record<string, string | boolean | string[] | undefined>;

export class OptionsError extends Error {}

/** Resolves flags, then environment variables, then defaults. */
export function resolveDrainOptions(flags: Flags, env: NodeJS.ProcessEnv, positionalDataDir?: string): DrainOptions {
  const pick = (key: string): string | undefined => {
    const f = flags[key];
    if (typeof f === 'string' && f !== '') return f;
    for (const name of DRAIN_OPTIONS[key]?.env ?? []) if (env[name]) return env[name];
    return undefined;
  };
  const dataDir = positionalDataDir ?? pick('dataDir');
  if (!dataDir) throw new OptionsError('no data directory: give it as an argument, with --data-dir or AMQ_DATA_DIR');
  const num = (key: string, fallback: number): number => {
    const v = pick(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new OptionsError(`${DRAIN_OPTIONS[key]!.flag.split(' ')[0]}: not a number: ${v}`);
    return n;
  };
  const targets = (pick('target') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of targets) {
    if (!/^amqps?:\/\/[^/]+$/.test(t.replace(/\/$/, ''))) throw new OptionsError(`--target: expected amqp://host:port or amqps://host:port, got ${t}`);
  }
  const sasl = (pick('sasl') ?? 'auto') as DrainOptions['sasl'];
  if (!['auto', 'PLAIN', 'ANONYMOUS', 'EXTERNAL'].includes(sasl)) throw new OptionsError(`--sasl: unknown mechanism ${sasl}`);
  const amqName = env.AMQ_NAME;
  const preparedTransactions = (pick('preparedTransactions') ?? 'park') as InDoubtPolicy;
  if (!IN_DOUBT_POLICIES.includes(preparedTransactions)) throw new OptionsError(`--prepared-transactions: expected ${IN_DOUBT_POLICIES.join(', ')}, got ${preparedTransactions}`);
  const parkQueue = pick('parkQueue') ?? DEFAULT_PARK_QUEUE;
  if (parkQueue.includes('::')) throw new OptionsError(`--park-queue: a queue name, not an FQQN: ${parkQueue}`);
  const window = num('window', 256);
  if (window < 1) throw new OptionsError('--window must be at least 1');
  return {
    dataDir: path.resolve(dataDir),
    targets,
    headlessService: pick('headlessService') ?? (amqName ? `${amqName}-amq-headless` : null),
    namespace: pick('namespace') ?? null,
    clusterDomain: pick('clusterDomain') ?? 'cluster.local',
    port: num('port', 61616),
    podName: pick('podName') ?? null,
    podIp: pick('podIp') ?? null,
    credentials: credentials(flags, env),
    sasl,
    tls: {
      caFile: pick('caFile') ?? null,
      certFile: pick('certFile') ?? null,
      keyFile: pick('keyFile') ?? null,
      servername: pick('servername') ?? null,
      allowInvalid: flags.tlsAllowInvalid === true || /^(1|true|yes)$/i.test(env.DRAINER_TLS_ALLOW_INVALID ?? ''),
    },
    addressTemplate: pick('addressTemplate') ?? null,
    waitForTargetMs: num('waitForTarget', 600) * 1000,
    deadlineMs: num('deadline', 0) * 1000,
    window,
    stateDir: path.resolve(pick('stateDir') ?? path.join(dataDir, '.artemis-drainer')),
    terminationLog: pick('terminationLog') ?? '/dev/termination-log',
    allowDiagnostics: flags.allowDiagnostics === true,
    queues: Array.isArray(flags.queue) ? flags.queue : null,
    progressIntervalMs: Number(flags.progressInterval ?? 10) * 1000,
    preparedTransactions,
    parkQueue,
  };
}

/**
 * Candidate credentials in the order they are tried: flags; AMQ_USER/AMQ_PASSWORD (the drain
 * pod's admin user); AMQ_CLUSTER_USER/AMQ_CLUSTER_PASSWORD (what Artemis' own scale-down uses).
 * A password file is read at start and again on every retry (secrets can be rotated).
 */
function credentials(flags: Flags, env: NodeJS.ProcessEnv): Credentials[] {
  const out: Credentials[] = [];
  const fromFile = (): string | undefined => {
    const f = (flags.passwordFile as string | undefined) ?? env.DRAINER_PASSWORD_FILE;
    if (!f) return undefined;
    try {
      return fs.readFileSync(f, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new OptionsError(`--password-file ${f}: ${(e as Error).message}`);
    }
  };
  const filePassword = fromFile();
  if (typeof flags.user === 'string') {
    out.push({ source: '--user', user: flags.user, password: (flags.password as string | undefined) ?? filePassword ?? '' });
  }
  if (env.AMQ_USER) out.push({ source: 'AMQ_USER', user: env.AMQ_USER, password: env.AMQ_PASSWORD ?? filePassword ?? '' });
  if (env.AMQ_CLUSTER_USER) out.push({ source: 'AMQ_CLUSTER_USER', user: env.AMQ_CLUSTER_USER, password: env.AMQ_CLUSTER_PASSWORD ?? filePassword ?? '' });
  return out;
}
