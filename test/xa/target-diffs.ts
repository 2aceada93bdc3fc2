/** The whole Artemis-like target after an XA drain or resolve, against the manifest (see expected.ts). */
import type { FakeArtemis } from '../support/fake-artemis/index.js';
import type { Scenario } from '../support/fixtures.js';
import { compareParked, compareQueueBytes, Conversions, wantFromManifest, type Policy } from './expected.js';

export const PARK = 'drainer.in-doubt';

export async function targetDiffs(broker: FakeArtemis, s: Scenario, dataDir: string, policy: Policy, opts: { ordered: boolean }): Promise<string[]> {
  const want = wantFromManifest(s.manifest, policy);
  const conv = await Conversions.of(dataDir);
  const diffs: string[] = [];
  for (const [queue, list] of want.queues) {
    if (!broker.queue(queue)) {
      diffs.push(`${queue}: not created`);
      continue;
    }
    const got = broker.messages(queue);
    for (const m of got) if (m.address !== `${queue}::${queue}`) diffs.push(`${queue}: a message was sent to ${m.address}`);
    diffs.push(...(await compareQueueBytes(queue, list, got.map((m) => m.raw), conv, opts)));
  }
  const extra = broker.queueNames().filter((q) => !want.queues.has(q) && q !== PARK);
  if (extra.length) diffs.push(`unexpected queues ${extra.join(',')}`);
  if (want.parked.length > 0 || policy === 'park') {
    const q = broker.queue(PARK);
    if (!q) diffs.push('no parking queue');
    else {
      if (q.routingType !== 'ANYCAST' || q.address !== PARK) diffs.push(`parking queue ${q.address}/${q.routingType}`);
      diffs.push(...(await compareParked(want.parked, broker.messages(PARK).map((m) => m.raw), conv)));
    }
  } else if (broker.queue(PARK) && broker.messages(PARK).length > 0) {
    diffs.push(`parking queue holds ${broker.messages(PARK).length} message(s) under ${policy}`);
  }
  return diffs;
}

