/** `inspect DATA_DIR [--json]`: what is in a data directory. */
import type { Logger } from 'pino';
import { buildInspectReport } from '../format/inspect-report.js';
import { renderInspectText } from '../format/inspect-text.js';
import { toJson } from '../format/json.js';
import { exitForDiagnostics, logDiagnostics, openDataDir } from './open-data-dir.js';

export async function runInspect(dir: string, opts: { json?: boolean; allowDiagnostics?: boolean }, log: Logger): Promise<number> {
  const data = await openDataDir(dir, log);
  if (typeof data === 'number') return data;
  try {
    const report = await buildInspectReport(data);
    process.stdout.write(opts.json ? toJson(report, 2) + '\n' : renderInspectText(report));
    logDiagnostics(data.diagnostics, log);
    return exitForDiagnostics(data.diagnostics, opts.allowDiagnostics, log);
  } finally {
    data.close();
  }
}
