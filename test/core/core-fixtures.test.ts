/**
 * Real data: every core message record of the fixture journals, decoded and compared with what the
 * real broker recovered (broker-view.json) and with what the generator sent (manifest.json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BufferReader } from '../../journal/binary/reader.js';
import { Diagnostics } from '../../journal/diagnostics.js';
import type { MessageContext } from '../../journal/messages/context.js';
import type { CoreMessage } from '../../journal/model/message.js';
import { typedMapToJson, type JsonTyped } from '../../journal/model/typed-value.js';
import { decodeCoreLarge, decodeCorePersisted, peekCorePersistedSummary } from '../../journal/core/core-message.js';
import { peekCoreHeaderSummary } from '../../journal/core/core-headers.js';
import { decodeCoreBody, type CoreBodyJson } from '../../journal/core/core-body.js';
import { isCoreMessageRecord, messageRecords } from '../support/journal-records.js';

const FIXTURES = fileURLToPath(new URL('../../../test/.fixtures/', import.meta.url));
const SCENARIOS = [
  'artemis-2.44.0/b_core_jms_types',
  'artemis-2.44.0/d_partial_redelivery_scheduled',
  'artemis-2.44.0/f_large_messages',
  'artemis-2.44.0/j_duplicate_ids',
  'artemis-2.19.1/b_core_jms_types',
];

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

type Json = any;

interface Decoded {
  msg: CoreMessage;
  file: string;
  offset: number;
}

async function decodeAll(dataDir: string): Promise<{ byId: Map<bigint, Decoded>; diagnostics: Diagnostics }> {
  const diagnostics = new Diagnostics();
  const lm = path.join(dataDir, 'large-messages');
  const byId = new Map<bigint, Decoded>();
  for (const rec of await messageRecords(dataDir, isCoreMessageRecord)) {
    const where = { file: rec.file, offset: rec.offset };
    const ctx: MessageContext = { dataDir, largeMessagesDir: fs.existsSync(lm) ? lm : null, diagnostics, where };
    let msg: CoreMessage;
    if (rec.userType === 45) {
      const r = new BufferReader(rec.body, 1);
      msg = decodeCorePersisted(r, ctx);
      assert.equal(r.remaining, 0, `record ${rec.id} not fully consumed`);
      // the fast path must agree with the full decode
      assert.deepEqual(peekCorePersistedSummary(rec.body, 1, rec.body.length - 1), {
        messageId: msg.messageId, priority: msg.priority, durable: msg.durable, expiration: msg.expiration,
      });
    } else {
      const r = new BufferReader(rec.body);
      msg = decodeCoreLarge(r, ctx);
      assert.equal(r.remaining, 0);
      assert.deepEqual(peekCoreHeaderSummary(rec.body, 0, rec.body.length), {
        messageId: msg.messageId, priority: msg.priority, durable: msg.durable, expiration: msg.expiration,
      });
    }
    assert.equal(msg.messageId, rec.id, 'journal record id = message id');
    byId.set(msg.messageId, { msg, file: rec.file, offset: rec.offset });
  }
  return { byId, diagnostics };
}

/** Floats are printed by Java with float precision; compare at float precision. */
function assertTypedEqual(actual: JsonTyped, expected: Json, where: string): void {
  assert.equal(actual.type, expected.type, `${where}: type`);
  if (expected.type === 'float') assert.equal(Math.fround(actual.value as number), Math.fround(expected.value), `${where}: value`);
  else assert.deepEqual(actual.value, expected.value, `${where}: value`);
}

