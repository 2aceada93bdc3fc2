/**
 * `journal-rename-control.ctr` (format spec §6.2): left behind when the broker stopped in the
 * middle of committing a compaction. It names the compaction's input files (now obsolete) and
 * its `.cmp` outputs (now authoritative).
 */
import fs from 'node:fs';
import { BufferReader } from '../binary/reader.js';
import { readUTF } from '../binary/strings.js';
import { scanJournalBuffer } from './scanner.js';
import { RecordType } from './record.js';

export const CONTROL_FILE_NAME = 'journal-rename-control.ctr';

export interface ControlFile {
  dataFiles: string[];
  newFiles: string[];
  renames: Array<[string, string]>;
}

/** Returns null when the file holds no valid ADD record (a crash while writing it: meaningless). */
export function readControlFile(path: string): ControlFile | null {
  const buf = fs.readFileSync(path);
  if (buf.length < 16) return null;
  const formatVersion = buf.readInt32BE(0);
  let found: ControlFile | null = null;
  scanJournalBuffer(buf, buf.length, formatVersion, 0, (rec) => {
    if (found || rec.type !== RecordType.ADD) return;
    try {
      const r = new BufferReader(rec.body);
      const dataFiles = readNames(r);
      const newFiles = readNames(r);
      const renameCount = r.i32();
      r.need(renameCount * 4, 'rename pairs');
      const renames: Array<[string, string]> = [];
      for (let i = 0; i < renameCount; i++) renames.push([readUTF(r), readUTF(r)]);
      found = { dataFiles, newFiles, renames };
    } catch {
      found = null;
    }
  });
  return found;
}

function readNames(r: BufferReader): string[] {
  const n = r.i32();
  r.need(n * 2, 'file name list');
  const names: string[] = [];
  for (let i = 0; i < n; i++) names.push(readUTF(r));
  return names;
}
