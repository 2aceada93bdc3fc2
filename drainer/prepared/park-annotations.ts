/**
 * The message annotations of a parked in-doubt message: which prepared transaction it belongs to
 * and where it was going. Written by the drain (park-message.ts), read back by `resolve`
 * (resolve/parked-message.ts). The names are documented in docs/in-doubt.md.
 */
import type { TypedValue } from '../../journal/model/typed-value.js';
import type { Xid } from '../../journal/binary/xid.js';

export const PARK_XID = 'x-opt-drainer-xid';
export const PARK_XID_FORMAT = 'x-opt-drainer-xid-format';
export const PARK_XID_GTRID = 'x-opt-drainer-xid-gtrid';
export const PARK_XID_BQUAL = 'x-opt-drainer-xid-bqual';
export const PARK_OPERATION = 'x-opt-drainer-operation';
export const PARK_ADDRESS = 'x-opt-drainer-address';
export const PARK_QUEUE = 'x-opt-drainer-queue';
export const PARK_ROUTING_TYPE = 'x-opt-drainer-routing-type';
export const PARK_SOURCE_NODE = 'x-opt-drainer-source-node';
export const PARK_MESSAGE_ID = 'x-opt-drainer-message-id';
/** Same name as on every drained message: the delivery count the source recorded (before any +1). */
export const PARK_DELIVERY_COUNT = 'x-opt-drainer-delivery-count';
/** AMQP message-format of the enclosed message, when not 0. */
export const PARK_MESSAGE_FORMAT = 'x-opt-drainer-message-format';

export interface ParkInfo {
  /** `formatId:gtridHex:bqualHex`, or `tx:<id>` when the Xid could not be read. */
  xidKey: string;
  xid: Xid | null;
  operation: 'send' | 'ack';
  address: string;
  queue: string;
  routingType: 'ANYCAST' | 'MULTICAST';
  sourceNode: string;
  messageId: bigint;
  deliveryCount: number;
  messageFormat: number;
}

export function parkAnnotations(p: ParkInfo): Array<[string, TypedValue]> {
  const a: Array<[string, TypedValue]> = [[PARK_XID, { type: 'string', value: p.xidKey }]];
  if (p.xid) {
    a.push(
      [PARK_XID_FORMAT, { type: 'int', value: p.xid.formatId }],
      [PARK_XID_GTRID, { type: 'string', value: p.xid.globalTransactionId.toString('hex') }],
      [PARK_XID_BQUAL, { type: 'string', value: p.xid.branchQualifier.toString('hex') }],
    );
  }
  a.push(
    [PARK_OPERATION, { type: 'string', value: p.operation }],
    [PARK_ADDRESS, { type: 'string', value: p.address }],
    [PARK_QUEUE, { type: 'string', value: p.queue }],
    [PARK_ROUTING_TYPE, { type: 'string', value: p.routingType }],
    [PARK_SOURCE_NODE, { type: 'string', value: p.sourceNode }],
    [PARK_MESSAGE_ID, { type: 'string', value: p.messageId.toString() }],
    [PARK_DELIVERY_COUNT, { type: 'uint', value: Math.min(Math.max(0, p.deliveryCount), 0xffffffff) }],
  );
  if (p.messageFormat !== 0) a.push([PARK_MESSAGE_FORMAT, { type: 'uint', value: p.messageFormat }]);
  return a;
}

/** Reads the annotations back from a decoded message (rhea: plain JS values); null when not a parked message. */
export function readParkAnnotations(ma: Record<string, unknown> | undefined): ParkInfo | null {
  if (!ma) return null;
  const s = (k: string): string | null => (typeof ma[k] === 'string' ? (ma[k] as string) : null);
  const n = (k: string): number | null => {
    const v = ma[k];
    return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
  };
  const xidKey = s(PARK_XID);
  const operation = s(PARK_OPERATION);
  const address = s(PARK_ADDRESS);
  const queue = s(PARK_QUEUE);
  const routingType = s(PARK_ROUTING_TYPE);
  if (!xidKey || (operation !== 'send' && operation !== 'ack') || address === null || queue === null) return null;
  const format = n(PARK_XID_FORMAT);
  const gtrid = s(PARK_XID_GTRID);
  const bqual = s(PARK_XID_BQUAL);
  const rawId = ma[PARK_MESSAGE_ID];
  let messageId = -1n;
  try {
    if (typeof rawId === 'string' || typeof rawId === 'number' || typeof rawId === 'bigint') messageId = BigInt(rawId);
  } catch {
    // not a number: leave -1
  }
  return {
    xidKey,
    xid: format !== null && gtrid !== null && bqual !== null ? { formatId: format, globalTransactionId: Buffer.from(gtrid, 'hex'), branchQualifier: Buffer.from(bqual, 'hex') } : null,
    operation,
    address,
    queue,
    routingType: routingType === 'MULTICAST' ? 'MULTICAST' : 'ANYCAST',
    sourceNode: s(PARK_SOURCE_NODE) ?? '',
    messageId,
    deliveryCount: n(PARK_DELIVERY_COUNT) ?? 0,
    messageFormat: n(PARK_MESSAGE_FORMAT) ?? 0,
  };
}
