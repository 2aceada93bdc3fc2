/**
 * Proof that the broker's files were never modified: sha256, size and mtime of every file under a
 * directory, taken before and compared after. Symbolic links are recorded by their target, not
 * followed, so a link out of the tree is neither hashed nor confused with its target.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface FileSum {
  size: number;
  mtimeMs: number;
  /** sha256 of the content, or `symlink:<target>`. */
  sha256: string;
}

export type Sums = Map<string, FileSum>;

/**
 * @param exclude relative paths (with `/`) to leave out, e.g. `p => p.startsWith('.artemis-drainer/')`
 */
export function dataChecksums(dir: string, exclude: (rel: string) => boolean = () => false): Sums {
  const sums: Sums = new Map();
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (exclude(r) || exclude(`${r}/`)) continue;
      const abs = path.join(dir, r);
      if (e.isDirectory()) {
        walk(r);
      } else if (e.isSymbolicLink()) {
        const st = fs.lstatSync(abs);
        sums.set(r, { size: st.size, mtimeMs: st.mtimeMs, sha256: `symlink:${fs.readlinkSync(abs)}` });
      } else if (e.isFile()) {
        sums.set(r, hashFile(abs, buf));
      }
    }
  };
  walk('');
  return sums;
}

function hashFile(abs: string, buf: Buffer): FileSum {
  const fd = fs.openSync(abs, 'r');
  try {
    const st = fs.fstatSync(fd);
    const h = createHash('sha256');
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
    return { size: st.size, mtimeMs: st.mtimeMs, sha256: h.digest('hex') };
  } finally {
    fs.closeSync(fd);
  }
}

/** Every difference, one line each (empty when nothing changed). */
export function compareChecksums(before: Sums, after: Sums): string[] {
  const out: string[] = [];
  for (const [rel, b] of before) {
    const a = after.get(rel);
    if (!a) out.push(`removed: ${rel}`);
    else if (a.sha256 !== b.sha256) out.push(`content changed: ${rel} (size ${b.size} -> ${a.size})`);
    else if (a.size !== b.size) out.push(`size changed: ${rel} (${b.size} -> ${a.size})`);
    else if (a.mtimeMs !== b.mtimeMs) out.push(`modification time changed: ${rel}`);
  }
  for (const rel of after.keys()) if (!before.has(rel)) out.push(`added: ${rel}`);
  return out;
}

export function sumsToJson(sums: Sums): string {
  return JSON.stringify(Object.fromEntries(sums));
}

export function sumsFromJson(text: string): Sums {
  return new Map(Object.entries(JSON.parse(text) as Record<string, FileSum>));
}
