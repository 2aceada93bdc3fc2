/**
 * What a target must hold after draining e_xa_transactions under each in-doubt policy, and the
 * comparison with what it holds.
 *
 * Two independent sources: the manifest says WHICH messages belong where (fixture ids, delivery
 * counts, Xids — written here from the policy's definition, not from the drainer's code), and the
 * converter (checked against the manifests in test/convert) says what their BYTES must be. Every
 * message on the target is compared byte for byte with the conversion of its journal entry, and
 * every parked envelope is decoded: annotations, duplicate id, header, and the enclosed bytes.
 */
import { ArtemisDataDirectory } from '../../journal/data-directory.js';
import { toOutgoing } from '../../drainer/convert/to-outgoing.js';
import { readOutgoing } from '../../drainer/convert/outgoing-bytes.js';
import { sourceNodeId } from '../../drainer/drain/source-node.js';
import { decodeAmqpMessageView, parseAmqpSections, type AmqpView } from '../../journal/amqp/sections.js';
import type { Manifest } from '../support/fixtures.js';

export type Policy = 'park' | 'commit' | 'rollback' | 'fail';

export interface WantMessage {
  fixtureId: string;
  deliveryCount: number;
}

export interface WantParked {
  fixtureId: string;
  operation: 'send' | 'ack';
  queue: string;
  formatId: number;
  gtrid: string;
  bqual: string;
  /** Recorded delivery count (before the +1 a rollback adds to an ack). */
  deliveryCount: number;
}

export interface Want {
  queues: Map<string, WantMessage[]>;
  parked: WantParked[];
}

/** From the manifest alone: per queue in delivery order, and the parked operations. */
export function wantFromManifest(m: Manifest, policy: Policy): Want {
  const queues = new Map<string, WantMessage[]>();
  for (const [name, q] of Object.entries(m.queues)) {
    const list: WantMessage[] = [];
    for (const x of q.messages ?? []) {
      const acked = !!x['acked_in_prepared_xid'];
      const dc = Number(x['delivery_count'] ?? 0);
      if (!acked) list.push({ fixtureId: x.fixture_id, deliveryCount: dc });
      // rollback: the consumer's delivery counts: the message comes back in its place, one more delivery
      else if (policy === 'rollback') list.push({ fixtureId: x.fixture_id, deliveryCount: dc + 1 });
    }
    queues.set(name, list);
  }
  const parked: WantParked[] = [];
  for (const p of m.prepared_transactions) {
    const x = { formatId: p.xid.format_id, gtrid: p.xid.global_transaction_id_hex, bqual: p.xid.branch_qualifier_hex };
    for (const s of p.sends) {
      if (policy === 'commit') queues.get(s.queue)!.push({ fixtureId: s.message.fixture_id, deliveryCount: Number(s.message['delivery_count'] ?? 0) });
      if (policy === 'park') parked.push({ fixtureId: s.message.fixture_id, operation: 'send', queue: s.queue, ...x, deliveryCount: Number(s.message['delivery_count'] ?? 0) });
    }
    for (const a of p.acks) {
      const mm = m.queues[a.queue]!.messages!.find((y) => y.fixture_id === a.fixture_id)!;
      if (policy === 'park') parked.push({ fixtureId: a.fixture_id, operation: 'ack', queue: a.queue, ...x, deliveryCount: Number(mm['delivery_count'] ?? 0) });
    }
  }
  return { queues, parked };
}

/** The converter's bytes for every entry of every queue, by queue and fixture id, at a delivery count. */
export class Conversions {
  private constructor(
    readonly nodeId: string,
    private readonly entries: Map<string, { queue: string; address: string; routingType: 'ANYCAST' | 'MULTICAST'; messageId: bigint; load: () => ReturnType<import('../../journal/data-directory.js').QueueEntry['load']>; scheduledTime: number }>,
  ) {}

