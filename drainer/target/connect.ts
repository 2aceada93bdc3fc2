/**
 * One AMQP 1.0 connection to a target broker (rhea-promise): SASL PLAIN / ANONYMOUS / EXTERNAL,
 * TLS with a CA file, client certificate and server name. The broker's kind comes from its open
 * frame: Artemis announces `product = apache-activemq-artemis`. Secrets are never logged.
 */
import fs from 'node:fs';
import { Connection, type ConnectionOptions } from 'rhea-promise';
import type { Candidate } from './discovery.js';
import type { Credentials, DrainOptions } from '../drain/options.js';

export type TargetKind = 'artemis' | 'generic';

export interface TargetConnection {
  connection: Connection;
  candidate: Candidate;
  kind: TargetKind;
  product: string | null;
  version: string | null;
  /** Which credentials were accepted (their source, never the secret). */
  credentialsSource: string | null;
}

/** The target refused the credentials: retrying the same ones cannot help. */
export class TargetAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetAuthError';
  }
}

export async function connectTarget(candidate: Candidate, opts: DrainOptions, creds: Credentials | null, timeoutMs = 15_000): Promise<TargetConnection> {
  const options: ConnectionOptions = {
    host: candidate.host,
    hostname: opts.tls.servername ?? candidate.host,
    port: candidate.port,
    transport: candidate.tls ? 'tls' : 'tcp',
    reconnect: false,
    idle_time_out: 60_000,
    // Without it, streaming a large delivery against a small peer window stalls ~40 ms a round trip.
    tcp_no_delay: true,
    container_id: `artemis-drainer-${opts.podName ?? 'local'}`,
    operationTimeoutInSeconds: Math.ceil(timeoutMs / 1000),
  } as ConnectionOptions;
  const o = options as unknown as Record<string, unknown>;
  if (opts.sasl === 'EXTERNAL') {
    o.enable_sasl_external = true;
  } else if (creds && opts.sasl !== 'ANONYMOUS') {
    o.username = creds.user;
    o.password = creds.password;
  }
  if (candidate.tls) {
    if (opts.tls.caFile) o.ca = fs.readFileSync(opts.tls.caFile);
    if (opts.tls.certFile) o.cert = fs.readFileSync(opts.tls.certFile);
    if (opts.tls.keyFile) o.key = fs.readFileSync(opts.tls.keyFile);
    if (opts.tls.servername) o.servername = opts.tls.servername;
    o.rejectUnauthorized = !opts.tls.allowInvalid;
  }
  const connection = new Connection(options);
  try {
    await connection.open();
  } catch (e) {
    const text = errorText(e);
    if (/unauthorized|authenticat|sasl/i.test(text)) throw new TargetAuthError(`${candidate.url}: authentication refused (${text})`);
    throw new Error(`${candidate.url}: ${text}`);
  }
  const props = remoteProperties(connection);
  const product = typeof props.product === 'string' ? props.product : null;
  const version = typeof props.version === 'string' ? props.version : null;
  return {
    connection,
    candidate,
    kind: product && /artemis/i.test(product) ? 'artemis' : 'generic',
    product,
    version,
    credentialsSource: creds?.source ?? null,
  };
}

function remoteProperties(c: Connection): Record<string, unknown> {
  const raw = (c as unknown as { _connection?: { remote?: { open?: { properties?: Record<string, unknown> } } } })._connection;
  return raw?.remote?.open?.properties ?? c.properties ?? {};
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object') {
    const x = e as { condition?: string; description?: string; message?: string };
    return [x.condition, x.description ?? x.message].filter(Boolean).join(': ') || JSON.stringify(e);
  }
  return String(e);
}
