/**
 * Where the surviving brokers are: the explicit --target list, or the DNS records of the
 * StatefulSet's headless service (A/AAAA, and SRV where the service names its ports). No
 * Kubernetes API, no RBAC. This pod itself is never a candidate. The order is deterministic, so
 * every drainer of a cluster picks the same target first.
 */
import dns from 'node:dns/promises';
import type { DrainOptions } from '../drain/options.js';

export interface Candidate {
  url: string;
  host: string;
  port: number;
  tls: boolean;
  /** How it was found, for logs. */
  source: string;
}

export interface DiscoveryResult {
  candidates: Candidate[];
  /** What was looked up and what came back, for logs (a missing record is normal while pods start). */
  lookups: Array<{ name: string; type: string; result: string }>;
}

export type Resolver = Pick<typeof dns, 'resolve4' | 'resolve6' | 'resolveSrv'>;

export async function discoverTargets(opts: DrainOptions, resolver: Resolver = dns): Promise<DiscoveryResult> {
  if (opts.targets.length > 0) {
    return { candidates: opts.targets.map((t) => fromUrl(t, 'flag')), lookups: [] };
  }
  if (!opts.headlessService) return { candidates: [], lookups: [] };
  const fqdn = opts.namespace ? `${opts.headlessService}.${opts.namespace}.svc.${opts.clusterDomain}` : opts.headlessService;
  const lookups: DiscoveryResult['lookups'] = [];
  const candidates: Candidate[] = [];
  const self = new Set([opts.podIp, opts.podName].filter((x): x is string => !!x));

  // SRV records carry the port of named service ports (e.g. _amqp._tcp.<svc>…).
  for (const portName of ['amqp', 'amqps', 'all']) {
    const name = `_${portName}._tcp.${fqdn}`;
    try {
      const srv = await resolver.resolveSrv(name);
      lookups.push({ name, type: 'SRV', result: srv.map((r) => `${r.name}:${r.port}`).join(',') || 'none' });
      for (const r of srv.sort((a, b) => a.priority - b.priority || b.weight - a.weight || a.name.localeCompare(b.name))) {
        const host = r.name.replace(/\.$/, '');
        if (self.has(host.split('.')[0]!)) continue;
        candidates.push({ url: `${portName === 'amqps' ? 'amqps' : 'amqp'}://${host}:${r.port}`, host, port: r.port, tls: portName === 'amqps', source: `SRV ${name}` });
      }
    } catch (e) {
      lookups.push({ name, type: 'SRV', result: errorCode(e) });
    }
  }
  for (const [type, fn] of [
    ['A', (n: string) => resolver.resolve4(n)],
    ['AAAA', (n: string) => resolver.resolve6(n)],
  ] as const) {
    try {
      const ips = (await fn(fqdn)).sort();
      lookups.push({ name: fqdn, type, result: ips.join(',') || 'none' });
      for (const ip of ips) {
        if (self.has(ip)) continue;
        const host = type === 'AAAA' ? `[${ip}]` : ip;
        candidates.push({ url: `amqp://${host}:${opts.port}`, host: ip, port: opts.port, tls: false, source: `${type} ${fqdn}` });
      }
    } catch (e) {
      lookups.push({ name: fqdn, type, result: errorCode(e) });
    }
  }
  // Same broker found twice (SRV and A): keep the first.
  const seen = new Set<string>();
  return { candidates: candidates.filter((c) => (seen.has(c.url) ? false : (seen.add(c.url), true))), lookups };
}

export function fromUrl(url: string, source: string): Candidate {
  const u = new URL(url);
  const tls = u.protocol === 'amqps:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return { url: `${u.protocol}//${u.host}`, host, port: Number(u.port || (tls ? 5671 : 5672)), tls, source };
}

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}
