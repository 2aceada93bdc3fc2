/** Test-only builders for hand-made page files (format spec §10.2, §11.1, §12.2, §12.3). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const i64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};
const simpleString = (s: string): Buffer => {
  const d = Buffer.from(s, 'utf16le');
  return Buffer.concat([i32(d.length), d]);
};

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
  const props = m.fixtureId
    ? Buffer.concat([Buffer.from([1]), i32(1), simpleString('fixture_id'), Buffer.from([10]), simpleString(m.fixtureId)])
    : Buffer.from([0]);
  return Buffer.concat([
    i64(m.id),
    m.address === undefined ? Buffer.from([0]) : Buffer.concat([Buffer.from([1]), simpleString(m.address)]),
    Buffer.from([0]), // no user id
    Buffer.from([4]), // bytes message
    Buffer.from([m.durable === false ? 0 : 1]),
    i64(BigInt(m.expiration ?? 0)),
    i64(1_700_000_000_000n),
    Buffer.from([m.priority ?? 4]),
    props,
  ]);
}

/** A persister-1 core message (§10.2), persister byte included. */
export function coreMessage(m: CoreSpec): Buffer {
  const body = m.body ?? Buffer.from('hello');
  const buffer = Buffer.concat([i32(body.length + 13), body, coreHeaders(m)]);
  return Buffer.concat([
    Buffer.from([1]),
    i64(m.id),
    m.address === undefined ? Buffer.from([0]) : Buffer.concat([Buffer.from([1]), simpleString(m.address)]),
    i32(buffer.length),
    buffer,
  ]);
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

export { i32, i64 };
