/** Where the unpacked fixtures are, and what each scenario's manifest and broker view hold. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/.fixtures, found from the compiled file in dist/test/... */
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/.fixtures');
export const PROJECT = path.resolve(FIXTURES, '../..');

export const VERSIONS = ['artemis-2.44.0', 'artemis-2.19.1'] as const;

export interface Scenario {
  version: string;
  name: string;
  dir: string;
  dataDir: string;
  manifest: Manifest;
  brokerView: BrokerView | null;
}

export interface ManifestMessage {
  fixture_id: string;
  [k: string]: unknown;
}

export interface Manifest {
  scenario: string;
  addresses: Record<string, { routing_types: string[] }>;
  queues: Record<string, { name: string; address: string; routing_type: string; filter: string | null; durable: boolean; messages?: ManifestMessage[]; message_count?: number; [k: string]: unknown }>;
  prepared_transactions: Array<{
    xid: { format_id: number; global_transaction_id_hex: string; branch_qualifier_hex: string; global_transaction_id_utf8?: string };
    sends: Array<{ queue: string; message: ManifestMessage }>;
    acks: Array<{ queue: string; fixture_id: string }>;
  }>;
  not_persisted: Array<{ queue: string; fixture_id?: string; why: string }>;
  [k: string]: unknown;
}

export interface BrokerView {
  queues: Record<string, { messages?: Array<Record<string, unknown>>; [k: string]: unknown }>;
  [k: string]: unknown;
}

export function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const version of VERSIONS) {
    const root = path.join(FIXTURES, version);
    if (!fs.existsSync(root)) continue;
    for (const name of fs.readdirSync(root).sort()) {
      const dir = path.join(root, name);
      const mf = path.join(dir, 'manifest.json');
      if (!fs.existsSync(mf)) continue;
      const bv = path.join(dir, 'broker-view.json');
      out.push({
        version,
        name,
        dir,
        dataDir: path.join(dir, 'data'),
        manifest: JSON.parse(fs.readFileSync(mf, 'utf8')) as Manifest,
        brokerView: fs.existsSync(bv) ? (JSON.parse(fs.readFileSync(bv, 'utf8')) as BrokerView) : null,
      });
    }
  }
  return out;
}
