/**
 * Restart safety: what the target has confirmed, queue by queue, survives the container being
 * killed and restarted (restartPolicy: OnFailure). A message is identified by its position in the
 * queue's delivery order, which is deterministic because the data directory is only ever read; a
 * fingerprint of the directory's files guards that assumption (if it changed, progress is void).
 *
 * Per queue the file holds the length of the confirmed prefix plus the few confirmed positions
 * beyond it (settlements can arrive out of order), so it stays small for millions of messages.
 * Writes are atomic: temp file, fsync, rename, fsync of the directory.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';

interface QueueProgress {
  prefix: number;
  beyond: number[];
}

interface StateDocument {
  version: 1;
  fingerprint: string;
  queues: Record<string, QueueProgress>;
  updatedAt: string;
}

const FILE = 'drain-state.json';

export class DrainState {
  private readonly queues = new Map<string, { prefix: number; beyond: Set<number> }>();
  private dirty = false;
  private lastWrite = 0;

  private constructor(
    private readonly dir: string,
    readonly fingerprint: string,
    /** Why earlier progress was discarded, if it was. */
    readonly resetReason: string | null,
  ) {}

  /** Loads the progress of an earlier run for the same data; starts empty otherwise. */
  static open(dir: string, dataDir: string): DrainState {
    fs.mkdirSync(dir, { recursive: true });
    const fingerprint = dataFingerprint(dataDir, dir);
    const file = path.join(dir, FILE);
    let doc: StateDocument | null = null;
    let reset: string | null = null;
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8')) as StateDocument;
      if (doc.version !== 1 || typeof doc.queues !== 'object') {
        reset = 'state file of an unknown format';
        doc = null;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') reset = `state file unreadable (${(e as Error).message})`;
    }
    if (doc && doc.fingerprint !== fingerprint) {
      reset = 'the data directory changed since the state was written';
      doc = null;
    }
    const state = new DrainState(dir, fingerprint, reset);
    for (const [q, p] of Object.entries(doc?.queues ?? {})) {
      if (Number.isInteger(p.prefix) && p.prefix >= 0 && Array.isArray(p.beyond)) state.queues.set(q, { prefix: p.prefix, beyond: new Set(p.beyond) });
    }
    return state;
  }

  isConfirmed(queue: string, position: number): boolean {
    const q = this.queues.get(queue);
    return !!q && (position < q.prefix || q.beyond.has(position));
  }

  confirmedCount(queue: string): number {
    const q = this.queues.get(queue);
    return q ? q.prefix + q.beyond.size : 0;
  }

  confirm(queue: string, position: number): void {
    let q = this.queues.get(queue);
    if (!q) this.queues.set(queue, (q = { prefix: 0, beyond: new Set() }));
    if (position < q.prefix || q.beyond.has(position)) return;
    q.beyond.add(position);
    while (q.beyond.delete(q.prefix)) q.prefix++;
    this.dirty = true;
  }

  /** Writes if something changed and `intervalMs` passed since the last write (or when forced). */
  flush(force = false, intervalMs = 500): void {
    if (!this.dirty) return;
    const now = Date.now();
    if (!force && now - this.lastWrite < intervalMs) return;
    const doc: StateDocument = {
      version: 1,
      fingerprint: this.fingerprint,
      queues: Object.fromEntries([...this.queues].map(([k, v]) => [k, { prefix: v.prefix, beyond: [...v.beyond].sort((a, b) => a - b) }])),
      updatedAt: new Date(now).toISOString(),
    };
    const file = path.join(this.dir, FILE);
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, JSON.stringify(doc));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    try {
      const dfd = fs.openSync(this.dir, 'r');
      fs.fsyncSync(dfd);
      fs.closeSync(dfd);
    } catch {
      // some file systems do not sync directories; the rename is still atomic
    }
    this.dirty = false;
    this.lastWrite = now;
  }
}

/**
 * Names, sizes and modification times of every file of the data directory except our own state:
 * if a broker touched the directory between two drains, progress recorded against it is void.
 */
function dataFingerprint(dataDir: string, stateDir: string): string {
  const own = path.relative(dataDir, stateDir);
  const files = fg
    .sync('**/*', { cwd: dataDir, onlyFiles: true, dot: true, stats: true, followSymbolicLinks: false, suppressErrors: true })
    .filter((e) => own.startsWith('..') || !e.path.startsWith(own + '/'))
    .map((e) => `${e.path}\t${e.stats?.size}\t${Math.floor(e.stats?.mtimeMs ?? 0)}`)
    .sort();
  return createHash('sha256').update(files.join('\n')).digest('hex');
}
