/**
 * Real data: every AMQP message the broker recovered (broker-view.json) is found in the journal,
 * decoded, and compared with broker-view.json and manifest.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { BufferReader, DecodeError } from '../../journal/binary/reader.js';
import { Diagnostics } from '../../journal/diagnostics.js';
import type { MessageContext } from '../../journal/messages/context.js';
import type { AmqpMessage } from '../../journal/model/message.js';
import {
  amqpTtl,
  decodeAmqpPersisted,
  describeAmqpMessage,
  openAmqpEncodedStream,
  peekAmqpSummary,
  readAmqpEncoded,
} from '../../journal/amqp/persisters.js';
import { decodeAmqpMessageView, dropDeliveryAnnotations, parseAmqpSections, SectionCode } from '../../journal/amqp/sections.js';
import type { EffectiveRecord } from '../../journal/model/effective-record.js';
import { isAmqpMessageRecord, messageRecords } from '../support/journal-records.js';
import { compareWithBrokerView, compareWithManifest, sha256 } from './manifest-compare.js';

const FIXTURES = fileURLToPath(new URL('../../../test/.fixtures/', import.meta.url));

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Decoded {
  record: EffectiveRecord;
  msg: AmqpMessage;
  ctx: MessageContext;
}

function load(scenario: string): { dataDir: string; manifest: Json; brokerView: Json } {
  const dir = join(FIXTURES, scenario);
  return {
    dataDir: join(dir, 'data'),
    manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')),
    brokerView: JSON.parse(readFileSync(join(dir, 'broker-view.json'), 'utf8')),
  };
}

/** broker-view AMQP messages by broker message id (a multicast message appears once per queue). */
function brokerAmqpMessages(bv: Json): Map<number, Json> {
  const out = new Map<number, Json>();
  for (const q of Object.values<Json>(bv.queues)) {
    for (const m of q.messages ?? []) if (m.protocol === 'AMQP') out.set(m.message_id, m);
  }
  return out;
}

function manifestMessages(manifest: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const q of Object.values<Json>(manifest.queues)) {
    for (const m of q.messages ?? []) if (m.protocol === 'AMQP') out.set(m.fixture_id, m);
  }
  return out;
}

async function decodeAll(dataDir: string, diagnostics: Diagnostics): Promise<Map<bigint, Decoded>> {
  const out = new Map<bigint, Decoded>();
  for (const record of await messageRecords(dataDir, isAmqpMessageRecord)) {
    const ctx: MessageContext = {
      dataDir,
      largeMessagesDir: join(dataDir, 'large-messages'),
      diagnostics,
      where: { file: record.file, offset: record.offset },
    };
    const r = new BufferReader(record.body, 1);
    const msg = decodeAmqpPersisted(record.body[0]!, r, ctx);
    assert.equal(r.remaining, 0, `record ${record.id} fully consumed`);
    out.set(record.id, { record, msg, ctx });
  }
  return out;
}

async function streamSha(msg: AmqpMessage): Promise<{ size: number; sha256: string }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of openAmqpEncodedStream(msg, 256 * 1024)) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: h.digest('hex') };
}

async function checkScenario(scenario: string, expectedPersister: number): Promise<number> {
  const { dataDir, manifest, brokerView } = load(scenario);
  const diagnostics = new Diagnostics();
  const decoded = await decodeAll(dataDir, diagnostics);
  const expected = brokerAmqpMessages(brokerView);
  const byFixture = manifestMessages(manifest);
  assert.ok(expected.size > 0, `${scenario}: broker-view lists AMQP messages`);

  for (const [brokerId, bv] of expected) {
    const d = decoded.get(BigInt(brokerId));
    assert.ok(d, `${scenario}: broker message ${brokerId} (${bv.fixture_id}) not found in the journal`);
    const { msg, record } = d;
    const label = `${scenario} ${bv.fixture_id}`;

    // record-level facts against what the broker recovered
    assert.equal(msg.persister, expectedPersister, `${label}: persister`);
    assert.equal(msg.messageId, BigInt(brokerId), `${label}: message id`);
    assert.equal(msg.large, bv.large, `${label}: large`);
    assert.equal(msg.durable, bv.durable, `${label}: durable`);
    assert.equal(msg.priority, bv.priority, `${label}: priority`);
    assert.equal(msg.expiration, bv.expiration, `${label}: expiration`);
    assert.equal(msg.address, bv.address, `${label}: address`);
    assert.equal(msg.messageFormat, 0n, `${label}: message format`);
    // extra properties: just the routing address (2.19.1 leaves it out when properties.to names it)
    const extra = [...msg.extraProperties];

    // the indexing fast path agrees with the full decode
    const summary = peekAmqpSummary(record.body[0]!, record.body, 1, record.body.length - 1);
    assert.deepEqual(summary, { messageId: msg.messageId, priority: msg.priority, durable: msg.durable, expiration: msg.expiration }, `${label}: summary`);

    const view = await describeAmqpMessage(msg, { includeBase64: !msg.large });
    if (extra.length === 0) {
      assert.ok(scenario.startsWith('artemis-2.19.1/'), `${label}: _AMQ_AD missing`);
      assert.deepEqual(view.properties?.to, { type: 'string', value: bv.address }, `${label}: properties.to holds the address`);
    } else {
      assert.deepEqual(extra, [['_AMQ_AD', { type: 'string', value: bv.address }]], `${label}: extra properties`);
    }
    assert.equal(amqpTtl(msg), view.header?.ttl ?? null, `${label}: ttl`);
    compareWithBrokerView(view, bv);
    const m = byFixture.get(bv.fixture_id);
    assert.ok(m, `${label}: in manifest`);
    compareWithManifest(view, m);

    if (!msg.large) {
      // in-memory path gives the same view as the positional one
      const whole = await readAmqpEncoded(msg);
      assert.deepEqual(decodeAmqpMessageView(parseAmqpSections(whole)), view, `${label}: in-memory view`);
      const noDa = parseAmqpSections(dropDeliveryAnnotations(whole));
      assert.ok(!noDa.some((s) => s.code === SectionCode.DELIVERY_ANNOTATIONS), `${label}: delivery annotations dropped`);
      assert.equal(noDa.length, parseAmqpSections(whole).length - (view.deliveryAnnotations ? 1 : 0), `${label}: other sections kept`);
    } else {
      // header from the record + the file after the header: here byte-identical to the file
      const file = msg.encoded.at(-1)!;
      assert.equal(file.kind, 'file', `${label}: body part is the file`);
      if (file.kind === 'file') assert.equal(file.displayPath, `large-messages/${brokerId}.msg`, `${label}: file`);
      const streamed = await streamSha(msg);
      assert.equal(streamed.size, bv.large_body_file_size, `${label}: rebuilt size = file size`);
      assert.equal(streamed.sha256, bv.large_body_file_sha256, `${label}: rebuilt bytes = file bytes`);
      assert.equal(statSync(join(dataDir, 'large-messages', `${brokerId}.msg`)).size, bv.large_body_file_size);
      // with a small in-memory limit every body is streamed through sha256: same view
      const streamedView = await describeAmqpMessage(msg, { includeBase64: false, maxSectionInMemory: 64 * 1024 });
      compareWithManifest(streamedView, m);
      assert.deepEqual({ ...streamedView, body: null }, { ...view, body: null }, `${label}: streamed view`);
      if (view.body.section === 'data') assert.deepEqual(streamedView.body, view.body, `${label}: streamed data body`);
    }
  }
  assert.deepEqual(diagnostics.list, [], `${scenario}: no diagnostics`);
  return expected.size;
}

