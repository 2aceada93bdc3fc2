/** Running the real CLI's `drain` on a copy of a fixture data directory, as a child process. */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT } from './fixtures.js';
import { compareChecksums, dataChecksums, type Sums } from './data-checksums.js';

export const CLI = path.join(PROJECT, 'dist', 'drainer', 'cli.js');

export interface DrainRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  logs: Array<Record<string, unknown>>;
  termination: string;
}

/** A writable copy of a data directory (the fixtures themselves are never written). */
export function copyData(dataDir: string): string {
  const dst = fs.mkdtempSync(path.join(os.tmpdir(), 'drainer-drain-'));
  const r = spawnSync('cp', ['-a', '--sparse=always', dataDir, dst]);
  if (r.status !== 0) throw new Error(`cp failed: ${r.stderr}`);
  spawnSync('chmod', ['-R', 'u+w', dst]);
  const copy = path.join(dst, path.basename(dataDir));
  copySums.set(copy, dataChecksums(copy));
  return copy;
}

/** Checksums of each copy made by copyData, taken right after copying. */
const copySums = new Map<string, Sums>();

/** What a drain may write inside the data directory: its own state folder, nothing else. */
const DRAINER_OWN = (rel: string) => rel === '.artemis-drainer/' || rel.startsWith('.artemis-drainer/');

/**
 * Fails when anything of the broker's in a copy made by copyData was modified, added or removed
 * (the drain's own `.artemis-drainer/` state folder excepted).
 */
export function assertUnchanged(copy: string): void {
  const before = copySums.get(copy);
  if (!before) throw new Error(`${copy} was not made by copyData`);
  const diff = compareChecksums(
    new Map([...before].filter(([rel]) => !DRAINER_OWN(rel))),
    dataChecksums(copy, DRAINER_OWN),
  );
  if (diff.length > 0) throw new Error(`the broker's files in ${copy} were modified:\n  ${diff.join('\n  ')}`);
}

export interface DrainArgs {
  dataDir: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Called with the child as soon as it runs (e.g. to kill it at some point). */
  onStart?: (child: import('node:child_process').ChildProcess) => void;
}

export function runDrainCli({ dataDir, args, env, onStart }: DrainArgs): Promise<DrainRun> {
  const termination = path.join(path.dirname(dataDir), `termination-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  const child = spawn(process.execPath, [CLI, 'drain', dataDir, '--termination-log', termination, '--progress-interval', '0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
  });
  onStart?.(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const logs = stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return { msg: l };
          }
        });
      let text = '';
      try {
        text = fs.readFileSync(termination, 'utf8');
      } catch {
        // killed before writing it
      }
      resolve({ code, signal, logs, termination: text });
    });
  });
}

export function logText(run: DrainRun): string {
  return run.logs.map((l) => `${String(l.level)} ${String(l.msg)} ${JSON.stringify(l)}`).join('\n');
}
