/**
 * What a target should hold after a drain, and the comparison with what it holds. Expected: per
 * queue, the manifest's pending messages in delivery order (priority, then send order), each equal
 * to what the converter makes of the journal entry (the converter itself is checked against the
 * manifests in test/convert). Compared: queue membership and order, no duplicates, every section
 * (the header's ttl aside: it depends on the clock), the drainer's delivery-count annotation
 * against the manifest, the scheduled time.
 */
import { ArtemisDataDirectory } from '../../journal/data-directory.js';
import { decodeAmqpMessageView, parseAmqpSections, type AmqpView } from '../../journal/amqp/sections.js';
import { toOutgoing } from '../../drainer/convert/to-outgoing.js';
import { readOutgoing } from '../../drainer/convert/outgoing-bytes.js';
import type { Manifest, ManifestMessage } from './fixtures.js';

export interface Received {
  raw: Buffer;
  scheduledTime?: number;
}

export interface Expected {
  fixtureId: string;
  manifest: ManifestMessage;
  view: AmqpView;
}

/** Manifest messages a drain must deliver, per queue, in delivery order. */
export function pendingInOrder(m: Manifest): Map<string, ManifestMessage[]> {
  const out = new Map<string, ManifestMessage[]>();
  for (const [name, q] of Object.entries(m.queues)) {
    const list = (q.messages ?? [])
      .filter((x) => !x['acked_in_prepared_xid'])
      .map((x, i) => ({ x, i, p: Number(x['priority'] ?? 4) }))
      .sort((a, b) => b.p - a.p || a.i - b.i)
      .map((e) => e.x);
    out.set(name, list);
  }
  return out;
}

/** The converter's view of every pending message of the data directory, by queue and fixture id. */
export async function expectedViews(dataDir: string): Promise<Map<string, Map<string, AmqpView>>> {
  const data = await ArtemisDataDirectory.open(dataDir);
  const out = new Map<string, Map<string, AmqpView>>();
  try {
    for (const q of data.queues) {
      const views = new Map<string, AmqpView>();
      out.set(q.name, views);
      for await (const entry of data.entries(q)) {
        if (entry.state !== 'pending') continue;
        const msg = entry.load();
        if (!msg) continue;
        const o = await toOutgoing(msg, {
          sourceNodeId: 'compare',
          queue: q.name,
          address: q.address,
          routingType: q.routingType,
          deliveryCount: entry.deliveryCount,
          scheduledTime: entry.scheduledTime,
          now: Date.now(),
        });
        const view = viewOf(await readOutgoing(o));
        const id = fixtureId(view);
        if (id) views.set(id, view);
      }
    }
  } finally {
    data.close();
  }
  return out;
}

export function viewOf(raw: Buffer): AmqpView {
  return decodeAmqpMessageView(parseAmqpSections(raw));
}

export function fixtureId(v: AmqpView): string | null {
  const p = v.applicationProperties?.['fixture_id'];
  return p && typeof p.value === 'string' ? p.value : null;
}

/** Everything that must not depend on who drained or when: ttl (clock) and the source tag aside. */
function stable(v: AmqpView, opts: CompareOptions = {}): unknown {
  const ma = { ...(v.messageAnnotations ?? {}) };
  delete ma['x-opt-drainer-source'];
  const ap = { ...(v.applicationProperties ?? {}) };
  const dup = ap['_AMQ_DUPL_ID'];
  if (dup && typeof dup.value === 'string' && dup.value.startsWith('drainer:')) delete ap['_AMQ_DUPL_ID'];
  const header = opts.headerRewritten
    ? { durable: v.header?.durable ?? false, priority: v.header?.priority ?? 4 }
    : v.header
      ? { ...v.header, ttl: v.header.ttl === null ? null : 'set' }
      : null;
  let body: unknown = v.body;
  const b = v.body as { section: string; size?: number; value?: { type?: string } };
  if (opts.headerRewritten && (b.section === 'none' || (b.section === 'data' && b.size === 0) || (b.section === 'amqp-value' && b.value?.type === 'null'))) body = 'empty';
  return { ...v, header, body, messageAnnotations: ma, applicationProperties: ap };
}

export interface CompareOptions {
  /**
   * The target re-encodes what it stores (RabbitMQ): compare only durable and priority in the
   * header, and count a missing body as equal to the empty body section it adds.
   */
  headerRewritten?: boolean;
}

export function compareQueue(queue: string, want: ManifestMessage[], expected: Map<string, AmqpView>, got: Received[], opts: CompareOptions = {}): string[] {
  const diffs: string[] = [];
  const gotViews = got.map((r) => ({ r, v: viewOf(r.raw) }));
  const gotIds = gotViews.map((g) => fixtureId(g.v));
  const wantIds = want.map((m) => m.fixture_id);
  if (JSON.stringify(gotIds) !== JSON.stringify(wantIds)) {
    diffs.push(`${queue}: received ${JSON.stringify(gotIds)}, expected ${JSON.stringify(wantIds)} (membership and order)`);
    return diffs;
  }
  for (let i = 0; i < want.length; i++) {
    const m = want[i]!;
    const { r, v } = gotViews[i]!;
    const where = `${queue}/${m.fixture_id}`;
    const e = expected.get(m.fixture_id);
    if (!e) diffs.push(`${where}: no journal entry converted for it`);
    else if (JSON.stringify(stable(v, opts)) !== JSON.stringify(stable(e, opts))) diffs.push(`${where}: received message differs from the conversion of its journal entry`);
    const dc = v.messageAnnotations?.['x-opt-drainer-delivery-count'];
    if (Number(dc?.value ?? -1) !== Number(m['delivery_count'] ?? 0)) diffs.push(`${where}: delivery-count annotation ${JSON.stringify(dc)}, manifest ${String(m['delivery_count'])}`);
    if ((v.header?.durable ?? false) !== m['durable']) diffs.push(`${where}: durable ${String(v.header?.durable)}, manifest ${String(m['durable'])}`);
    if ((v.header?.priority ?? 4) !== m['priority']) diffs.push(`${where}: priority ${String(v.header?.priority)}, manifest ${String(m['priority'])}`);
    const sched = m['scheduled_delivery_time'];
    if (r.scheduledTime !== undefined || sched !== undefined) {
      if (Number(r.scheduledTime) !== Number(sched)) diffs.push(`${where}: scheduled ${String(r.scheduledTime)}, manifest ${String(sched)}`);
    }
    if (!v.applicationProperties?.['_AMQ_DUPL_ID']) diffs.push(`${where}: no _AMQ_DUPL_ID`);
  }
  return diffs;
}
