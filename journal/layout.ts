/**
 * Where the parts of a broker data directory are (format spec §2, move-semantics §2.7):
 * - classic: DATA/{bindings,journal,large-messages,paging} (`artemis create`, AMQ on OpenShift,
 *   WildFly's standalone/data/activemq);
 * - built-in defaults: `largemessages` without the dash;
 * - the operator's restricted layout: message journal files directly in DATA;
 * - a broker instance directory holding `data/` is accepted too.
 */
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';

export interface DataDirLayout {
  dataDir: string;
  bindingsDir: string | null;
  journalDir: string | null;
  largeMessagesDir: string | null;
  pagingDir: string | null;
  /** Legacy JMS journal files (`activemq-jms-*.jms`): only a hint about the writer. */
  legacyJmsFiles: string[];
}

export function locateDataDirectory(dir: string): DataDirLayout | null {
  const root = path.resolve(dir);
  const candidates = [root, path.join(root, 'data')];
  for (const c of candidates) {
    const layout = layoutOf(c);
    if (layout) return layout;
  }
  return null;
}

function layoutOf(d: string): DataDirLayout | null {
  if (!isDir(d)) return null;
  const sub = (n: string) => (isDir(path.join(d, n)) ? path.join(d, n) : null);
  const bindingsDir = sub('bindings');
  let journalDir = sub('journal');
  if (!hasFiles(journalDir, 'activemq-data-*.amq*') && hasFiles(d, 'activemq-data-*.amq*')) journalDir = d;
  // A broker creates bindings/ and journal/ on its first start; either one marks a data directory
  // (possibly one whose broker never wrote anything).
  if (!bindingsDir && !journalDir) return null;
  return {
    dataDir: d,
    bindingsDir,
    journalDir,
    largeMessagesDir: sub('large-messages') ?? sub('largemessages'),
    pagingDir: sub('paging'),
    legacyJmsFiles: bindingsDir ? fg.sync('activemq-jms-*.jms', { cwd: bindingsDir }) : [],
  };
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function hasFiles(dir: string | null, pattern: string): boolean {
  return dir !== null && fg.sync(pattern, { cwd: dir, onlyFiles: true }).length > 0;
}
