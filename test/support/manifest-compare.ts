/**
 * Compares what `export` produced for a scenario with the fixture's manifest.json (and, where it
 * lists the message, broker-view.json — what a real broker recovered). Returns a list of
 * human-readable differences; an empty list means equal. Field by field, never counts alone.
 */
import { createHash } from 'node:crypto';
import type { ExportLine } from '../../drainer/format/export-line.js';
import type { Manifest, ManifestMessage, BrokerView } from './fixtures.js';
import { compareAmqp } from './amqp-compare.js';

const CORE_TYPES: Record<number, string> = { 0: 'default', 2: 'object', 3: 'text', 4: 'bytes', 5: 'map', 6: 'stream' };

export function fixtureIdOf(line: ExportLine): string | null {
  const p = line.properties['fixture_id'];
  return p && typeof p.value === 'string' ? p.value : null;
}

interface Expected {
  message: ManifestMessage;
  state: ExportLine['state'];
  xidGtrid?: string;
}

/** Expected (queue -> fixture id -> message/state) from the manifest. */
function expectedByQueue(m: Manifest): Map<string, Map<string, Expected>> {
  const out = new Map<string, Map<string, Expected>>();
  const q = (name: string) => {
    let e = out.get(name);
    if (!e) out.set(name, (e = new Map()));
    return e;
  };
  for (const [name, queue] of Object.entries(m.queues)) {
    const e = q(name);
    for (const msg of queue.messages ?? []) {
      e.set(msg.fixture_id, { message: msg, state: msg['acked_in_prepared_xid'] ? 'in-doubt-ack' : 'pending' });
    }
  }
  for (const tx of m.prepared_transactions) {
    for (const s of tx.sends) q(s.queue).set(s.message.fixture_id, { message: s.message, state: 'in-doubt-send' });
  }
  return out;
}

export function compareScenario(m: Manifest, view: BrokerView | null, lines: ExportLine[]): string[] {
  const diffs: string[] = [];
  const expected = expectedByQueue(m);
  const got = new Map<string, ExportLine[]>();
  for (const l of lines) {
    let list = got.get(l.queue);
    if (!list) got.set(l.queue, (list = []));
    list.push(l);
  }
  for (const [queue, list] of got) {
    if (!expected.has(queue)) diffs.push(`${queue}: exported ${list.length} message(s) for a queue the manifest does not list`);
  }
  for (const [queue, exp] of expected) {
    const list = got.get(queue) ?? [];
    const seen = new Set<string>();
    for (const l of list) {
      const id = fixtureIdOf(l);
      if (id === null) {
        diffs.push(`${queue}: exported message ${l.messageId} has no fixture_id`);
        continue;
      }
      if (seen.has(id)) diffs.push(`${queue}/${id}: exported twice`);
      seen.add(id);
      const e = exp.get(id);
      if (!e) {
        diffs.push(`${queue}/${id}: exported but not expected (state ${l.state})`);
        continue;
      }
      if (l.state !== e.state) diffs.push(`${queue}/${id}: state ${l.state}, expected ${e.state}`);
      compareMessage(`${queue}/${id}`, e.message, l, diffs);
      const bv = brokerViewMessage(view, queue, id);
      if (bv) compareWithBrokerView(`${queue}/${id}`, bv, l, diffs);
    }
    for (const id of exp.keys()) if (!seen.has(id)) diffs.push(`${queue}/${id}: missing from the export`);
    compareOrder(queue, exp, list, diffs);
  }
  for (const np of m.not_persisted) {
    if (np.fixture_id && lines.some((l) => fixtureIdOf(l) === np.fixture_id)) diffs.push(`${np.fixture_id}: must not come back (${np.why})`);
  }
  return diffs;
}

/** Delivery order: by priority (high first), then send order; in-doubt sends last. */
function compareOrder(queue: string, exp: Map<string, Expected>, list: ExportLine[], diffs: string[]): void {
  const manifestOrder = [...exp.values()].filter((e) => e.state !== 'in-doubt-send').map((e) => e.message);
  const want = manifestOrder
    .map((msg, i) => ({ id: msg.fixture_id, prio: Number(msg['priority'] ?? 4), i }))
    .sort((a, b) => b.prio - a.prio || a.i - b.i)
    .map((x) => x.id);
  const have = list.filter((l) => l.state !== 'in-doubt-send').map((l) => fixtureIdOf(l));
  for (let i = 0; i < Math.max(want.length, have.length); i++) {
    if (want[i] !== have[i]) {
      diffs.push(`${queue}: delivery order differs at position ${i}: got ${have[i]}, expected ${want[i]}`);
      return;
    }
  }
}

function brokerViewMessage(view: BrokerView | null, queue: string, id: string): Record<string, unknown> | null {
  const msgs = view?.queues[queue]?.messages;
  return (msgs?.find((x) => x['fixture_id'] === id) as Record<string, unknown> | undefined) ?? null;
}

