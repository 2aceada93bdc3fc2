import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DecodeError } from '../../journal/binary/reader.js';
import {
  decodeCoreBody,
  openCoreBodyStream,
  readCoreBodyBytes,
  type CoreBodyJson,
} from '../../journal/core/core-body.js';
import { PropertyTag as T } from '../../journal/core/typed-properties.js';
import type { ByteSource, CoreMessage } from '../../journal/model/message.js';
import type { TypedMap } from '../../journal/model/typed-value.js';
import { typedProperties, Writer } from '../support/encode.js';
import { prng, val } from './encode.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function msg(type: number, body: ByteSource, properties: TypedMap = new Map()): CoreMessage {
  return {
    protocol: 'core',
    large: body.kind === 'file',
    messageId: 1n,
    address: 'a',
    userId: null,
    type,
    durable: true,
    expiration: 0,
    timestamp: 0,
    priority: 4,
    properties,
    body,
  };
}
const buf = (data: Buffer): ByteSource => ({ kind: 'buffer', data });
const decode = (type: number, data: Buffer, includeBase64 = false) => decodeCoreBody(msg(type, buf(data)), { includeBase64 });

async function collect(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

test('TEXT: SS? body, null text, empty body; trailing/truncated bytes are DecodeErrors', async () => {
  // §4.4 example 10
  const hello = Buffer.from('0100000014680065006c006c006f0020007400650078007400', 'hex');
  assert.deepEqual(await decode(3, hello), { type: 'text', text: 'hello text' });
  assert.deepEqual(await decode(3, Buffer.from([0])), { type: 'text', text: null });
  assert.deepEqual(await decode(3, Buffer.alloc(0)), { type: 'text', text: null });
  const sur = new Writer().nss('\u{1F600} \u00e9').build();
  assert.deepEqual(await decode(3, sur), { type: 'text', text: '\u{1F600} \u00e9' });
  await assert.rejects(decode(3, Buffer.concat([hello, Buffer.from([0])])), DecodeError);
  for (let n = 1; n < hello.length; n++) await assert.rejects(decode(3, hello.subarray(0, n)), DecodeError);
});

test('BYTES and DEFAULT: size, sha256, base64 on request; empty DEFAULT body', async () => {
  const data = Buffer.from('raw core body');
  assert.deepEqual(await decode(4, data, true), { type: 'bytes', size: 13, sha256: sha(data), base64: data.toString('base64') });
  assert.deepEqual(await decode(4, data, false), { type: 'bytes', size: 13, sha256: sha(data) });
  assert.deepEqual(await decode(0, Buffer.alloc(0)), { type: 'bytes', size: 0, sha256: EMPTY_SHA });
  // unknown types are opaque bytes
  assert.deepEqual(await decode(42, data), { type: 'bytes', size: 13, sha256: sha(data) });
});

test('MAP: TypedProperties body in JSON form', async () => {
  const body = typedProperties([
    ['m_long', T.LONG, val.i64(-9223372036854775808n)],
    ['m_bytes', T.BYTES, val.bytes(Buffer.from([9, 8, 7]))],
    ['m_char', T.CHAR, val.i16(0x5a)],
    ['m_null', T.NULL, val.none()],
  ]);
  assert.deepEqual(await decode(5, body), {
    type: 'map',
    map: {
      m_long: { type: 'long', value: '-9223372036854775808' },
      m_bytes: { type: 'bytes', value: 'CQgH' },
      m_char: { type: 'char', value: 'Z' },
      m_null: { type: 'null', value: null },
    },
  });
  assert.deepEqual(await decode(5, Buffer.alloc(0)), { type: 'map', map: {} });
  await assert.rejects(decode(5, Buffer.concat([body, Buffer.from([1])])), DecodeError);
});

test('STREAM: every element tag and all three String encodings', async () => {
  const utf = 'caf\u00e9 \u2713 \u0000 \u{1F600} nine+'; // 9..4094 units: UTF form, with NUL and a surrogate pair
  const long = 'x\u00e9'.repeat(2100); // >= 4095 units: SimpleString form
  const body = new Writer()
    .u8(T.BOOLEAN).u8(0xff)
    .u8(T.BOOLEAN).u8(0)
    .u8(T.BYTE).u8(1)
    .u8(T.SHORT).i16(2)
    .u8(T.CHAR).i16(0x63)
    .u8(T.INT).i32(3)
    .u8(T.LONG).i64(4n)
    .u8(T.FLOAT).f32(5.5)
    .u8(T.DOUBLE).f64(6.25)
    .u8(T.STRING).u8(1).str('seven')
    .u8(T.STRING).u8(1).str(utf)
    .u8(T.STRING).u8(1).str(long)
    .u8(T.STRING).u8(1).str('')
    .u8(T.STRING).u8(0)
    .u8(T.BYTES).i32(2).raw([8, 8])
    .u8(T.NULL)
    .build();
  assert.ok(utf.length >= 9 && utf.length < 0xfff && long.length >= 0xfff);
  const out = await decode(6, body);
  assert.deepEqual(out, {
    type: 'stream',
    items: [
      { type: 'boolean', value: true },
      { type: 'boolean', value: false },
      { type: 'byte', value: 1 },
      { type: 'short', value: 2 },
      { type: 'char', value: 'c' },
      { type: 'int', value: 3 },
      { type: 'long', value: '4' },
      { type: 'float', value: 5.5 },
      { type: 'double', value: 6.25 },
      { type: 'string', value: 'seven' },
      { type: 'string', value: utf },
      { type: 'string', value: long },
      { type: 'string', value: '' },
      { type: 'null', value: null },
      { type: 'bytes', value: 'CAg=' },
      { type: 'null', value: null },
    ],
  });
  for (let n = 1; n < body.length; n++) {
    try {
      await decode(6, body.subarray(0, n));
    } catch (e) {
      assert.ok(e instanceof DecodeError, `prefix ${n}: ${e}`);
    }
  }
  await assert.rejects(decode(6, Buffer.from([1])), DecodeError); // NOT_NULL is no element tag
  await assert.rejects(decode(6, Buffer.from([T.STRING, 1, 0, 0, 0, 20, 0, 5, 0xff, 0xff, 0xff, 0xff, 0xff])), DecodeError);
});

test('OBJECT: i32 length + serialized bytes; mismatched length is a DecodeError', async () => {
  const ser = Buffer.from('aced0005737200116a6176612e', 'hex');
  const body = new Writer().i32(ser.length).raw(ser).build();
  assert.deepEqual(await decode(2, body), { type: 'object', size: ser.length, sha256: sha(ser) });
  assert.deepEqual(await decode(2, new Writer().i32(0).build()), { type: 'object', size: 0, sha256: EMPTY_SHA });
  await assert.rejects(decode(2, body.subarray(0, body.length - 1)), DecodeError);
  await assert.rejects(decode(2, Buffer.concat([body, Buffer.from([0])])), DecodeError);
});

test('EMBEDDED (7): size and sha256 of the whole body', async () => {
  const body = Buffer.concat([Buffer.from('EMB'), Buffer.from([5, 1, 2, 3])]);
  assert.deepEqual(await decode(7, body), { type: 'embedded', size: body.length, sha256: sha(body) });
});

test('compressed in-hand body (_AMQ_LARGE_COMPRESSED on a small message) is inflated', async () => {
  const text = new Writer().nss('compressed text '.repeat(20)).build();
  const props: TypedMap = new Map([['_AMQ_LARGE_COMPRESSED', { type: 'boolean', value: true }]]);
  const out = await decodeCoreBody(msg(3, buf(zlib.deflateSync(text)), props), { includeBase64: false });
  assert.deepEqual(out, { type: 'text', text: 'compressed text '.repeat(20) });
});

test('file sources: streamed digests, zlib inflation, regions, stream and sync helpers', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-body-'));
  try {
    const rnd = prng(3);
    const payload = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < payload.length; i++) payload[i] = Math.floor(rnd() * 256);
    const plain = path.join(dir, 'plain.msg');
    fs.writeFileSync(plain, payload);
    const z = path.join(dir, 'z.msg');
    const deflated = zlib.deflateSync(payload);
    fs.writeFileSync(z, deflated);
    const fileSrc = (p: string, length: number, zl = false, offset = 0): ByteSource => ({
      kind: 'file', path: p, displayPath: path.basename(p), offset, length, zlib: zl,
    });

    const expected: CoreBodyJson = { type: 'bytes', size: payload.length, sha256: sha(payload) };
    assert.deepEqual(await decodeCoreBody(msg(4, fileSrc(plain, payload.length)), { includeBase64: true }), expected);
    assert.deepEqual(await decodeCoreBody(msg(4, fileSrc(z, deflated.length, true)), { includeBase64: false }), expected);
    assert.deepEqual(await collect(openCoreBodyStream(fileSrc(z, deflated.length, true))), payload);
    assert.deepEqual(readCoreBodyBytes(fileSrc(z, deflated.length, true)), payload);
    assert.deepEqual(readCoreBodyBytes(fileSrc(plain, 100, false, 50)), payload.subarray(50, 150));
    assert.deepEqual(await collect(openCoreBodyStream(fileSrc(plain, 100, false, 50))), payload.subarray(50, 150));
    assert.deepEqual(await collect(openCoreBodyStream(fileSrc(plain, 0))), Buffer.alloc(0));
    assert.deepEqual(await collect(openCoreBodyStream(buf(Buffer.from('abc')))), Buffer.from('abc'));

    // large TEXT and OBJECT in files (object split across stream chunks)
    const textBody = new Writer().nss('large \u2713 text '.repeat(50000)).build();
    const tf = path.join(dir, 'text.msg');
    fs.writeFileSync(tf, zlib.deflateSync(textBody));
    const tOut = await decodeCoreBody(msg(3, fileSrc(tf, fs.statSync(tf).size, true)), { includeBase64: false });
    assert.deepEqual(tOut, { type: 'text', text: 'large \u2713 text '.repeat(50000) });
    const of = path.join(dir, 'obj.msg');
    fs.writeFileSync(of, Buffer.concat([new Writer().i32(payload.length).build(), payload]));
    assert.deepEqual(await decodeCoreBody(msg(2, fileSrc(of, payload.length + 4)), { includeBase64: false }), {
      type: 'object', size: payload.length, sha256: sha(payload),
    });
    const bad = path.join(dir, 'badobj.msg');
    fs.writeFileSync(bad, Buffer.concat([new Writer().i32(5).build(), payload.subarray(0, 9)]));
    await assert.rejects(decodeCoreBody(msg(2, fileSrc(bad, 13)), { includeBase64: false }), DecodeError);

    // failures: missing file, file shorter than recorded, corrupt zlib
    const gone = fileSrc(path.join(dir, 'gone.msg'), -1);
    await assert.rejects(decodeCoreBody(msg(4, gone), { includeBase64: false }), DecodeError);
    await assert.rejects(decodeCoreBody(msg(3, gone), { includeBase64: false }), DecodeError);
    assert.throws(() => readCoreBodyBytes(gone), DecodeError);
    await assert.rejects(collect(openCoreBodyStream(gone)), DecodeError);
    const short = fileSrc(plain, payload.length + 10);
    await assert.rejects(decodeCoreBody(msg(4, short), { includeBase64: false }), DecodeError);
    assert.throws(() => readCoreBodyBytes(short), DecodeError);
    const vanished = fileSrc(path.join(dir, 'vanished.msg'), 10);
    await assert.rejects(decodeCoreBody(msg(4, vanished), { includeBase64: false }), DecodeError);
    assert.throws(() => readCoreBodyBytes(vanished), DecodeError);
    const corrupt = path.join(dir, 'corrupt.msg');
    fs.writeFileSync(corrupt, Buffer.concat([deflated.subarray(0, 1000), Buffer.alloc(50, 0xee)]));
    await assert.rejects(decodeCoreBody(msg(4, fileSrc(corrupt, 1050, true)), { includeBase64: false }), DecodeError);
    await assert.rejects(decodeCoreBody(msg(3, fileSrc(corrupt, 1050, true)), { includeBase64: false }), DecodeError);
    assert.throws(() => readCoreBodyBytes(fileSrc(corrupt, 1050, true)), DecodeError);
    const truncatedZ = path.join(dir, 'truncz.msg');
    fs.writeFileSync(truncatedZ, deflated.subarray(0, deflated.length - 100));
    await assert.rejects(
      decodeCoreBody(msg(4, fileSrc(truncatedZ, deflated.length - 100, true)), { includeBase64: false }),
      DecodeError,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