  static async of(dataDir: string): Promise<Conversions> {
    const data = await ArtemisDataDirectory.open(dataDir);
    const map = new Map();
    for (const q of data.queues) {
      for await (const e of data.entries(q)) {
        const msg = e.load();
        const fid = msg ? fixtureIdOf(msg) : null;
        if (fid) map.set(`${q.name}/${fid}`, { queue: q.name, address: q.address, routingType: q.routingType, messageId: e.messageId, load: e.load, scheduledTime: e.scheduledTime });
      }
    }
    // The reader stays open: bytes are converted on demand. Tests close nothing; the process ends.
    return new Conversions(sourceNodeId(data.layout), map);
  }

  messageId(queue: string, fixtureId: string): bigint {
    return this.get(queue, fixtureId).messageId;
  }

  async bytes(queue: string, fixtureId: string, deliveryCount: number): Promise<Buffer> {
    const e = this.get(queue, fixtureId);
    const out = await toOutgoing(e.load()!, { sourceNodeId: this.nodeId, queue: e.queue, address: e.address, routingType: e.routingType, deliveryCount, scheduledTime: e.scheduledTime, now: Date.now() });
    return readOutgoing(out);
  }

  private get(queue: string, fixtureId: string) {
    const e = this.entries.get(`${queue}/${fixtureId}`);
    if (!e) throw new Error(`no journal entry for ${queue}/${fixtureId}`);
    return e;
  }
}

function fixtureIdOf(msg: NonNullable<ReturnType<import('../../journal/data-directory.js').QueueEntry['load']>>): string | null {
  const p = (msg as { properties?: Map<string, { value: unknown }> }).properties?.get?.('fixture_id');
  if (p && typeof p.value === 'string') return p.value;
  return null;
}

export function viewOf(raw: Buffer): AmqpView {
  return decodeAmqpMessageView(parseAmqpSections(raw));
}

export function fixtureId(raw: Buffer): string | null {
  const p = viewOf(raw).applicationProperties?.['fixture_id'];
  return p && typeof p.value === 'string' ? p.value : null;
}

/** Queue content (raw transfers, in queue order) against the expectation: ids, order, exact bytes. */
export interface CompareOpts {
  ordered: boolean;
  /** The target re-encodes the header (RabbitMQ): compare everything after it. */
  headerRewritten?: boolean;
}

/** The encoding without its header section (RabbitMQ re-encodes only that). */
export function withoutHeader(raw: Buffer): Buffer {
  const first = parseAmqpSections(raw, { copy: false })[0];
  return first && first.code === 0x70 ? raw.subarray(first.length) : raw;
}

export async function compareQueueBytes(queue: string, want: WantMessage[], got: Buffer[], conv: Conversions, opts: CompareOpts): Promise<string[]> {
  const diffs: string[] = [];
  const gotIds = got.map(fixtureId);
  const wantIds = want.map((w) => w.fixtureId);
  const norm = (a: Array<string | null>) => (opts.ordered ? a : [...a].sort());
  if (JSON.stringify(norm(gotIds)) !== JSON.stringify(norm(wantIds))) return [`${queue}: holds ${JSON.stringify(gotIds)}, expected ${JSON.stringify(wantIds)}`];
  for (const w of want) {
    const raw = got[gotIds.indexOf(w.fixtureId)]!;
    const exp = await conv.bytes(queue, w.fixtureId, w.deliveryCount);
    const same = opts.headerRewritten ? withoutHeader(raw).equals(withoutHeader(exp)) : raw.equals(exp);
    if (!same) diffs.push(`${queue}/${w.fixtureId}: bytes differ from the conversion of its journal entry at delivery count ${w.deliveryCount}`);
    const dc = viewOf(raw).messageAnnotations?.['x-opt-drainer-delivery-count'];
    if (Number(dc?.value) !== w.deliveryCount) diffs.push(`${queue}/${w.fixtureId}: delivery-count annotation ${String(dc?.value)}, expected ${w.deliveryCount}`);
  }
  return diffs;
}

