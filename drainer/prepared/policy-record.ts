/**
 * The in-doubt policy a drain of this data directory already acted on, kept next to the drain
 * state. Switching policy half-way would invent outcomes (parked copies and heuristic deliveries of
 * the same transaction), so a re-run with another policy is refused; `fail` moved nothing of them
 * and may be changed freely (and switching to it sends nothing more of them).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { InDoubtPolicy } from './policy.js';

const FILE = 'in-doubt-policy.json';

interface PolicyRecord {
  policy: InDoubtPolicy;
  parkQueue: string;
}

/** An error text when the recorded policy differs; otherwise records this one and returns null. */
export function checkAndRecordPolicy(stateDir: string, policy: InDoubtPolicy, parkQueue: string, discardEarlier: boolean): string | null {
  const file = path.join(stateDir, FILE);
  let earlier: PolicyRecord | null = null;
  try {
    earlier = JSON.parse(fs.readFileSync(file, 'utf8')) as PolicyRecord;
  } catch {
    earlier = null;
  }
  if (earlier && !discardEarlier && earlier.policy !== 'fail' && policy !== 'fail') {
    const same = earlier.policy === policy && (policy !== 'park' || earlier.parkQueue === parkQueue);
    if (!same) {
      const was = earlier.policy === 'park' ? `park (into ${earlier.parkQueue})` : earlier.policy;
      return `an earlier run of this drain already handled the in-doubt messages with --prepared-transactions=${was}; switching now would duplicate or contradict it. Re-run with the same policy, and apply the transaction manager's decision with 'artemis-drainer resolve'`;
    }
  }
  if (policy !== 'fail' && (!earlier || earlier.policy !== policy || earlier.parkQueue !== parkQueue)) {
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ policy, parkQueue } satisfies PolicyRecord));
    fs.renameSync(tmp, file);
  }
  return null;
}
