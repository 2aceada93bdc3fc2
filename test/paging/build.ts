/** Test-only builders for hand-made page files (format spec §10.2, §11.1, §12.2, §12.3). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { i32, i64, stringProperties } from '../support/encode.js';
import { coreBuffer, coreHeaders as coreHeaderBlock, persistedCore } from '../core/encode.js';

export interface CoreSpec {
  id: bigint;
  address?: string;
  durable?: boolean;
  priority?: number;
  expiration?: number;
  /** A string property `fixture_id`. */
  fixtureId?: string;
  body?: Buffer;
}

/** The §11.1 headers block (also the tail of a persister-1 core buffer). */
export function coreHeaders(m: CoreSpec): Buffer {
  return coreHeaderBlock({
    messageId: m.id,
    address: m.address ?? null,
    userId: null,
    type: 4, // bytes message
    durable: m.durable !== false,
    expiration: BigInt(m.expiration ?? 0),
    timestamp: 1_700_000_000_000n,
    priority: m.priority ?? 4,
    properties: stringProperties(m.fixtureId ? { fixture_id: m.fixtureId } : {}),
  });
}

/** A persister-1 core message (§10.2), persister byte included. */
export function coreMessage(m: CoreSpec): Buffer {
  const buffer = coreBuffer(m.body ?? Buffer.from('hello'), coreHeaders(m));
  return Buffer.concat([Buffer.from([1]), persistedCore(m.id, m.address ?? null, buffer)]);
}

/** A PagedMessage encoding (§12.3) of a non-large message. */
export function pagedMessage(tx: bigint, message: Buffer, queueIds: bigint[], largeType = 0): Buffer {
  const msg = largeType === 1 || largeType === -1 ? Buffer.concat([i32(message.length), message]) : message;
  const t = Buffer.alloc(1);
  t.writeInt8(largeType);
  return Buffer.concat([i64(tx), t, msg, i32(queueIds.length), ...queueIds.map(i64)]);
}

/** One page record: `{` S bytes `}`. */
export function pageRecord(encoded: Buffer): Buffer {
  return Buffer.concat([Buffer.from('{'), i32(encoded.length), encoded, Buffer.from('}')]);
}

const created: string[] = [];
process.on('exit', () => {
  for (const d of created) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `paging-${prefix}-`));
  created.push(d);
  return d;
}