test('artemis-2.44.0 c_amqp: every AMQP message matches broker-view and manifest', async () => {
  assert.equal(await checkScenario('artemis-2.44.0/c_amqp', 5), 12);
});

test('artemis-2.19.1 c_amqp: every AMQP message matches broker-view and manifest', async () => {
  assert.equal(await checkScenario('artemis-2.19.1/c_amqp', 5), 12);
});

test('artemis-2.44.0 f_large_messages: AMQP large messages (persister 4) match broker-view and manifest', async () => {
  assert.equal(await checkScenario('artemis-2.44.0/f_large_messages', 4), 3);
});

test('c_amqp: rhea wrote the footer before the body and its delivery annotations stayed on disk', async () => {
  const { dataDir } = load('artemis-2.44.0/c_amqp');
  const decoded = await decodeAll(dataDir, new Diagnostics());
  const d = decoded.get(43n)!;
  const whole = await readAmqpEncoded(d.msg);
  const codes = parseAmqpSections(whole).map((s) => s.code);
  assert.deepEqual(codes, [0x70, 0x71, 0x72, 0x73, 0x74, 0x78, 0x75]);
  const stripped = dropDeliveryAnnotations(whole);
  assert.deepEqual(parseAmqpSections(stripped).map((s) => s.code), [0x70, 0x72, 0x73, 0x74, 0x78, 0x75]);
  const view = decodeAmqpMessageView(parseAmqpSections(whole));
  assert.deepEqual(view.deliveryAnnotations, { 'x-opt-delivery-ann': { type: 'string', value: 'dropped-or-kept?' } });
  // c-07-no-body really has no body section
  const noBody = parseAmqpSections(await readAmqpEncoded(decoded.get(39n)!.msg)).map((s) => s.code);
  assert.deepEqual(noBody, [0x70, 0x73, 0x74]);
  assert.equal(sha256(stripped).length, 64);
});

test('randomly corrupted real records: only DecodeError or diagnostics, never another exception', async () => {
  const { dataDir } = load('artemis-2.44.0/c_amqp');
  const records = await messageRecords(dataDir, isAmqpMessageRecord);
  let seed = 4242;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  let decodeErrors = 0;
  let viewErrors = 0;
  for (let i = 0; i < 4000; i++) {
    const rec = records[i % records.length]!;
    const body = Buffer.from(rec.body);
    const flips = 1 + Math.floor(rnd() * 3);
    // persister byte and message id left alone: damage the rest
    for (let f = 0; f < flips; f++) body[9 + Math.floor(rnd() * (body.length - 9))] = Math.floor(rnd() * 256);
    const ctx: MessageContext = { dataDir, largeMessagesDir: null, diagnostics: new Diagnostics(), where: { file: 'x', offset: 0 } };
    let msg: AmqpMessage;
    try {
      peekAmqpSummary(body[0]!, body, 1, body.length - 1);
      msg = decodeAmqpPersisted(body[0]!, new BufferReader(body, 1), ctx);
    } catch (e) {
      assert.ok(e instanceof DecodeError, `record ${rec.id} mutation ${i}: ${String(e)}`);
      decodeErrors++;
      continue;
    }
    try {
      await describeAmqpMessage(msg, { includeBase64: true });
      decodeAmqpMessageView(parseAmqpSections(await readAmqpEncoded(msg)));
    } catch (e) {
      assert.ok(e instanceof DecodeError, `record ${rec.id} mutation ${i} view: ${String(e)}`);
      viewErrors++;
    }
  }
  assert.ok(decodeErrors > 100 && viewErrors > 100, `error paths exercised (${decodeErrors} record, ${viewErrors} view)`);
});