function assertPropsEqual(actual: Record<string, JsonTyped>, expected: Record<string, Json>, where: string, exact: boolean) {
  if (exact) assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${where}: property names`);
  for (const [k, v] of Object.entries(expected)) {
    assert.ok(k in actual, `${where}: property ${k} missing`);
    assertTypedEqual(actual[k]!, v, `${where}: property ${k}`);
  }
}

async function fileSha(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of fs.createReadStream(p)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Compares the decoded body with the manifest's body form. */
function assertManifestBody(body: CoreBodyJson, expected: Json, where: string): void {
  if (expected === null) {
    // a plain JMS Message: empty body
    assert.deepEqual(body, { type: 'bytes', size: 0, sha256: sha(''), base64: '' }, where);
  } else if ('text' in expected) {
    assert.deepEqual(body, { type: 'text', text: expected.text }, where);
  } else if ('text_utf8_sha256' in expected) {
    assert.equal(body.type, 'text', where);
    const text = (body as { text: string }).text;
    assert.equal(text.length, expected.text_length, `${where}: text length`);
    assert.equal(sha(Buffer.from(text, 'utf8')), expected.text_utf8_sha256, `${where}: text sha256`);
  } else if ('bytes_base64' in expected) {
    assert.equal(body.type, 'bytes', where);
    const b = body as { base64?: string; sha256: string; size: number };
    assert.equal(b.base64, expected.bytes_base64, where);
    const raw = Buffer.from(expected.bytes_base64, 'base64');
    assert.equal(b.size, raw.length, where);
    assert.equal(b.sha256, expected.sha256 ?? sha(raw), where);
  } else if ('map' in expected) {
    assert.equal(body.type, 'map', where);
    assertPropsEqual((body as { map: Record<string, JsonTyped> }).map, expected.map, `${where} map`, true);
  } else if ('stream' in expected) {
    assert.equal(body.type, 'stream', where);
    const items = (body as { items: JsonTyped[] }).items;
    assert.equal(items.length, expected.stream.length, where);
    items.forEach((it, i) => assertTypedEqual(it, expected.stream[i], `${where} stream[${i}]`));
  } else if ('serialized_sha256' in expected) {
    assert.deepEqual(body, { type: 'object', size: expected.serialized_length, sha256: expected.serialized_sha256 }, where);
  } else if ('size' in expected && 'sha256' in expected) {
    assert.deepEqual(body, { type: 'bytes', size: expected.size, sha256: expected.sha256 }, where);
  } else {
    assert.fail(`${where}: manifest body form not handled: ${JSON.stringify(expected)}`);
  }
}

for (const scenario of SCENARIOS) {
  test(`core messages of ${scenario} match broker-view.json and manifest.json`, async () => {
    const root = path.join(FIXTURES, scenario);
    const dataDir = path.join(root, 'data');
    const view = JSON.parse(fs.readFileSync(path.join(root, 'broker-view.json'), 'utf8'));
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'manifest.json'), 'utf8'));
    const { byId, diagnostics } = await decodeAll(dataDir);
    assert.deepEqual(diagnostics.list, []);

    const byFixture = new Map<string, CoreMessage>();
    let compared = 0;
    for (const [qname, q] of Object.entries<Json>(view.queues)) {
      for (const bv of q.messages ?? []) {
        if (bv.protocol !== 'CORE') continue;
        const where = `${scenario} ${qname} ${bv.fixture_id} (id ${bv.message_id})`;
        const d = byId.get(BigInt(bv.message_id));
        assert.ok(d, `${where}: not found in the journal`);
        const m = d.msg;
        assert.equal(m.address, bv.address, `${where}: address`);
        assert.equal(m.durable, bv.durable, `${where}: durable`);
        assert.equal(m.priority, bv.priority, `${where}: priority`);
        assert.equal(m.expiration, bv.expiration, `${where}: expiration`);
        assert.equal(m.timestamp, bv.timestamp, `${where}: timestamp`);
        assert.equal(m.userId, bv.user_id, `${where}: user_id`);
        assert.equal(m.type, bv.core_type, `${where}: core_type`);
        assert.equal(m.large, bv.large, `${where}: large`);
        assertPropsEqual(typedMapToJson(m.properties), bv.properties, where, true);

        if (m.body.kind === 'buffer') {
          assert.equal(m.body.data.length, bv.body_size, `${where}: body_size`);
          assert.equal(sha(m.body.data), bv.body_sha256, `${where}: body_sha256`);
          assert.equal(m.body.data.toString('base64'), bv.body_base64, `${where}: body_base64`);
        } else {
          assert.equal(m.body.length, bv.large_body_file_size, `${where}: large body size`);
          assert.equal(m.body.displayPath, `large-messages/${bv.message_id}.msg`);
          assert.equal(m.body.zlib, false);
          assert.equal(await fileSha(m.body.path), bv.large_body_file_sha256, `${where}: large body sha256`);
        }
        const body = await decodeCoreBody(m, { includeBase64: true });
        if ('text' in bv) assert.deepEqual(body, { type: 'text', text: bv.text }, `${where}: text`);
        if (bv.core_type === 4 && !bv.large) {
          assert.deepEqual(body, { type: 'bytes', size: bv.body_size, sha256: bv.body_sha256, base64: bv.body_base64 });
        }
        if (bv.core_type === 4 && bv.large) {
          assert.deepEqual(body, { type: 'bytes', size: bv.large_body_file_size, sha256: bv.large_body_file_sha256 });
        }
        byFixture.set(bv.fixture_id, m);
        compared++;
      }
    }
    assert.ok(compared > 0);

    let manifestCompared = 0;
    for (const [qname, q] of Object.entries<Json>(manifest.queues)) {
      for (const mm of q.messages ?? []) {
        if (mm.protocol === 'AMQP') continue;
        const where = `${scenario} manifest ${qname} ${mm.fixture_id}`;
        const m = byFixture.get(mm.fixture_id);
        assert.ok(m, `${where}: not among the decoded core messages`);
        assert.equal(m.type, mm.core_type, `${where}: core_type`);
        assert.equal(m.durable, mm.durable, `${where}: durable`);
        assert.equal(m.priority, mm.priority, `${where}: priority`);
        // raw core-API messages may leave out the JMS-level fields
        if ('user_id' in mm) assert.equal(m.userId, mm.user_id, `${where}: user_id`);
        if ('jms_message_id' in mm) assert.equal(`ID:${m.userId}`, mm.jms_message_id, `${where}: jms_message_id`);
        if ('timestamp' in mm) assert.equal(m.timestamp, mm.timestamp, `${where}: timestamp`);
        if ('expiration' in mm) assert.equal(m.expiration, mm.expiration, `${where}: expiration`);
        assert.equal(m.large, mm.large === true, `${where}: large`);
        assertPropsEqual(typedMapToJson(m.properties), mm.properties, where, false);
        assertManifestBody(await decodeCoreBody(m, { includeBase64: true }), mm.body, where);
        manifestCompared++;
      }
    }
    assert.ok(manifestCompared > 0);
    // what must not come back is not among the live messages
    for (const np of manifest.not_persisted ?? []) {
      if (np.fixture_id) assert.ok(!byFixture.has(np.fixture_id), `${np.fixture_id} must not be live`);
    }
  });
}

test('every core message record in every fixture journal decodes, body included, without diagnostics', async () => {
  let total = 0;
  for (const version of ['artemis-2.44.0', 'artemis-2.19.1']) {
    for (const scenario of fs.readdirSync(path.join(FIXTURES, version))) {
      const dataDir = path.join(FIXTURES, version, scenario, 'data');
      if (!fs.existsSync(path.join(dataDir, 'journal'))) continue;
      const { byId, diagnostics } = await decodeAll(dataDir);
      assert.deepEqual(diagnostics.list, [], `${version}/${scenario}`);
      for (const { msg } of byId.values()) {
        const body = await decodeCoreBody(msg, { includeBase64: false });
        assert.ok(body.type.length > 0);
        total++;
      }
    }
  }
  assert.ok(total > 1000, `only ${total} core messages found`);
});
