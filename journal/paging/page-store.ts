/**
 * Discovery of the page stores of a data directory (format spec §2.4, §12.1): one folder per address
 * that has ever paged, named by a random UUID, holding `address.txt` (first line = address name) and
 * the page files `<page number>.page`.
 *
 * Like the broker, a folder without a readable `address.txt`, or whose first line is empty, is not
 * a page store (replica copies, debris). Pages are consumed from the low end and deleted, so the
 * existing numbers form an increasing, possibly gappy range; that is normal and only noted.
 */
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import type { Diagnostics } from '../diagnostics.js';

export interface PageFileRef {
  /** Page number from the file name (checked to be a safe integer). */
  page: number;
  /** Absolute path. */
  path: string;
  /** Path relative to the data directory, for diagnostics. */
  displayPath: string;
  size: number;
}

export interface PageStore {
  /** The address whose messages the store holds (first line of address.txt). */
  address: string;
  /** Absolute path of the store folder. */
  folder: string;
  /** Folder relative to the data directory, for diagnostics. */
  displayFolder: string;
  /** Page files in ascending page order. */
  pages: PageFileRef[];
}

const PAGE_FILE = /^(\d+)\.page$/;

/**
 * Lists the page stores under `pagingDir` (stores in folder-name order, pages by number).
 * A missing paging directory is not an error: the broker never paged.
 */
export function findPageStores(pagingDir: string, dataDir: string, diagnostics: Diagnostics): PageStore[] {
  const display = (p: string): string => toDisplay(dataDir, p);
  if (!isDirectory(pagingDir)) return [];

  const folders = fg
    .sync('*', { cwd: pagingDir, onlyDirectories: true, dot: true, followSymbolicLinks: false })
    .sort();
  const stores: PageStore[] = [];
  const byAddress = new Map<string, string>();

  for (const name of folders) {
    const folder = path.join(pagingDir, name);
    const address = readAddress(folder);
    if (address.kind !== 'ok') {
      diagnostics.info(
        display(folder),
        null,
        address.kind === 'missing'
          ? 'paging folder without address.txt skipped (the broker ignores it too)'
          : `paging folder skipped: address.txt ${address.kind === 'empty' ? 'has an empty first line' : `unreadable (${address.reason})`}`,
        'paging folder skipped',
      );
      continue;
    }
    const other = byAddress.get(address.name);
    if (other !== undefined) {
      // The broker keys stores by address and keeps only one of them; which one is not defined.
      diagnostics.warning(
        display(folder),
        null,
        `second page store for address "${address.name}" (also ${other}); the broker would load only one of them`,
        'duplicate page store',
      );
    } else {
      byAddress.set(address.name, display(folder));
    }
    stores.push({ address: address.name, folder, displayFolder: display(folder), pages: listPages(folder, dataDir, diagnostics) });
  }
  return stores;
}

type AddressResult = { kind: 'ok'; name: string } | { kind: 'missing' } | { kind: 'empty' } | { kind: 'unreadable'; reason: string };

function readAddress(folder: string): AddressResult {
  const file = path.join(folder, 'address.txt');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', reason: code ?? String(e) };
  }
  // First line, whatever the line terminator (the broker writes a platform newline).
  const first = text.split(/\r?\n|\r/, 1)[0] ?? '';
  return first.length === 0 ? { kind: 'empty' } : { kind: 'ok', name: first };
}

function listPages(folder: string, dataDir: string, diagnostics: Diagnostics): PageFileRef[] {
  const pages: PageFileRef[] = [];
  for (const name of fg.sync('*.page', { cwd: folder, onlyFiles: true, dot: false, followSymbolicLinks: false })) {
    const file = path.join(folder, name);
    const m = PAGE_FILE.exec(name);
    const page = m ? Number(m[1]) : NaN;
    if (!m || !Number.isSafeInteger(page)) {
      diagnostics.warning(toDisplay(dataDir, file), null, `page file name "${name}" is not a usable page number; file ignored`, 'bad page file name');
      continue;
    }
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch (e) {
      diagnostics.error(toDisplay(dataDir, file), null, `page file cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      continue;
    }
    pages.push({ page, path: file, displayPath: toDisplay(dataDir, file), size });
  }
  pages.sort((a, b) => a.page - b.page);

  for (let i = 1; i < pages.length; i++) {
    if (pages[i]!.page === pages[i - 1]!.page) {
      // e.g. 000000007.page and 7.page: both name page 7
      diagnostics.warning(pages[i]!.displayPath, null, `two files for page ${pages[i]!.page} (also ${pages[i - 1]!.displayPath})`, 'duplicate page number');
    }
  }
  const gaps = describeGaps(pages);
  if (gaps) {
    diagnostics.info(
      toDisplay(dataDir, folder),
      null,
      `pages ${pages[0]!.page}..${pages[pages.length - 1]!.page}: missing ${gaps} (consumed pages are deleted; normal)`,
      'page gaps',
    );
  }
  return pages;
}

function describeGaps(pages: PageFileRef[]): string {
  const parts: string[] = [];
  for (let i = 1; i < pages.length; i++) {
    const lo = pages[i - 1]!.page + 1;
    const hi = pages[i]!.page - 1;
    if (hi < lo) continue;
    parts.push(lo === hi ? `${lo}` : `${lo}..${hi}`);
  }
  if (parts.length > 10) return `${parts.slice(0, 10).join(', ')} and ${parts.length - 10} more ranges`;
  return parts.join(', ');
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function toDisplay(dataDir: string, p: string): string {
  return path.relative(dataDir, p).split(path.sep).join('/') || '.';
}
