/**
 * Acceptance: all 549 data directories committed to public repositories (Artemis 1.1 → 2.41,
 * standalone, WildFly/EAP, Corda). Artemis 2.x ones read with zero error diagnostics; Artemis 1.x
 * ones are refused with the clear message; none crashes or hangs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ArtemisDataDirectory, NotArtemisDataError } from '../../journal/data-directory.js';
import { FIXTURES } from '../support/fixtures.js';

const ROOT = path.join(FIXTURES, 'real-world-all', 'real-world-all');

interface Snapshot {
  fixture_dir: string;
  artemis_version: string;
}

test('real-world-all: 2.x read cleanly, 1.x refused, nothing crashes', { timeout: 300_000 }, async () => {
  const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'index.json'), 'utf8')) as { snapshots: Snapshot[] };
  assert.equal(index.snapshots.length, 549);
  const problems: string[] = [];
  let v1 = 0;
  let v2 = 0;
  let absent = 0;
  for (const snap of index.snapshots) {
    const dir = path.join(ROOT, snap.fixture_dir);
    if (!fs.existsSync(dir)) {
      // The snapshot store kept none of this directory's files (all were > 4 MB): nothing to read.
      absent++;
      continue;
    }
    const is1x = /^1\./.test(snap.artemis_version);
    const t0 = performance.now();
    try {
      const data = await ArtemisDataDirectory.open(dir);
      await data.summarize();
      data.close();
      if (is1x) problems.push(`${snap.fixture_dir} (${snap.artemis_version}): 1.x data was not refused`);
      const errors = data.diagnostics.list.filter((d) => d.severity === 'error');
      if (errors.length > 0) problems.push(`${snap.fixture_dir} (${snap.artemis_version}): ${errors.length} error(s): ${errors[0]!.message}`);
      v2++;
    } catch (e) {
      if (e instanceof NotArtemisDataError && e.reason === 'artemis-1x' && is1x) {
        assert.match(e.message, /Artemis 1\.x/);
        v1++;
      } else {
        problems.push(`${snap.fixture_dir} (${snap.artemis_version}): ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    const ms = performance.now() - t0;
    if (ms > 5000) problems.push(`${snap.fixture_dir}: took ${Math.round(ms)} ms`);
  }
  assert.deepEqual(problems, []);
  assert.ok(v1 > 0 && v2 > 0, `both kinds seen (1.x ${v1}, 2.x ${v2})`);
  assert.ok(absent <= 1, `${absent} snapshot directories absent on disk`);
  console.log(`real-world-all: ${v2} Artemis 2.x read cleanly, ${v1} Artemis 1.x refused, ${absent} absent on disk`);
});
