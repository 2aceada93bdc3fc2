/**
 * Every message of every real-broker scenario is converted; the parts are concatenated (file
 * regions read, zlib parts inflated), decoded with journal/amqp and with rhea, and checked against
 * manifest.json / broker-view.json: body, §3.2 properties, header, expiry, message type, scheduled
 * time, duplicate id, application properties with their exact types — and, for stored AMQP
 * messages, that every section but header / delivery / message annotations is byte-identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import rhea from 'rhea';
import { ArtemisDataDirectory, type QueueEntry } from '../../journal/data-directory.js';
import { readAmqpEncoded } from '../../journal/amqp/persisters.js';
import { decodeAmqpMessageView, parseAmqpSections, SectionCode, type AmqpView } from '../../journal/amqp/sections.js';
import { headerView } from '../../journal/amqp/view.js';
import type { AmqpSection, StoredMessage } from '../../journal/model/message.js';
import type { JsonTyped } from '../../journal/model/typed-value.js';
import { readRawMapSection } from '../../drainer/amqp/encode/index.js';
import { readOutgoing } from '../../drainer/convert/outgoing-bytes.js';
import { toOutgoing } from '../../drainer/convert/to-outgoing.js';
import type { ConversionContext, OutgoingMessage } from '../../drainer/convert/outgoing.js';
import { scenarios, type Manifest, type ManifestMessage, type Scenario } from '../support/fixtures.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const NODE = 'test-node';
/** 1 000 000 ms before b-01's expiration: some ttls fit a uint, b-11's (year 2100) does not. */
const NOW = 2110673644990 - 1_000_000;
const MAX_UINT = 0xffffffff;

const JMS_MSG_TYPE: Record<number, number> = { 0: 0, 2: 1, 3: 5, 4: 3, 5: 2, 6: 4 };

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function expectedTtl(expiration: number): number | null {
  const ttl = Math.max(1, expiration - NOW);
  return ttl > MAX_UINT ? null : ttl;
}

/** queue → fixture id → manifest message (pending, in-doubt acks and prepared sends). */
function expectedMessages(m: Manifest): Map<string, Map<string, ManifestMessage>> {
  const out = new Map<string, Map<string, ManifestMessage>>();
  const q = (name: string) => out.get(name) ?? out.set(name, new Map()).get(name)!;
  for (const [name, queue] of Object.entries(m.queues)) for (const msg of queue.messages ?? []) q(name).set(msg.fixture_id, msg);
  for (const tx of m.prepared_transactions) for (const s of tx.sends) q(s.queue).set(s.message.fixture_id, s.message);
  return out;
}

/**
 * The paging and compaction manifests list messages by id and seq only and state their content
 * as a rule (manifest `notes`): g — text '%05d:' + 1000 × 'x'; h — 1024 zero bytes (BYTES).
 */
function complete(s: Scenario, m: ManifestMessage): ManifestMessage {
  if (m['body'] !== undefined || m['amqp'] !== undefined) return m;
  const seq = m['seq'] as number;
  const properties = { fixture_id: { type: 'string', value: m.fixture_id }, seq: { type: 'int', value: seq } };
  if (s.name === 'g_paging') return { ...m, core_type: 3, properties, body: { text: `${String(seq).padStart(5, '0')}:${'x'.repeat(1000)}` } };
  if (s.name === 'h_compacted') return { ...m, core_type: 4, properties, body: { bytes_base64: Buffer.alloc(1024).toString('base64') } };
  throw new Error(`${s.name}: manifest message ${m.fixture_id} has no body and no rule for one`);
}

function brokerView(s: Scenario, queue: string, id: string): Json | null {
  return s.brokerView?.queues[queue]?.messages?.find((x: Json) => x.fixture_id === id) ?? null;
}

interface Converted {
  entry: QueueEntry;
  msg: StoredMessage;
  out: OutgoingMessage;
  bytes: Buffer;
  sections: AmqpSection[];
  view: AmqpView;
}

