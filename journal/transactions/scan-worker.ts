/**
 * Worker thread of scan-source.ts: reads one journal file, finds its records and peeks message
 * headers, then hands the file buffer and the record table back (transferred, not copied).
 */
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { scanToTable } from '../file/descriptors.js';
import { messageSummarizer } from './scan-source.js';

interface Request {
  index: number;
  path: string;
  size: number;
  formatVersion: number;
  recordFileId: number;
  messageSummaries: boolean;
  buffer: ArrayBuffer | null;
  rows: ArrayBuffer | null;
}

parentPort!.on('message', (q: Request | { drop: ArrayBuffer[] }) => {
  if ('drop' in q) return; // buffers handed back at close, to be freed with this thread
  try {
    const buf = q.buffer && q.buffer.byteLength >= q.size ? Buffer.from(q.buffer) : Buffer.from(new ArrayBuffer(q.size));
    const fd = fs.openSync(q.path, 'r');
    let size = 0;
    try {
      while (size < q.size) {
        const n = fs.readSync(fd, buf, size, q.size - size, size);
        if (n === 0) break;
        size += n;
      }
    } finally {
      fs.closeSync(fd);
    }
    const t = scanToTable(buf, size, q.formatVersion, q.recordFileId, q.messageSummaries ? messageSummarizer : null, q.rows ? new Int32Array(q.rows) : null);
    const rows = t.rows.buffer as ArrayBuffer;
    const buffer = buf.buffer as ArrayBuffer;
    parentPort!.postMessage({ index: q.index, buffer, size, rows, count: t.count, endOfData: t.endOfData, problems: t.problems }, [buffer, rows]);
  } catch (e) {
    parentPort!.postMessage({ index: q.index, error: (e as Error).message });
  }
});
