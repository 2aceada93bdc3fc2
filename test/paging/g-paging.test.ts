/**
 * Real data: scenario g_paging written by Artemis 2.44.0 and 2.19.1 (paged.q 3000 sent / 700
 * consumed; paged.topic with fixture-g.sub1 (700 consumed) and fixture-g.sub2 (none consumed)).
 * The pending paged messages plus the messages still referenced from the journal must be exactly
 * the manifest's messages, in manifest order, with matching durability, priority and the broker's
 * message ids and `paged` flags from broker-view.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Diagnostics } from '../../journal/diagnostics.js';
import type { StoredMessage } from '../../journal/model/message.js';
import { findPageStores } from '../../journal/paging/page-store.js';
import { countPaged, iteratePagedMessages, type PagedEntry } from '../../journal/paging/pending.js';
import { pagingJournal, queuesById } from '../support/journal-records.js';

const FIXTURES = fileURLToPath(new URL('../../../test/.fixtures/', import.meta.url));
const QUEUES = ['paged.q', 'fixture-g.sub1', 'fixture-g.sub2'];

interface ManifestMessage {
  fixture_id: string;
  seq: number;
  durable: boolean;
  priority: number;
  delivery_count: number;
}
interface BrokerMessage {
  fixture_id: string;
  message_id: number;
  paged: boolean;
  durable: boolean;
  priority: number;
  delivery_count: number;
}

const fixtureId = (m: StoredMessage): string => {
  assert.equal(m.protocol, 'core');
  const v = m.protocol === 'core' ? m.properties.get('fixture_id') : undefined;
  assert.equal(v?.type, 'string');
  return v!.value as string;
};

for (const version of ['artemis-2.44.0', 'artemis-2.19.1']) {
  const scenario = path.join(FIXTURES, version, 'g_paging');
  const dataDir = path.join(scenario, 'data');

  test(`${version} g_paging: paged ∪ journal messages equal the manifest, per queue`, { skip: !fs.existsSync(dataDir) && 'fixtures not unpacked' }, async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(scenario, 'manifest.json'), 'utf8'));
    const brokerView = JSON.parse(fs.readFileSync(path.join(scenario, 'broker-view.json'), 'utf8'));

    const queues = await queuesById(dataDir);
    const idOf = new Map([...queues.values()].map((q) => [q.name, q.id]));
    for (const name of QUEUES) assert.equal(idOf.get(name), BigInt(brokerView.queues[name].id), `queue id of ${name}`);

    const journal = await pagingJournal(dataDir);
    assert.deepEqual(journal.diagnostics.list, []);
    const diagnostics = new Diagnostics();
    const stores = findPageStores(path.join(dataDir, 'paging'), dataDir, diagnostics);
    assert.deepEqual(stores.map((s) => s.address).sort(), ['paged.q', 'paged.topic']);

    const perQueue = new Map<bigint, Array<{ entry: PagedEntry; message: StoredMessage }>>();
    for await (const entry of iteratePagedMessages({ stores, cursor: journal.cursor, queues, dataDir, largeMessagesDir: null, diagnostics })) {
      const message = entry.load();
      for (const ref of entry.queues) {
        assert.equal(ref.state, 'pending', 'no prepared transactions in this scenario');
        let list = perQueue.get(ref.queueId);
        if (!list) perQueue.set(ref.queueId, (list = []));
        list.push({ entry, message });
      }
    }
    // Page files end cleanly or with zeros: nothing worth a warning.
    assert.deepEqual(diagnostics.list.filter((d) => d.severity !== 'info'), []);

    for (const name of QUEUES) {
      const qid = idOf.get(name)!;
      const expected: ManifestMessage[] = manifest.queues[name].messages;
      const broker = new Map<string, BrokerMessage>(brokerView.queues[name].messages.map((m: BrokerMessage) => [m.fixture_id, m]));
      const paged = perQueue.get(qid) ?? [];
      const journalMessages = journal.journalRefs.get(qid) ?? [];

      // (page, msgNr) strictly increasing: the broker's delivery order for paged messages.
      for (let i = 1; i < paged.length; i++) {
        const a = paged[i - 1]!.entry;
        const b = paged[i]!.entry;
        assert.ok(a.page < b.page || (a.page === b.page && a.msgNr < b.msgNr), `${name}: order at ${i}`);
      }

      const pagedIds = paged.map((p) => fixtureId(p.message));
      const journalIds = journalMessages.map(fixtureId);
      const overlap = pagedIds.filter((id) => journalIds.includes(id));
      assert.deepEqual(overlap, [], `${name}: a message both in the journal and in pages`);
      // Journal messages were sent before paging started: together, exactly the manifest in order.
      assert.deepEqual([...journalIds, ...pagedIds], expected.map((m) => m.fixture_id), `${name}: ids and order`);

      // The broker's own view: which messages were paged, and their ids.
      assert.deepEqual(
        pagedIds,
        expected.map((m) => m.fixture_id).filter((id) => broker.get(id)!.paged),
        `${name}: broker-view paged flags`,
      );
      assert.deepEqual(journalIds, expected.map((m) => m.fixture_id).filter((id) => !broker.get(id)!.paged));

      const byId = new Map(expected.map((m) => [m.fixture_id, m]));
      for (const { entry, message } of paged) {
        const id = fixtureId(message);
        const want = byId.get(id)!;
        const seen = broker.get(id)!;
        assert.equal(entry.summary.durable, want.durable, `${id} durable`);
        assert.equal(entry.summary.priority, want.priority, `${id} priority`);
        assert.equal(message.durable, want.durable);
        assert.equal(message.priority, want.priority);
        assert.equal(want.delivery_count, 0, 'paged messages have no persisted delivery count');
        assert.equal(entry.summary.messageId, BigInt(seen.message_id), `${id} broker message id`);
        assert.equal(message.messageId, entry.summary.messageId);
        assert.equal(entry.summary.large, false);
        assert.equal(message.protocol === 'core' && message.properties.get('seq')?.value, want.seq);
      }
    }

    const { perQueue: counts, totals } = await countPaged({ stores, cursor: journal.cursor, queues, dataDir, largeMessagesDir: null, diagnostics: new Diagnostics() });
    for (const name of QUEUES) {
      const qid = idOf.get(name)!;
      const inJournal = journal.journalRefs.get(qid)?.length ?? 0;
      assert.equal(counts.get(qid)!.pending + inJournal, brokerView.queues[name].message_count, `${name} count`);
      assert.equal(counts.get(qid)!.inDoubt, 0);
    }
    assert.equal(totals.undecodable + totals.damagedFiles + totals.withoutPageTransaction + totals.missingQueueRefs, 0);
    // Consumed messages still in page files are excluded by cursor acks / completed pages.
    assert.ok(totals.consumedRefs > 0);

    // Brokers that persist page counters (2.19) agree with the pending count.
    for (const name of QUEUES) {
      const counter = journal.cursor.counter(idOf.get(name)!);
      if (counter) assert.equal(counter.total, BigInt(counts.get(idOf.get(name)!)!.pending), `${name} page counter`);
    }
    if (version === 'artemis-2.19.1') assert.equal(journal.cursor.countedQueues().length, 3);
  });
}