for (const s of scenarios()) {
  test(`${s.version}/${s.name}: every message converts to the AMQP message the manifest describes`, async () => {
    const data = await ArtemisDataDirectory.open(s.dataDir);
    const expected = expectedMessages(s.manifest);
    const seen = new Set<string>();
    const problems: string[] = [];
    try {
      for (const q of data.queues) {
        for await (const entry of data.entries(q)) {
          const msg = entry.load();
          assert.ok(msg, `${q.name}: message ${entry.messageId} loads`);
          const ctx: ConversionContext = {
            sourceNodeId: NODE,
            queue: q.name,
            address: q.address,
            routingType: q.routingType,
            deliveryCount: entry.deliveryCount,
            scheduledTime: entry.scheduledTime,
            now: NOW,
          };
          const out = await toOutgoing(msg, ctx);
          const bytes = await readOutgoing(out);
          assert.equal(bytes.length, out.size, 'size is the byte count of the parts');
          const sections = parseAmqpSections(bytes);
          const c: Converted = { entry, msg, out, bytes, sections, view: decodeAmqpMessageView(sections, { includeBase64: false }) };
          const id = c.view.applicationProperties?.['fixture_id']?.value as string | undefined;
          assert.ok(id, `${q.name}: message ${entry.messageId} has a fixture_id`);
          const where = `${q.name}/${id}`;
          seen.add(`${q.name}/${id}`);
          const listed = expected.get(q.name)?.get(id);
          const want = listed ? complete(s, listed) : undefined;
          if (!want) {
            problems.push(`${where}: not in the manifest`);
            continue;
          }
          const diffs: string[] = [];
          checkCommon(where, c, ctx, want, diffs);
          if (msg.protocol === 'core') checkCore(where, c, want, brokerView(s, q.name, id), q.address, diffs);
          else await checkAmqp(where, c, want, diffs);
          checkRhea(where, c, diffs);
          problems.push(...diffs);
        }
      }
    } finally {
      data.close();
    }
    for (const [queue, msgs] of expected) for (const id of msgs.keys()) if (!seen.has(`${queue}/${id}`)) problems.push(`${queue}/${id}: not converted`);
    assert.deepEqual(problems.slice(0, 30), [], `${problems.length} problem(s)`);
  });
}

function eq(diffs: string[], where: string, what: string, got: unknown, want: unknown): void {
  const j = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  if (j(got) !== j(want)) diffs.push(`${where}: ${what} = ${j(got)}, expected ${j(want)}`);
}

/** Checks that hold for every converted message, core or AMQP. */
function checkCommon(where: string, c: Converted, ctx: ConversionContext, m: ManifestMessage, diffs: string[]): void {
  const { view, out, msg } = c;
  eq(diffs, where, 'durable', out.durable, m['durable']);
  eq(diffs, where, 'header.durable (always explicit)', view.header?.durable, m['durable']);
  eq(diffs, where, 'priority', out.priority, m['priority']);
  eq(diffs, where, 'format', out.format, 0);
  eq(diffs, where, 'delivery count', c.entry.deliveryCount, m['delivery_count']);
  const ma = view.messageAnnotations ?? {};
  eq(diffs, where, 'x-opt-drainer-delivery-count', ma['x-opt-drainer-delivery-count'], { type: 'uint', value: m['delivery_count'] });
  eq(diffs, where, 'x-opt-drainer-source', ma['x-opt-drainer-source'], { type: 'string', value: `${NODE}:${msg.messageId}` });
  eq(diffs, where, 'x-opt-routing-type', ma['x-opt-routing-type'], undefined);
  eq(diffs, where, 'delivery annotations', view.deliveryAnnotations, null);
  const scheduled = m['scheduled_delivery_time'] as number | undefined;
  eq(diffs, where, 'x-opt-delivery-time', ma['x-opt-delivery-time'], scheduled ? { type: 'long', value: String(scheduled) } : undefined);

  // Duplicate id: the message's own (same type), else the deterministic one.
  const own = duplicateIdOf(m);
  const dup = view.applicationProperties?.['_AMQ_DUPL_ID'];
  const deterministic = `drainer:${NODE}:${msg.messageId}:${ctx.queue}`;
  eq(diffs, where, '_AMQ_DUPL_ID', dup, own ?? { type: 'string', value: deterministic });
  eq(diffs, where, 'duplicateId', Buffer.isBuffer(out.duplicateId) ? { type: 'binary', value: out.duplicateId.toString('base64') } : { type: 'string', value: out.duplicateId }, own ?? { type: 'string', value: deterministic });
}

function duplicateIdOf(m: ManifestMessage): JsonTyped | null {
  const core = (m['properties'] as Json)?.['_AMQ_DUPL_ID'];
  if (core) return core.type === 'bytes' ? { type: 'binary', value: core.value } : core;
  const amqp = (m['amqp'] as Json)?.application_properties?.['_AMQ_DUPL_ID'];
  if (amqp) return amqp.type === 'binary' ? { type: 'binary', value: amqp.value_base64 } : amqp;
  return null;
}

