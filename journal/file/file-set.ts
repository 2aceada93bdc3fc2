/**
 * The set of files that make up one journal, as the broker would see it after its start-up
 * recovery (format spec §2.5, §3.2, §3.3, §6.3) — computed without renaming or deleting anything:
 * names ending in `.<ext>`, `.bkp` retention leftovers counted as live, a pending compaction's
 * control file applied logically, and everything sorted by the file id stored in the header.
 */
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import type { Diagnostics } from '../diagnostics.js';
import { CONTROL_FILE_NAME, readControlFile } from './control-file.js';

export interface JournalFile {
  /** Absolute path of the file as it is on disk. */
  path: string;
  /** Path relative to the data directory, for messages. */
  displayPath: string;
  /** Name the broker would give it after recovery (`.cmp` / `.bkp` removed). */
  logicalName: string;
  size: number;
  formatVersion: number;
  userVersion: number;
  fileId: bigint;
  /** Low 31 bits of fileId: the value every record of this file carries. */
  recordFileId: number;
}

export interface JournalKind {
  /** `activemq-data` / `activemq-bindings` */
  prefix: string;
  /** `amq` / `bindings` */
  ext: string;
  /** Journal-retention `.bkp` files hold live data (message journal only). */
  acceptBackup: boolean;
  /** Size every file of this journal has, when it is fixed (bindings: 1 MiB). */
  fixedFileSize?: number;
}

export const MESSAGE_JOURNAL: JournalKind = { prefix: 'activemq-data', ext: 'amq', acceptBackup: true };
export const BINDINGS_JOURNAL: JournalKind = { prefix: 'activemq-bindings', ext: 'bindings', acceptBackup: false, fixedFileSize: 1024 * 1024 };

export function listJournalFiles(
  dir: string,
  kind: JournalKind,
  dataDir: string,
  diagnostics: Diagnostics,
): JournalFile[] {
  const names = new Set(fg.sync('*', { cwd: dir, onlyFiles: true, dot: false, followSymbolicLinks: false }));
  const display = (n: string) => path.relative(dataDir, path.join(dir, n)) || n;
  const ext = `.${kind.ext}`;
  // logical name -> on-disk name
  const chosen = new Map<string, string>();
  for (const n of names) {
    if (!n.startsWith(`${kind.prefix}-`)) continue;
    if (n.endsWith(ext)) chosen.set(n, n);
    else if (kind.acceptBackup && n.endsWith(`${ext}.bkp`)) chosen.set(n.slice(0, -4), n);
  }
  if (names.has(CONTROL_FILE_NAME)) {
    const ctl = readControlFile(path.join(dir, CONTROL_FILE_NAME));
    if (ctl) {
      diagnostics.warning(
        display(CONTROL_FILE_NAME),
        0,
        `interrupted compaction: ${ctl.dataFiles.length} input file(s) replaced by ${ctl.newFiles.length} compacted file(s), applied logically`,
      );
      for (const f of ctl.dataFiles) chosen.delete(f);
      for (const f of ctl.newFiles) {
        const logical = f.endsWith('.cmp') ? f.slice(0, -4) : f;
        if (names.has(f)) chosen.set(logical, f);
      }
      for (const [from, to] of ctl.renames) {
        if (names.has(from)) {
          chosen.delete(from);
          chosen.set(to, from);
        }
      }
    } else {
      diagnostics.info(display(CONTROL_FILE_NAME), 0, 'compaction control file without a valid record: ignored, as the broker does');
    }
  }

  const files: JournalFile[] = [];
  for (const [logicalName, onDisk] of chosen) {
    const p = path.join(dir, onDisk);
    const header = readHeader(p);
    if (header === null) continue; // < 16 bytes: the broker deletes it
    if (typeof header === 'string') {
      diagnostics.error(display(onDisk), 0, header);
      continue;
    }
    files.push({ path: p, displayPath: display(onDisk), logicalName, ...header });
  }
  files.sort((a, b) => (a.fileId < b.fileId ? -1 : a.fileId > b.fileId ? 1 : 0));
  reportShortFiles(files, kind, diagnostics);
  for (let i = 1; i < files.length; i++) {
    if (files[i]!.fileId === files[i - 1]!.fileId) {
      diagnostics.error(files[i]!.displayPath, 8, `file id ${files[i]!.fileId} also used by ${files[i - 1]!.displayPath}`);
    }
  }
  return files;
}

/**
 * Journal files are pre-allocated to one fixed size (§3.4), so a file shorter than its siblings
 * lost its end: whatever records were there are gone. (If journal-file-size was changed between
 * broker runs, older files differ legitimately; --allow-diagnostics accepts that.)
 */
function reportShortFiles(files: JournalFile[], kind: JournalKind, diagnostics: Diagnostics): void {
  const expected = Math.max(kind.fixedFileSize ?? 0, ...files.map((f) => f.size));
  for (const f of files) {
    if (f.size < expected) {
      diagnostics.error(
        f.displayPath,
        f.size,
        `journal file is ${f.size} bytes, shorter than the journal file size ${expected}: it was truncated and records past offset ${f.size} are lost`,
      );
    }
  }
}

type Header = Pick<JournalFile, 'size' | 'formatVersion' | 'userVersion' | 'fileId' | 'recordFileId'>;

/** §3.2. Returns null for files the broker ignores, a message for files it refuses. */
export function readHeader(p: string): Header | string | null {
  const fd = fs.openSync(p, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 16) return null;
    const b = Buffer.alloc(16);
    fs.readSync(fd, b, 0, 16, 0);
    const formatVersion = b.readInt32BE(0);
    const userVersion = b.readInt32BE(4);
    const fileId = b.readBigInt64BE(8);
    if (formatVersion !== 1 && formatVersion !== 2) {
      return `journal format version ${formatVersion} is not an Artemis journal file (expected 2)`;
    }
    if (userVersion !== 0) return `journal user version ${userVersion} (expected 0): not an Artemis journal file`;
    return { size, formatVersion, userVersion, fileId, recordFileId: Number(fileId & 0x7fffffffn) | 0 };
  } finally {
    fs.closeSync(fd);
  }
}
