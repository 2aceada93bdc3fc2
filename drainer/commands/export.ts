/** `export DATA_DIR [--queue Q]`: every (queue, message) as one NDJSON line, in delivery order. */
import type { Logger } from 'pino';
import { DecodeError } from '../../journal/binary/reader.js';
import { exportLine } from '../format/export-line.js';
import { NdjsonWriter } from '../ndjson-writer.js';
import { Progress } from '../progress.js';
import { exitForDiagnostics, logDiagnostics, openDataDir } from './open-data-dir.js';

export interface ExportOptions {
  queue?: string[];
  bodies?: boolean;
  allowDiagnostics?: boolean;
  progressInterval: string;
}

export async function runExport(dir: string, opts: ExportOptions, log: Logger): Promise<number> {
  const data = await openDataDir(dir, log);
  if (typeof data === 'number') return data;
  try {
    const wanted = opts.queue ? new Set(opts.queue) : null;
    const queues = data.queues.filter((q) => !wanted || wanted.has(q.name));
    if (wanted) {
      for (const name of wanted) {
        if (!queues.some((q) => q.name === name)) log.warn({ queue: name }, 'no such queue in the bindings journal');
      }
    }
    const summaries = new Map((await data.summarize()).map((s) => [s.queue.id, s]));
    const progress = new Progress(log, Number(opts.progressInterval) * 1000);
    const out = new NdjsonWriter(process.stdout);
    let unreadable = 0;
    for (const queue of queues) {
      const s = summaries.get(queue.id)!;
      progress.startQueue(queue.name, s.messageCount + s.inDoubtAcks + s.inDoubtSends);
      for await (const entry of data.entries(queue)) {
        const msg = entry.load();
        if (!msg) {
          unreadable++;
          continue;
        }
        let line;
        try {
          line = await exportLine(entry, msg, { includeBase64: opts.bodies === true });
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          data.diagnostics.error(null, null, `${queue.name}: message ${entry.messageId} cannot be exported: ${e.message}`);
          unreadable++;
          continue;
        }
        await out.write(line);
        progress.done(1);
      }
      progress.endQueue();
    }
    await out.flush();
    progress.finish();
    if (unreadable > 0) log.error({ unreadable }, 'messages that could not be decoded were left out of the export (see diagnostics)');
    logDiagnostics(data.diagnostics, log);
    return exitForDiagnostics(data.diagnostics, opts.allowDiagnostics, log);
  } finally {
    data.close();
  }
}