/** Core names that are not application properties (§3.3) or are mapped to fields. */
function notAnApplicationProperty(name: string): boolean {
  return (
    (name.startsWith('JMS') && !name.startsWith('JMSX') && !name.startsWith('JMS_')) ||
    name.startsWith('__AMQ_CID') ||
    name.startsWith('_AMQ_ROUTE_TO') ||
    ['_AMQ_ROUTING_TYPE', '_AMQ_SCHED_DELIVERY', '_AMQ_GROUP_ID', '_AMQ_GROUP_SEQUENCE', '_AMQ_VALIDATED_USER', '_AMQ_LARGE_COMPRESSED', 'NATIVE_MESSAGE_ID'].includes(name)
  );
}

const amqpJson = (v: Json) => (v.type === 'bytes' ? { type: 'binary', value: v.value } : v);

function checkCore(where: string, c: Converted, m: ManifestMessage, bv: Json | null, address: string, diffs: string[]): void {
  const { view } = c;
  const p = view.properties!;
  const h = view.header!;
  const priority = m['priority'] as number;
  eq(diffs, where, 'header.priority', h.priority, priority === 4 ? null : priority);
  const expiration = (m['expiration'] ?? bv?.expiration ?? 0) as number;
  eq(diffs, where, 'header.ttl', h.ttl, expiration ? expectedTtl(expiration) : null);
  eq(diffs, where, 'absolute-expiry-time', p['absolute-expiry-time'], expiration ? { type: 'timestamp', value: String(expiration) } : null);
  const timestamp = (m['timestamp'] ?? bv?.timestamp) as number | undefined;
  if (timestamp !== undefined) eq(diffs, where, 'creation-time', p['creation-time'], timestamp ? { type: 'timestamp', value: String(timestamp) } : null);

  const userId = (m['user_id'] ?? bv?.user_id ?? null) as string | null;
  const messageId = (m['jms_message_id'] as string | undefined) ?? (userId ? `ID:${userId}` : null);
  eq(diffs, where, 'message-id', p['message-id'], messageId ? { type: 'string', value: messageId } : null);
  eq(diffs, where, 'user-id', p['user-id'], null);
  eq(diffs, where, 'to', p.to, { type: 'string', value: address });
  eq(diffs, where, 'subject', p.subject, m['jms_type'] ? { type: 'string', value: m['jms_type'] } : null);

  const replyTo = (m['jms_reply_to'] ?? m['core_reply_to']) as string | undefined;
  const ma = view.messageAnnotations ?? {};
  if (replyTo) {
    const kind = replyTo.startsWith('topic://') ? 1 : 0;
    eq(diffs, where, 'reply-to', p['reply-to'], { type: 'string', value: replyTo.replace(/^(queue|topic):\/\//, '') });
    eq(diffs, where, 'x-opt-jms-reply-to', ma['x-opt-jms-reply-to'], { type: 'byte', value: kind });
  } else {
    eq(diffs, where, 'reply-to', p['reply-to'], null);
    eq(diffs, where, 'x-opt-jms-reply-to', ma['x-opt-jms-reply-to'], undefined);
  }
  const corr = (m['jms_correlation_id'] ?? m['core_correlation_id']) as string | undefined;
  const corrBytes = m['jms_correlation_id_bytes_base64'] as string | undefined;
  eq(diffs, where, 'correlation-id', p['correlation-id'], corr ? { type: 'string', value: corr } : corrBytes ? { type: 'binary', value: corrBytes } : null);
  eq(diffs, where, 'group-id', p['group-id'], m['group_id'] ? { type: 'string', value: m['group_id'] } : null);
  eq(diffs, where, 'group-sequence', p['group-sequence'], m['group_seq'] !== undefined ? { type: 'uint', value: m['group_seq'] } : null);
  const coreType = m['core_type'] as number;
  eq(diffs, where, 'x-opt-jms-msg-type', ma['x-opt-jms-msg-type'], { type: 'byte', value: JMS_MSG_TYPE[coreType] });
  eq(diffs, where, 'content-type', p['content-type'], coreType === 2 ? { type: 'symbol', value: 'application/x-java-serialized-object' } : null);
  if (bv) {
    const multicast = bv.properties?._AMQ_ROUTING_TYPE?.value === 0;
    eq(diffs, where, 'x-opt-jms-dest', ma['x-opt-jms-dest'], { type: 'byte', value: multicast ? 1 : 0 });
  }

  // Application properties: every property the broker recovered, minus the §3.3 mappings and
  // drops, with exact types; the manifest's own list as well.
  const ap = view.applicationProperties ?? {};
  for (const [k, v] of Object.entries((m['properties'] ?? {}) as Record<string, Json>)) {
    if (!notAnApplicationProperty(k)) eq(diffs, where, `application property ${k}`, ap[k], amqpJson(v));
    else eq(diffs, where, `dropped property ${k}`, ap[k], undefined);
  }
  if (bv) {
    const want: Record<string, Json> = {};
    for (const [k, v] of Object.entries(bv.properties as Record<string, Json>)) if (!notAnApplicationProperty(k)) want[k] = amqpJson(v);
    want['_AMQ_DUPL_ID'] ??= ap['_AMQ_DUPL_ID'];
    eq(diffs, where, 'application properties (broker view)', sortKeys(ap), sortKeys(want));
  }
  checkCoreBody(where, view, m['body'] as Json, diffs);
}

function checkCoreBody(where: string, view: AmqpView, want: Json, diffs: string[]): void {
  const body = view.body as Json;
  if (want === null) return eq(diffs, where, 'body', body, { section: 'none' });
  if ('text' in want) {
    return eq(diffs, where, 'body', body, { section: 'amqp-value', value: want.text === null ? { type: 'null', value: null } : { type: 'string', value: want.text } });
  }
  if ('text_utf8_sha256' in want) {
    const text = body.value?.value as string;
    eq(diffs, where, 'body section', body.section, 'amqp-value');
    eq(diffs, where, 'body text length', text?.length, want.text_length);
    eq(diffs, where, 'body text sha256', sha256(Buffer.from(text ?? '', 'utf8')), want.text_utf8_sha256);
    return;
  }
  if ('map' in want) {
    eq(diffs, where, 'body section', body.section, 'amqp-value');
    eq(diffs, where, 'body type', body.value?.type, 'map');
    const got: Record<string, Json> = {};
    for (const e of body.value?.value ?? []) {
      eq(diffs, where, 'map key type', e.key.type, 'string');
      got[e.key.value] = e.value;
    }
    const exp: Record<string, Json> = {};
    for (const [k, v] of Object.entries(want.map as Record<string, Json>)) exp[k] = amqpJson(v);
    return eq(diffs, where, 'body map', sortKeys(got), sortKeys(exp));
  }
  if ('stream' in want) {
    return eq(diffs, where, 'body', body, { section: 'amqp-value', value: { type: 'list', value: (want.stream as Json[]).map(amqpJson) } });
  }
  if ('serialized_sha256' in want) return eq(diffs, where, 'body', body, { section: 'data', size: want.serialized_length, sha256: want.serialized_sha256 });
  if ('bytes_base64' in want) {
    const b = Buffer.from(want.bytes_base64, 'base64');
    return eq(diffs, where, 'body', body, { section: 'data', size: b.length, sha256: sha256(b) });
  }
  if ('sha256' in want) return eq(diffs, where, 'body', body, { section: 'data', size: want.size, sha256: want.sha256 });
  diffs.push(`${where}: manifest body form not understood: ${Object.keys(want).join(',')}`);
}

async function checkAmqp(where: string, c: Converted, m: ManifestMessage, diffs: string[]): Promise<void> {
  if (c.msg.protocol !== 'amqp') return;
  const storedBytes = await readAmqpEncoded(c.msg);
  const stored = parseAmqpSections(storedBytes);
  const slice = (buf: Buffer, s: AmqpSection) => buf.subarray(s.offset, s.offset + s.length);
  const kept = (secs: AmqpSection[], buf: Buffer) =>
    secs
      .filter((s) => s.code >= SectionCode.PROPERTIES && s.code !== SectionCode.APPLICATION_PROPERTIES)
      .map((s) => slice(buf, s).toString('hex'));
  eq(diffs, where, 'properties, body and footer bytes', kept(c.sections, c.bytes), kept(stored, storedBytes));
  // Header and annotations first, then the stored sections in their stored order (all fixture
  // messages have application properties, so none is inserted).
  eq(diffs, where, 'section order', c.sections.map((s) => s.code), [0x70, 0x72, ...stored.filter((s) => s.code > 0x72).map((s) => s.code)]);

  // Header: re-encoded from what was stored, durable explicit, ttl from the broker's expiration.
  const storedHeader = stored.find((s) => s.code === SectionCode.HEADER);
  const sh = storedHeader ? headerView(storedHeader) : null;
  const expiration = c.msg.expiration;
  eq(diffs, where, 'header', c.view.header, {
    durable: c.msg.durable,
    priority: sh?.priority ?? null,
    ttl: expiration > 0 ? expectedTtl(expiration) : (sh?.ttl ?? null),
    firstAcquirer: sh?.firstAcquirer ?? null,
    deliveryCount: sh?.deliveryCount ?? null,
  });
  const amqp = m['amqp'] as Json;
  if (amqp.header?.priority != null) eq(diffs, where, 'header priority (manifest)', c.view.header?.priority ?? 4, amqp.header.priority);

  // Message annotations: the stored ones (routing type removed) plus the drainer's.
  const storedView = decodeAmqpMessageView(stored, { includeBase64: false });
  const wantMa: Record<string, JsonTyped> = { ...(storedView.messageAnnotations ?? {}) };
  delete wantMa['x-opt-routing-type'];
  const gotMa = { ...(c.view.messageAnnotations ?? {}) };
  delete gotMa['x-opt-drainer-delivery-count'];
  delete gotMa['x-opt-drainer-source'];
  eq(diffs, where, 'message annotations', sortKeys(gotMa), sortKeys(wantMa));
  const manifestMa = amqp.message_annotations;
  for (const k of Array.isArray(manifestMa) ? manifestMa : Object.keys(manifestMa ?? {})) if (!(k in gotMa)) diffs.push(`${where}: message annotation ${k} lost`);

  // Application properties: byte-identical when they had a duplicate id, else the same entries
  // (same bytes) plus the drainer's id.
  const storedApSection = stored.find((s) => s.code === SectionCode.APPLICATION_PROPERTIES);
  const gotApSection = c.sections.find((s) => s.code === SectionCode.APPLICATION_PROPERTIES)!;
  const gotAp = readRawMapSection(slice(c.bytes, gotApSection));
  const storedEntries = storedApSection ? readRawMapSection(slice(storedBytes, storedApSection)).entries : [];
  const hadId = storedEntries.some((e) => e.key.value === '_AMQ_DUPL_ID');
  eq(
    diffs,
    where,
    'application property entries',
    gotAp.entries.map((e) => e.bytes.toString('hex')).slice(0, hadId ? undefined : -1),
    storedEntries.map((e) => e.bytes.toString('hex')),
  );
  for (const [k, v] of Object.entries((amqp.application_properties ?? {}) as Record<string, Json>)) {
    const got = c.view.applicationProperties?.[k];
    const plain = v === null || typeof v !== 'object';
    const want = plain ? v : v.type === 'binary' ? v.value_base64 : v.value;
    const gotValue = got?.value;
    if (got === undefined || String(gotValue) !== String(want)) diffs.push(`${where}: application property ${k} = ${JSON.stringify(got)}, expected ${JSON.stringify(v)}`);
  }

  // Body against the manifest.
  const wb = amqp.body as Json;
  const gb = c.view.body as Json;
  if (wb.section === 'data') {
    const size = typeof wb.value_base64 === 'string' ? Buffer.from(wb.value_base64, 'base64').length : wb.size;
    eq(diffs, where, 'data body', { size: gb.size, sha256: gb.sha256 }, { size, sha256: wb.sha256 });
  } else if ('utf8_sha256' in wb) {
    eq(diffs, where, 'large string body', sha256(Buffer.from(gb.value?.value ?? '', 'utf8')), wb.utf8_sha256);
  } else if (wb.section === 'amqp-value' && wb.value?.type === 'null') {
    assert.ok(gb.section === 'none' || gb.value?.type === 'null', `${where}: null body`);
  } else {
    eq(diffs, where, 'body section', gb.section, wb.section);
  }
}

/** rhea decodes the message and sees the same essentials. */
function checkRhea(where: string, c: Converted, diffs: string[]): void {
  let m: Json;
  try {
    m = rhea.message.decode(c.bytes);
  } catch (e) {
    diffs.push(`${where}: rhea cannot decode: ${(e as Error).message}`);
    return;
  }
  eq(diffs, where, 'rhea durable', m.durable, c.out.durable);
  const dup = m.application_properties?._AMQ_DUPL_ID;
  eq(diffs, where, 'rhea _AMQ_DUPL_ID', Buffer.isBuffer(dup) ? dup.toString('base64') : dup, Buffer.isBuffer(c.out.duplicateId) ? c.out.duplicateId.toString('base64') : c.out.duplicateId);
  eq(diffs, where, 'rhea fixture_id', m.application_properties?.fixture_id, c.view.applicationProperties?.['fixture_id']?.value);
  const body = c.view.body as Json;
  if (body.section === 'data') eq(diffs, where, 'rhea data size', m.body?.content?.length, body.size);
  if (body.section === 'amqp-value' && body.value?.type === 'string') eq(diffs, where, 'rhea text', m.body, body.value.value);
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
