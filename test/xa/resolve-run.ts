/** Running the real CLI's `resolve` as a child process: exit code, stdout lines (JSON), logs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../support/drain-run.js';

export interface ResolveRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: Array<Record<string, unknown>>;
  logs: Array<Record<string, unknown>>;
  stderr: string;
}

export function runResolveCli(args: string[], onStart?: (child: ChildProcess) => void): Promise<ResolveRun> {
  const child = spawn(process.execPath, [CLI, 'resolve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } });
  onStart?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const parse = (text: string) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return { msg: l };
        }
      });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out: parse(stdout), logs: parse(stderr), stderr })));
}
