/**
 * The id of the broker that wrote the data: bytes 3–18 of `server.lock` are its node UUID (format
 * spec §2.2). It makes the drainer's duplicate ids unique per source broker and stable across runs.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataDirLayout } from '../../journal/layout.js';

export function sourceNodeId(layout: DataDirLayout): string {
  for (const dir of [layout.journalDir, layout.dataDir]) {
    if (!dir) continue;
    try {
      const b = fs.readFileSync(path.join(dir, 'server.lock'));
      if (b.length >= 19) {
        const h = b.subarray(3, 19).toString('hex');
        if (!/^0+$/.test(h)) return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      }
    } catch {
      // no lock file: fall through
    }
  }
  // No node id on disk: a stable stand-in from where the data is.
  return `dir-${createHash('sha256').update(layout.dataDir).digest('hex').slice(0, 16)}`;
}