function check(where: string, field: string, got: unknown, want: unknown, diffs: string[]): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) diffs.push(`${where}: ${field} = ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
}

function compareMessage(where: string, m: ManifestMessage, l: ExportLine, diffs: string[]): void {
  const eq = (w: string, field: string, got: unknown, want: unknown) => check(w, field, got, want, diffs);
  eq(where, 'durable', l.durable, m['durable']);
  eq(where, 'priority', l.priority, m['priority']);
  eq(where, 'deliveryCount', l.deliveryCount, m['delivery_count']);
  eq(where, 'large', l.large, m['large'] ?? false);
  eq(where, 'scheduledDeliveryTime', l.scheduledDeliveryTime, m['scheduled_delivery_time'] ?? null);
  if ('expiration' in m) eq(where, 'expiration', l.expiration, m['expiration']);
  if ('timestamp' in m) eq(where, 'timestamp', l.timestamp, m['timestamp']);
  if ('user_id' in m) eq(where, 'userId', l.userId, m['user_id']);
  if (m['protocol'] === 'AMQP' || m['amqp']) {
    eq(where, 'protocol', l.protocol, 'amqp');
    compareAmqp(where, m['amqp'] as Record<string, unknown>, l, diffs);
    return;
  }
  eq(where, 'protocol', l.protocol, 'core');
  if ('core_type' in m) eq(where, 'coreType', l.coreType, CORE_TYPES[m['core_type'] as number]);
  const props = (m['properties'] ?? {}) as Record<string, { type: string; value: unknown }>;
  for (const [k, v] of Object.entries(props)) eq(where, `property ${k}`, l.properties[k], v);
  if (m['jms_correlation_id'] !== undefined) eq(where, 'JMSCorrelationID', l.properties['JMSCorrelationID'], { type: 'string', value: m['jms_correlation_id'] });
  if (m['jms_correlation_id_bytes_base64'] !== undefined) eq(where, 'JMSCorrelationID', l.properties['JMSCorrelationID'], { type: 'bytes', value: m['jms_correlation_id_bytes_base64'] });
  if (m['jms_type'] !== undefined) eq(where, 'JMSType', l.properties['JMSType'], { type: 'string', value: m['jms_type'] });
  if (m['jms_reply_to'] !== undefined) eq(where, 'JMSReplyTo', l.properties['JMSReplyTo'], { type: 'string', value: m['jms_reply_to'] });
  if (m['group_id'] !== undefined) eq(where, 'group id', l.properties['_AMQ_GROUP_ID'], { type: 'string', value: m['group_id'] });
  if (m['body'] !== undefined) compareCoreBody(where, m['body'] as Record<string, unknown> | null, l.body as Record<string, unknown>, diffs);
}

function sha256(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

function compareCoreBody(where: string, want: Record<string, unknown> | null, got: Record<string, unknown>, diffs: string[]): void {
  if (want === null) {
    // A plain JMS Message: no body at all.
    if (!(got['type'] === 'bytes' && got['size'] === 0)) diffs.push(`${where}: body ${JSON.stringify(got)}, expected none`);
    return;
  }
  if ('text' in want) return check(where, 'body', got, { type: 'text', text: want['text'] }, diffs);
  if ('text_utf8_sha256' in want) {
    const text = typeof got['text'] === 'string' ? (got['text'] as string) : '';
    check(where, 'body text length', text.length, want['text_length'], diffs);
    check(where, 'body text sha256', sha256(Buffer.from(text, 'utf8')), want['text_utf8_sha256'], diffs);
    return;
  }
  if ('map' in want) {
    return check(where, 'body', { ...got, map: sortKeys(got['map'] as Record<string, unknown>) }, { type: 'map', map: sortKeys(want['map'] as Record<string, unknown>) }, diffs);
  }
  if ('stream' in want) return check(where, 'body', got, { type: 'stream', items: want['stream'] }, diffs);
  if ('serialized_sha256' in want) {
    return check(where, 'body', got, { type: 'object', size: want['serialized_length'], sha256: want['serialized_sha256'] }, diffs);
  }
  if ('bytes_base64' in want) {
    const b = Buffer.from(want['bytes_base64'] as string, 'base64');
    check(where, 'body', { type: got['type'], size: got['size'], sha256: got['sha256'] }, { type: 'bytes', size: b.length, sha256: sha256(b) }, diffs);
    return;
  }
  if ('sha256' in want) {
    check(where, 'body', { type: got['type'], size: got['size'], sha256: got['sha256'] }, { type: 'bytes', size: want['size'], sha256: want['sha256'] }, diffs);
    return;
  }
  diffs.push(`${where}: manifest body form not understood: ${Object.keys(want).join(',')}`);
}

/** broker-view.json: what the broker itself recovered — ids, flags and every property. */
function compareWithBrokerView(where: string, bv: Record<string, unknown>, l: ExportLine, diffs: string[]): void {
  check(where, 'messageId (broker view)', l.messageId, String(bv['message_id']), diffs);
  check(where, 'paged (broker view)', l.paged, bv['paged'], diffs);
  check(where, 'large (broker view)', l.large, bv['large'], diffs);
  check(where, 'priority (broker view)', l.priority, bv['priority'], diffs);
  check(where, 'durable (broker view)', l.durable, bv['durable'], diffs);
  check(where, 'deliveryCount (broker view)', l.deliveryCount, bv['delivery_count'], diffs);
  if (bv['protocol'] === 'CORE') {
    check(where, 'expiration (broker view)', l.expiration, bv['expiration'], diffs);
    check(where, 'timestamp (broker view)', l.timestamp, bv['timestamp'], diffs);
    check(where, 'properties (broker view)', sortKeys(l.properties), sortKeys(bv['properties'] as Record<string, unknown>), diffs);
    if (l.coreType === 'bytes' && bv['body_sha256'] !== undefined) check(where, 'body sha256 (broker view)', (l.body as { sha256?: string }).sha256, bv['body_sha256'], diffs);
  }
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