/** The parking queue's envelopes against the expected parked operations. */
export async function compareParked(want: WantParked[], got: Buffer[], conv: Conversions, opts: Pick<CompareOpts, 'headerRewritten'> = {}): Promise<string[]> {
  const diffs: string[] = [];
  const views = got.map((raw) => ({ raw, v: viewOf(raw) }));
  const inner = views.map(({ v }) => dataBody(v));
  const key = (q: string, id: string | null, op: unknown) => `${q}/${id}/${String(op)}`;
  const gotKeys = views.map(({ v }, i) => key(String(v.messageAnnotations?.['x-opt-drainer-queue']?.value), inner[i] ? fixtureId(inner[i]!) : null, v.messageAnnotations?.['x-opt-drainer-operation']?.value)).sort();
  const wantKeys = want.map((w) => key(w.queue, w.fixtureId, w.operation)).sort();
  if (JSON.stringify(gotKeys) !== JSON.stringify(wantKeys)) return [`parking queue holds ${JSON.stringify(gotKeys)}, expected ${JSON.stringify(wantKeys)}`];
  for (const w of want) {
    const i = views.findIndex(({ v }, j) => key(String(v.messageAnnotations?.['x-opt-drainer-queue']?.value), inner[j] ? fixtureId(inner[j]!) : null, v.messageAnnotations?.['x-opt-drainer-operation']?.value) === key(w.queue, w.fixtureId, w.operation));
    const { v } = views[i]!;
    const where = `parked ${w.operation} ${w.queue}/${w.fixtureId}`;
    const messageId = conv.messageId(w.queue, w.fixtureId);
    const ma = Object.fromEntries(Object.entries(v.messageAnnotations ?? {}).map(([k, x]) => [k, { type: x.type, value: typeof x.value === 'bigint' ? x.value.toString() : x.value }]));
    const wantMa = {
      'x-opt-drainer-xid': { type: 'string', value: `${w.formatId}:${w.gtrid}:${w.bqual}` },
      'x-opt-drainer-xid-format': { type: 'int', value: w.formatId },
      'x-opt-drainer-xid-gtrid': { type: 'string', value: w.gtrid },
      'x-opt-drainer-xid-bqual': { type: 'string', value: w.bqual },
      'x-opt-drainer-operation': { type: 'string', value: w.operation },
      'x-opt-drainer-address': { type: 'string', value: w.queue },
      'x-opt-drainer-queue': { type: 'string', value: w.queue },
      'x-opt-drainer-routing-type': { type: 'string', value: 'ANYCAST' },
      'x-opt-drainer-source-node': { type: 'string', value: conv.nodeId },
      'x-opt-drainer-message-id': { type: 'string', value: messageId.toString() },
      'x-opt-drainer-delivery-count': { type: 'uint', value: w.deliveryCount },
    };
    if (JSON.stringify(ma) !== JSON.stringify(wantMa)) diffs.push(`${where}: annotations ${JSON.stringify(ma)}, expected ${JSON.stringify(wantMa)}`);
    const dup = v.applicationProperties?.['_AMQ_DUPL_ID']?.value;
    const wantDup = `drainer-park:${conv.nodeId}:${messageId}:${w.queue}:${w.operation}`;
    if (dup !== wantDup) diffs.push(`${where}: duplicate id ${String(dup)}, expected ${wantDup}`);
    if (v.header?.durable !== true || (!opts.headerRewritten && (v.header?.ttl ?? null) !== null)) diffs.push(`${where}: header ${JSON.stringify(v.header)} (durable, no ttl expected)`);
    if (v.messageAnnotations?.['x-opt-delivery-time']) diffs.push(`${where}: envelope has a delivery time`);
    // A parked send encloses what a commit delivers; a parked ack what a rollback delivers (one more delivery).
    const exp = await conv.bytes(w.queue, w.fixtureId, w.operation === 'ack' ? w.deliveryCount + 1 : w.deliveryCount);
    if (!inner[i]?.equals(exp)) diffs.push(`${where}: enclosed bytes differ from the conversion of its journal entry`);
  }
  return diffs;
}

function dataBody(v: AmqpView): Buffer | null {
  const b = v.body as { section: string; base64?: string; count?: number };
  return b.section === 'data' && b.base64 !== undefined && !b.count ? Buffer.from(b.base64, 'base64') : null;
}
