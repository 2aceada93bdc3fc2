/** What an Artemis-like target holds after a drain, against the scenario's manifest. */
import type { FakeArtemis } from './fake-artemis/index.js';
import type { Scenario } from './fixtures.js';
import { compareQueue, expectedViews, pendingInOrder } from './drain-compare.js';

export async function checkTarget(s: Scenario, dataDir: string, broker: FakeArtemis): Promise<string[]> {
  const diffs: string[] = [];
  const expected = await expectedViews(dataDir);
  for (const [queue, want] of pendingInOrder(s.manifest)) {
    const q = broker.state.queues.get(queue);
    const mq = s.manifest.queues[queue]!;
    if (!q) {
      diffs.push(`${queue}: not created on the target`);
      continue;
    }
    const cfg = q as unknown as { address: string; routingType: string; filter: string | null };
    if (cfg.address !== mq.address) diffs.push(`${queue}: address ${cfg.address}, manifest ${mq.address}`);
    if (cfg.routingType !== mq.routing_type) diffs.push(`${queue}: routing type ${cfg.routingType}, manifest ${mq.routing_type}`);
    if ((cfg.filter ?? null) !== mq.filter) diffs.push(`${queue}: filter ${cfg.filter}, manifest ${mq.filter}`);
    const got = broker.messages(queue);
    for (const m of got) {
      if (m.address !== `${mq.address}::${queue}`) diffs.push(`${queue}: message sent to ${m.address}, not the FQQN`);
      if (m.capability !== (mq.routing_type === 'ANYCAST' ? 'queue' : 'topic')) diffs.push(`${queue}: link capability ${m.capability}`);
    }
    diffs.push(...compareQueue(queue, want, expected.get(queue) ?? new Map(), got.map((m) => ({ raw: m.raw, scheduledTime: m.scheduledTime }))));
  }
  return diffs;
}
