/**
 * A parked in-doubt message: an envelope whose only body section is a data section holding the
 * complete enclosed message — byte for byte what the drain would send to its queue under the
 * decision that delivers it (commit for a send, rollback for an ack) — and whose message
 * annotations say which Xid, operation and queue it belongs to. The enclosed bytes are never
 * rewritten: `resolve` forwards them as they are, so resolving later equals deciding now.
 *
 * The envelope is durable, has no ttl and no delivery time (a parked message must neither expire
 * nor wait), and its own `_AMQ_DUPL_ID` (park-duplicate-id) makes a re-run harmless on Artemis.
 * Large enclosed messages stay file regions: the envelope is a prefix plus the enclosed parts.
 */
import type { OutgoingMessage } from '../convert/outgoing.js';
import { encodeApplicationProperties, encodeDataSectionHeader, encodeHeader, encodeMessageAnnotations } from '../amqp/encode/index.js';
import { DUPLICATE_ID } from '../convert/duplicate-id.js';
import { parkAnnotations, type ParkInfo } from './park-annotations.js';

export function parkDuplicateId(p: Pick<ParkInfo, 'sourceNode' | 'messageId' | 'queue' | 'operation'>): string {
  return `drainer-park:${p.sourceNode}:${p.messageId}:${p.queue}:${p.operation}`;
}

export function parkEnvelope(inner: OutgoingMessage, info: Omit<ParkInfo, 'messageFormat'>): OutgoingMessage {
  const duplicateId = parkDuplicateId(info);
  const prefix = Buffer.concat([
    encodeHeader({ durable: true }),
    encodeMessageAnnotations(parkAnnotations({ ...info, messageFormat: inner.format })),
    encodeApplicationProperties([[DUPLICATE_ID, { type: 'string', value: duplicateId }]]),
    encodeDataSectionHeader(inner.size),
  ]);
  return {
    parts: [{ kind: 'buffer', data: prefix }, ...inner.parts],
    size: prefix.length + inner.size,
    format: 0,
    duplicateId,
    durable: true,
    priority: 4,
  };
}
