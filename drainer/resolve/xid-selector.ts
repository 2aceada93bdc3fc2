/**
 * Which parked Xids a resolve applies to: `--all`, or `--xid` as printed by the drain and by
 * `resolve --list` — `formatId:gtridHex:bqualHex` (one branch), or the global transaction id alone
 * in hex (every branch of it: a transaction manager decides for the whole global transaction).
 */
import type { ParkInfo } from '../prepared/park-annotations.js';

export type XidSelector = { all: true } | { all: false; key: string } | { all: false; gtrid: string };

export class XidSelectorError extends Error {}

export function parseXidSelector(xid: string | undefined, all: boolean): XidSelector {
  if (all && xid) throw new XidSelectorError('give either --xid or --all, not both');
  if (all) return { all: true };
  if (!xid) throw new XidSelectorError('give --xid <formatId:gtrid:bqual | gtrid> or --all');
  const x = xid.trim().toLowerCase();
  const key = /^(-?\d+):([0-9a-f]*):([0-9a-f]*)$/.exec(x);
  if (key) return { all: false, key: `${Number(key[1])}:${key[2]}:${key[3]}` };
  if (/^tx:\d+$/.test(x)) return { all: false, key: x };
  if (/^([0-9a-f]{2})+$/.test(x)) return { all: false, gtrid: x };
  throw new XidSelectorError(`--xid: expected formatId:gtridHex:bqualHex or the gtrid in hex, got ${xid}`);
}

export function selects(sel: XidSelector, p: ParkInfo): boolean {
  if (sel.all) return true;
  if ('key' in sel) return p.xidKey.toLowerCase() === sel.key;
  return p.xid?.globalTransactionId.toString('hex') === sel.gtrid;
}
